export declare const DEFAULT_OUT_DIR: string;
export declare function checkPreload(code: string): void;
export declare function buildElectron(opts?: { outDir?: string; parts?: ('main' | 'preload' | 'assets')[] }): Promise<string>;
