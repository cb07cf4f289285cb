#!/usr/bin/env node
// Before `npm run serve`: builds the dashboard and the headless bundle when they are missing or older than their
// sources, so a newcomer's first `npm run serve -- --demo` shows the dashboard without a separate build step.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headlessBundle, headlessSources, isFresh } from '../bin/freshness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'renderer', 'index.html');

const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) process.exit(0); // an installed package ships dist/ already
if (!isFresh(built, [join(root, 'renderer'), join(root, 'shared'), join(root, 'vite.config.ts')])) {
  console.log('Building the dashboard (first run, or its sources changed)…');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!isFresh(headlessBundle(root), headlessSources(root))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-headless.js')], { cwd: root, stdio: 'inherit' });
  // Without the bundle, bin/spendbar.js runs the sources: slower to start, same behaviour.
  if (r.status !== 0) console.warn('Could not bundle the headless service; running it from the sources.');
}
