// The headless bundle reaches Node's built-ins through process.getBuiltinModule, and reads only the exports something
// imports: a read of an unused one (util.diff, util.styleText, fs.Dir) would load its module into every serve.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinsWithoutImport } from '../../scripts/build-headless.js';

const dir = mkdtempSync(join(tmpdir(), 'spendbar-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(source: string): Promise<string> {
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, source);
  await build({
    configFile: false,
    root: dir,
    logLevel: 'silent',
    plugins: [builtinsWithoutImport()],
    build: { ssr: entry, outDir: join(dir, 'out'), emptyOutDir: true, target: 'node22', minify: false, rollupOptions: { output: { format: 'es', entryFileNames: 'out.mjs' } } },
  });
  return join(dir, 'out', 'out.mjs');
}

describe('the headless bundle and Node built-ins', () => {
  it('reads only the imported exports, so an unused lazy one loads nothing', async () => {
    // `parseArgs` is the only util export used; util.diff (the assert diff) and util.MIMEType are left unread.
    const out = await bundle(
      [
        "import { parseArgs } from 'node:util';",
        "import { existsSync } from 'node:fs';",
        "const { values } = parseArgs({ args: ['--x'], options: { x: { type: 'boolean' } } });",
        "const loaded = process.moduleLoadList.map((m) => m.replace('NativeModule ', ''));",
        "console.log(JSON.stringify({ x: values.x, exists: existsSync('/'), loaded }));",
      ].join('\n'),
    );
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/\bimport\b[^(]*['"]node:/);
    expect(text).toMatch(/process\.getBuiltinModule\(["`]node:util["`]\)/);
    expect(text).not.toMatch(/["`](diff|MIMEType)["`]/);
    const r = spawnSync(process.execPath, [out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const { x, exists, loaded } = JSON.parse(r.stdout) as { x: boolean; exists: boolean; loaded: string[] };
    expect({ x, exists }).toEqual({ x: true, exists: true });
    for (const lazy of ['internal/util/diff', 'worker_threads', 'internal/fs/dir', 'internal/util/colors']) expect(loaded, lazy).not.toContain(lazy);
  }, 60_000);

  it('default and namespace imports still get the whole module', async () => {
    const out = await bundle(["import path from 'node:path';", "import * as os from 'node:os';", 'console.log(path.join("a", "b"), typeof os.homedir);'].join('\n'));
    const r = spawnSync(process.execPath, [out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`${join('a', 'b')} function`);
  }, 60_000);
});
