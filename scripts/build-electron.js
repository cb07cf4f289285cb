#!/usr/bin/env node
// Bundles the Electron main process and preload into dist-electron/ with Vite's build API:
//   main.js      ESM, everything bundled but `electron`, Node built-ins and node-notifier (which ships
//                native helper binaries it finds next to itself, so it stays in node_modules);
//   preload.cjs  one CommonJS file, because a sandboxed preload can require nothing but `electron`;
//   assets/      the tray icons.
// The renderer is built separately by vite.config.ts into dist/renderer.
import { cpSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT_DIR = join(root, 'dist-electron');

const base = {
  configFile: false,
  envDir: false,
  root,
  publicDir: false,
  logLevel: 'warn',
  clearScreen: false,
};

function nodeBuild(entry, { format, fileName, external, outDir }) {
  return build({
    ...base,
    ssr: { noExternal: true, external },
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: false,
      target: 'node22',
      minify: false,
      sourcemap: true,
      copyPublicDir: false,
      rolldownOptions: {
        external: (id) => external.includes(id) || id.startsWith('node:'),
        output: { format, entryFileNames: fileName, codeSplitting: false },
      },
    },
  });
}

/** Fails the build if the preload would need anything the sandbox cannot give it. */
export function checkPreload(code) {
  const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  const foreign = required.filter((id) => id !== 'electron');
  if (foreign.length > 0) throw new Error(`preload.cjs requires ${foreign.join(', ')}: a sandboxed preload may require only electron`);
  if (/^\s*(import|export)\s/m.test(code)) throw new Error('preload.cjs is not CommonJS');
}

/** Builds `parts` (main, preload, assets; all by default) into `outDir` (dist-electron by default). */
export async function buildElectron({ outDir = DEFAULT_OUT_DIR, parts = ['main', 'preload', 'assets'] } = {}) {
  if (parts.includes('main')) {
    await nodeBuild('electron/main.ts', { format: 'es', fileName: 'main.js', external: ['electron', 'node-notifier'], outDir });
  }
  if (parts.includes('preload')) {
    await nodeBuild('electron/preload.ts', { format: 'cjs', fileName: 'preload.cjs', external: ['electron'], outDir });
    checkPreload(readFileSync(join(outDir, 'preload.cjs'), 'utf8'));
  }
  if (parts.includes('assets')) cpSync(join(root, 'electron', 'assets'), join(outDir, 'assets'), { recursive: true });
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildElectron().then(
    (dir) => console.log(`built the Electron main process and preload into ${dir}`),
    (err) => {
      console.error(`build-electron: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}
