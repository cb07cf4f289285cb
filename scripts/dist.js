#!/usr/bin/env node
// `npm run dist`: builds the renderer (vite.config.ts → dist/renderer) and the main process and preload
// (scripts/build-electron.js → dist-electron), then packages with electron-builder (electron-builder.yml).
// Extra arguments go to electron-builder: `npm run dist -- --linux deb`, `npm run dist -- --mac`, `-- --win`.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { buildElectron } from './build-electron.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  process.chdir(root);
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  await buildElectron();
  const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-builder.cmd' : 'electron-builder');
  const result = spawnSync(bin, ['--config', 'electron-builder.yml', '--publish', 'never', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    console.error(
      [
        '',
        'electron-builder failed. It downloads the Electron runtime (and, per target, packaging tools) for the',
        'platform being built; where those downloads are blocked, package on a machine that can reach them,',
        'or set electronDist to an unpacked Electron build (`npm run dist -- -c.electronDist=/path/to/electron`).',
        'The app itself runs without packaging: `npm run serve` for the browser dashboard.',
      ].join('\n'),
    );
    process.exit(result.status ?? 1);
  }
}

main().catch((err) => {
  console.error(`npm run dist: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
