// Finds the Electron binary the way node_modules/electron/index.js does, but without its side effect:
// importing `electron` from Node downloads the binary when it is missing, which on a machine without
// access to Electron's downloads only fails late and obscurely. This answers "is it there?" and, if not,
// says what to do instead.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVE_HINT = 'npm run serve';

/**
 * @param {{ electronDir: string, env?: Record<string, string | undefined>, exists?: (p: string) => boolean,
 *           readFile?: (p: string) => string }} opts
 * @returns {{ ok: true, path: string } | { ok: false, message: string }}
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
  return { ok: false, message: missingElectronMessage(candidate) };
}

/** @param {string | null} looked */
export function missingElectronMessage(looked) {
  return [
    'Spendbar cannot start the desktop app: the Electron binary is not installed',
    looked ? `(looked for ${looked})` : '(node_modules/electron has no downloaded binary)',
    'and it could not be downloaded on this machine.',
    '',
    `  Run the same dashboard in your browser instead:  ${SERVE_HINT}`,
    '  (it starts the headless service and prints the address to open;',
    '   `npm run serve -- --demo` shows it with fake providers and no keys).',
    '',
    'To use the desktop app, install the binary where Electron downloads are allowed',
    '(`npx install-electron`), or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron build.',
  ].join('\n');
}
