#!/usr/bin/env node
// `npm start`: the desktop app in development. Builds main + preload, starts the Vite dev server for the
// renderer, then runs Electron against it (VITE_DEV_SERVER_URL). Where the Electron binary is missing, it tries
// Electron's own installer once, quietly; if that fails it prints one message (what failed, why, and the
// `npm run serve -- --demo` alternative) and exits with status 3 (NO_ELECTRON_EXIT).
//   --check        only report whether Electron can be found (exit 0, or 3)
//   --no-download  do not try Electron's own installer when the binary is missing
// SPENDBAR_ELECTRON_DIR overrides where the electron package is looked for.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installFailureReason, locateElectron, missingElectronMessage, NO_ELECTRON_EXIT } from './electron-binary.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const electronDir = process.env.SPENDBAR_ELECTRON_DIR || join(root, 'node_modules', 'electron');
const INSTALL_TIMEOUT_MS = 120_000;

function findOrFetchElectron() {
  const found = locateElectron({ electronDir });
  if (found.ok || args.includes('--no-download') || args.includes('--check')) return found;
  if (process.stdout.isTTY) console.log("Electron's binary is missing; downloading it (once)…");
  // The installer's own output (a raw "TypeError: fetch failed", a stack) is kept back: on failure the user gets
  // one message that says why, on success nothing needs saying.
  const install = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
  });
  if (install.status === 0) {
    const again = locateElectron({ electronDir });
    if (again.ok) return again;
  }
  const reason = installFailureReason({
    status: install.status,
    timedOut: install.error?.code === 'ETIMEDOUT' || install.signal === 'SIGTERM',
    output: `${install.stdout ?? ''}\n${install.stderr ?? ''}\n${install.error?.message ?? ''}`,
  });
  return { ok: false, message: missingElectronMessage(found.looked, reason) };
}

async function main() {
  process.chdir(root);
  const electron = findOrFetchElectron();
  if (!electron.ok) {
    console.error(electron.message);
    process.exit(NO_ELECTRON_EXIT);
  }
  if (args.includes('--check')) {
    console.log(`Electron found: ${electron.path}`);
    return;
  }
  const { buildElectron } = await import('./build-electron.js');
  await buildElectron();
  const { createServer } = await import('vite');
  // vite.config.ts (the renderer's) sets its own root relative to the project folder.
  const server = await createServer({ configFile: join(root, 'vite.config.ts'), clearScreen: false });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the Vite dev server did not report its address');
  console.log(`renderer dev server: ${url}`);
  const child = spawn(electron.path, ['.'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, VITE_DEV_SERVER_URL: url, NODE_ENV: 'development' },
  });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code, signal) => {
    void server.close().finally(() => process.exit(code ?? (signal ? 1 : 0)));
  });
}

main().catch((err) => {
  console.error(`npm start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
