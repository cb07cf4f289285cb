export function newestMtime(path: string): number;
export function isFresh(output: string, sources: string[]): boolean;
export function headlessBundle(root: string): string;
export function headlessSources(root: string): string[];
