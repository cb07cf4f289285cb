// Is a build output newer than every source it was built from? Shared by bin/spendbar.js (which runs the headless
// bundle only while it is fresh) and bin/dashboard.js (which rebuilds what is stale before `serve`).
import { join } from 'node:path';
import { builtin } from './builtin.js';

const { existsSync, readdirSync, statSync } = builtin('node:fs');

export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path)) t = Math.max(t, newestMtime(join(path, e)));
  return t;
}

/** True when `output` exists and no file under `sources` (files or folders) is newer. */
export function isFresh(output, sources) {
  return existsSync(output) && statSync(output).mtimeMs >= Math.max(0, ...sources.map(newestMtime));
}

export function headlessBundle(root) {
  return join(root, 'dist', 'headless', 'spendbar.mjs');
}

/** The headless bundle's sources: the core and the shared types. */
export function headlessSources(root) {
  return [join(root, 'electron', 'core'), join(root, 'shared')];
}
