#!/usr/bin/env node
// The `spendbar` command. Runs the bundled build (dist/headless, from `npm run build`) while it is newer than every
// source file, else the TypeScript sources through Node's built-in type stripping.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { headlessBundle, headlessSources, isFresh } from './freshness.js';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`spendbar needs Node.js 22.13 or newer (for node:sqlite); this is ${process.version}.\n`);
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = headlessBundle(root);
const sources = headlessSources(root).filter((d) => existsSync(d));
// An installed package without sources runs its bundle; a checkout runs it only while no source is newer.
const bundleIsFresh = () => existsSync(bundle) && (sources.length === 0 || isFresh(bundle, sources));

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
