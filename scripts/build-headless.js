#!/usr/bin/env node
// Bundles the headless CLI (`spendbar poll|serve`) into dist/headless/spendbar.mjs. Running the bundle instead of
// the TypeScript sources saves Node's type-stripping compiler (~30 MB of resident memory) in a long-running
// `spendbar serve`. bin/spendbar.js uses it only while it is newer than every source file.
import { build } from 'vite';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildHeadless() {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: join(root, 'electron/core/cli/main.ts'),
      outDir: join(root, 'dist/headless'),
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      sourcemap: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'spendbar.mjs' } },
    },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildHeadless();
