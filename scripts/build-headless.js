#!/usr/bin/env node
// Bundles the headless CLI (`spendbar poll|serve`) into dist/headless/spendbar.mjs. Running the bundle instead of
// the TypeScript sources saves Node's type-stripping compiler (~30 MB of resident memory) in a long-running
// `spendbar serve`. bin/spendbar.js uses it only while it is newer than every source file.
import { build } from 'vite';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Node's built-in modules reached through `process.getBuiltinModule()` instead of `import`. An ES import of a
 * built-in makes Node fill in every export of it, lazy ones included: `import { createServer } from 'node:http'`
 * loads undici (for `http.WebSocket`), http2, TLS and perf_hooks, ~10 MB resident in a process that uses none of
 * them. Each export is a pure read (`/* @__PURE__ *\/`), so the bundle keeps only the ones something imports and
 * reads them when it starts: `util.diff`, `util.styleText` or `fs.Dir` load their own modules when read (worker
 * threads, the assert diff, ~1 MB), and whether a property is still lazy cannot be told in this process, where Vite
 * has already read many of them.
 */
export function builtinsWithoutImport() {
  const prefix = '\0spendbar-builtin:';
  return {
    name: 'spendbar-builtins-without-import',
    enforce: 'pre',
    resolveId(id) {
      if (!id.startsWith('node:')) return null;
      return { id: prefix + id, moduleSideEffects: false };
    },
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const name = id.slice(prefix.length);
      const mod = process.getBuiltinModule(name);
      if (!mod) throw new Error(`${name} is not a Node built-in module`);
      const names = Object.keys(mod).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
      return [
        `const builtin$ = process.getBuiltinModule(${JSON.stringify(name)});`,
        'const read$ = (key) => builtin$[key];',
        'export default builtin$;',
        ...names.map((k) => `export const ${k} = /* @__PURE__ */ read$(${JSON.stringify(k)});`),
      ].join('\n');
    },
  };
}

export async function buildHeadless() {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    plugins: [builtinsWithoutImport()],
    ssr: { noExternal: ['zod', '@hyperjump/json-pointer', '@jmespath-community/jmespath'] },
    build: {
      ssr: join(root, 'electron/core/cli/main.ts'),
      outDir: join(root, 'dist/headless'),
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      sourcemap: false,
      // ASCII and without comments or indentation (names kept, nothing rewritten): V8 keeps a module's whole source
      // in the heap, and one non-ASCII character makes it two bytes per character — 1.9 MB instead of 0.7.
      rollupOptions: {
        output: {
          format: 'es',
          entryFileNames: 'spendbar.mjs',
          charset: 'ascii',
          minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
        },
      },
    },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildHeadless();
