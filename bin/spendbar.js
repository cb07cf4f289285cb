#!/usr/bin/env node
// The `spendbar` command. Runs on Node >= 22.13: an older Node hands over to the one `npm install` brought.
// `serve` first builds the dashboard and the headless bundle when they are missing or stale. Then it runs the
// bundle (dist/headless) while it is newer than every source file, else the TypeScript sources through Node's
// built-in type stripping.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { headlessBundle, headlessSources, isFresh } from './freshness.js';
import { builtin } from './builtin.js';
import { SERVE_MALLOC_ENV, bundledNode, handOver, isSupportedNode, missingFlags, oldNodeMessage, restartWithFlags, serveNodeFlags } from './runtime.js';

const { existsSync } = builtin('node:fs');
const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const args = process.argv.slice(2);

async function run() {
  // `serve` runs for days: it starts with V8 flags that keep it small while idle (see SERVE_NODE_FLAGS).
  const flags = args[0] === 'serve' ? missingFlags(serveNodeFlags()) : [];
  if (!isSupportedNode(process.versions.node)) {
    const node = bundledNode(root);
    if (node && node !== process.execPath) return handOver(node, [...flags, self, ...args], flags.length ? { ...SERVE_MALLOC_ENV, ...process.env } : process.env);
    process.stderr.write(`${oldNodeMessage(process.version)}\n`);
    process.exit(1);
  }
  if (restartWithFlags(flags, self, args)) return;
  if (args[0] === 'serve') {
    const { ensureBuilt } = await import('./dashboard.js');
    const built = ensureBuilt(root);
    if (built.error) {
      process.stderr.write(`spendbar: ${built.error}\n`);
      process.exit(1);
    }
  }
  const bundle = headlessBundle(root);
  const sources = headlessSources(root).filter((d) => existsSync(d));
  // An installed package without sources runs its bundle; a checkout runs it only while no source is newer.
  if (existsSync(bundle) && (sources.length === 0 || isFresh(bundle, sources))) return start(pathToFileURL(bundle).href);
  // Node 22.13–22.17 strips types only behind a flag: run again with it.
  if (!process.features?.typescript) return handOver(process.execPath, ['--experimental-strip-types', '--no-warnings', ...missingFlags(flags), self, ...args]);
  return start('../electron/core/cli/main.ts');
}

async function start(entry) {
  const { main } = await import(entry);
  process.exitCode = await main(args);
}

await run();
