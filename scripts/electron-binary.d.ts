export declare const SERVE_HINT: string;
export declare const NO_ELECTRON_EXIT: number;
export declare function locateElectron(opts: {
  electronDir: string;
  env?: Record<string, string | undefined>;
  exists?: (p: string) => boolean;
  readFile?: (p: string) => string;
}): { ok: true; path: string } | { ok: false; looked: string | null; message: string };
export declare function installFailureReason(run: { status: number | null; timedOut?: boolean; output: string }): string;
export declare function missingElectronMessage(looked: string | null, reason?: string): string;
