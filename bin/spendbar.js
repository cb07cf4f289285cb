#!/usr/bin/env node
// The `spendbar` command. Runs the bundled build (dist/headless, from `npm run build`) while it is newer than every
// source file, else the TypeScript sources through Node's built-in type stripping.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`spendbar needs Node.js 22.13 or newer (for node:sqlite); this is ${process.version}.\n`);
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'headless', 'spendbar.mjs');

function newestSource(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

function bundleIsFresh() {
  if (!existsSync(bundle)) return false;
  const sources = [join(root, 'electron', 'core'), join(root, 'shared')].filter((d) => existsSync(d));
  if (sources.length === 0) return true; // an installed package without sources
  return statSync(bundle).mtimeMs >= Math.max(...sources.map(newestSource));
}

let entry;
if (bundleIsFresh()) entry = pathToFileURL(bundle).href;
else {
  if (!process.features?.typescript) {
    // Node 22.13–22.17 strips types only behind a flag: run again with it.
    const r = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  entry = '../electron/core/cli/main.ts';
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
