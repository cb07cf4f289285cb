#!/usr/bin/env node
// The `spendbar` command. Runs the TypeScript sources with Node's built-in type stripping.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`spendbar needs Node.js 22.13 or newer (for node:sqlite); this is ${process.version}.\n`);
  process.exit(1);
}
if (!process.features?.typescript) {
  // Node 22.13–22.17 strips types only behind a flag: run again with it.
  const r = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const { main } = await import('../electron/core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
