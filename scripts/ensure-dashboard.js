#!/usr/bin/env node
// Before `npm run serve`: builds the dashboard and the headless bundle when they are missing or older than their
// sources, so a newcomer's first `npm run serve -- --demo` shows the dashboard without a separate build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'renderer', 'index.html');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) process.exit(0); // an installed package ships dist/ already
const stale = (file, newestSource) => !existsSync(file) || statSync(file).mtimeMs < newestSource;
const shared = newest(join(root, 'shared'));
if (stale(built, Math.max(newest(join(root, 'renderer')), shared, statSync(join(root, 'vite.config.ts')).mtimeMs))) {
  console.log('Building the dashboard (first run, or its sources changed)…');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (stale(join(root, 'dist', 'headless', 'spendbar.mjs'), Math.max(newest(join(root, 'electron', 'core')), shared))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-headless.js')], { cwd: root, stdio: 'inherit' });
  // Without the bundle, bin/spendbar.js runs the sources: slower to start, same behaviour.
  if (r.status !== 0) console.warn('Could not bundle the headless service; running it from the sources.');
}
