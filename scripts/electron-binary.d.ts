export declare const SERVE_HINT: string;
export declare function locateElectron(opts: {
  electronDir: string;
  env?: Record<string, string | undefined>;
  exists?: (p: string) => boolean;
  readFile?: (p: string) => string;
}): { ok: true; path: string } | { ok: false; message: string };
export declare function missingElectronMessage(looked: string | null): string;
