export function dashboardIndex(root: string): string;
export function dashboardSources(root: string): string[];
export interface EnsureResult {
  dashboard: 'fresh' | 'built' | 'shipped' | 'missing';
  headless: 'fresh' | 'built' | 'sources';
  error?: string;
}
export function ensureBuilt(
  root: string,
  opts?: { log?: (line: string) => void; run?: (execPath: string, args: string[], cwd: string) => string | null },
): EnsureResult;
