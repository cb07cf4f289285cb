// Finds the Electron binary the way node_modules/electron/index.js does, but without its side effect:
// importing `electron` from Node downloads the binary when it is missing, which on a machine without
// access to Electron's downloads only fails late and obscurely. This answers "is it there?" and, if not,
// says in one message what failed, why, and what to do instead.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVE_HINT = 'npm run serve';

/** `npm start`'s exit status when the desktop app cannot start because Electron's binary is unavailable. */
export const NO_ELECTRON_EXIT = 3;

/**
 * @param {{ electronDir: string, env?: Record<string, string | undefined>, exists?: (p: string) => boolean,
 *           readFile?: (p: string) => string }} opts
 * @returns {{ ok: true, path: string } | { ok: false, looked: string | null, message: string }}
 */
export function locateElectron(opts) {
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? existsSync;
  const readFile = opts.readFile ?? ((p) => readFileSync(p, 'utf8'));
  const pathFile = join(opts.electronDir, 'path.txt');
  const relative = exists(pathFile) ? readFile(pathFile).trim() : '';
  const candidate = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron')
    : relative
      ? join(opts.electronDir, 'dist', relative)
      : null;
  if (candidate && exists(candidate)) return { ok: true, path: candidate };
  return { ok: false, looked: candidate, message: missingElectronMessage(candidate) };
}

/**
 * Why Electron's installer failed, in words, from what it printed (never its raw error or stack).
 * @param {{ status: number | null, timedOut?: boolean, output: string }} run
 */
export function installFailureReason(run) {
  const out = run.output;
  if (run.timedOut) return 'the download did not finish within 2 minutes';
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/i.test(out)) return "the name of Electron's download server could not be resolved (this machine has no internet access)";
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|fetch failed|socket hang up|network/i.test(out)) {
    return "the connection to Electron's download server (github.com) failed (this machine has no internet access to it)";
  }
  if (/checksum|sha256/i.test(out)) return 'the downloaded file did not match its published checksum';
  if (/EACCES|EPERM/i.test(out)) return 'the binary could not be written into node_modules/electron (permission denied)';
  if (/Cannot find module/i.test(out)) return "Electron's installer is incomplete (run `npm install` again)";
  return `Electron's installer stopped with exit status ${run.status ?? 'unknown'}`;
}

/**
 * @param {string | null} looked
 * @param {string} [reason] why the download failed, when one was tried
 */
export function missingElectronMessage(looked, reason) {
  return [
    'Spendbar cannot start the desktop app: the Electron binary is not installed',
    looked ? `(looked for ${looked})` : '(node_modules/electron has no downloaded binary)',
    reason ? `and downloading it failed: ${reason}.` : 'and it was not downloaded.',
    '',
    '  Run the same dashboard in your browser instead:',
    `    ${SERVE_HINT} -- --demo    fake providers, no keys needed`,
    `    ${SERVE_HINT}              your own accounts`,
    '  (both start the headless service and print the address to open).',
    '',
    'To use the desktop app, run `npm start` again where Electron downloads are allowed',
    '(or `npx install-electron`), or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron build.',
  ].join('\n');
}
