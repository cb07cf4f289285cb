export const MIN_NODE: string;
export function isSupportedNode(version: string): boolean;
export function bundledNodePackage(platform?: string, arch?: string): { name: string; bin: string };
export function bundledNode(root: string, platform?: string, arch?: string): string | null;
export function oldNodeMessage(version: string): string;
export function handOver(execPath: string, args: string[]): void;
