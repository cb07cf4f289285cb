#!/usr/bin/env node
// `npm start`: the desktop app in development. Builds main + preload, starts the Vite dev server for the
// renderer, then runs Electron against it (VITE_DEV_SERVER_URL). Where the Electron binary is missing and
// cannot be fetched, it stops with a message pointing to `npm run serve`.
//   --check        only report whether Electron can be found (exit 0/1)
//   --no-download  do not try Electron's own installer when the binary is missing
// SPENDBAR_ELECTRON_DIR overrides where the electron package is looked for.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateElectron } from './electron-binary.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const electronDir = process.env.SPENDBAR_ELECTRON_DIR || join(root, 'node_modules', 'electron');

function findOrFetchElectron() {
  let found = locateElectron({ electronDir });
  if (found.ok || args.includes('--no-download') || args.includes('--check')) return found;
  console.log('The Electron binary is missing; trying its installer once…');
  const install = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: 'inherit',
    timeout: 120_000,
  });
  if (install.status === 0) found = locateElectron({ electronDir });
  return found;
}

async function main() {
  process.chdir(root);
  const electron = findOrFetchElectron();
  if (!electron.ok) {
    console.error(electron.message);
    process.exit(1);
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
