// What only some uses need must not load when `spendbar serve` starts: each of these costs megabytes of memory in a
// process that mostly waits. Walks the static imports from the CLI's entry (type-only imports and import() excluded)
// and checks none of them reaches a lazily loaded package or module.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Module specifiers imported at load time by a TypeScript file (not `import type`, not `import()`). */
export function staticImports(source: string): string[] {
  const out: string[] = [];
  // `import x from 'y'`, `import { a } from 'y'`, `import 'y'`, `export { a } from 'y'`, over several lines.
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) {
    if (m[2]) continue;
    if (m[1] === 'export' && !m[3]) continue;
    // `import { type A, type B } from` is type-only as well.
    if (m[3] && /^\{\s*(type\s+[\w$]+\s*,?\s*)+\}\s+from\s+$/.test(m[3])) continue;
    out.push(m[4] as string);
  }
  return out;
}

function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) walk(join(dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
    }
  };
  walk(entry);
  return { files, packages };
}

describe('what spendbar serve loads at start', () => {
  it('reads static imports and skips type-only and dynamic ones', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "import { type C, type D } from './c.ts';",
      "import {\n  e,\n  type F,\n} from 'pkg-e';",
      "export { g } from './g.ts';",
      "export type { H } from './h.ts';",
      "const i = await import('./i.ts');",
      "import './side-effect.ts';",
    ].join('\n');
    expect(staticImports(src)).toEqual(['./a.ts', 'pkg-e', './g.ts', './side-effect.ts']);
  });

  it('leaves conf, node-notifier, the tokenizer, the price table and the estimate to their first use', () => {
    const { files, packages } = reachable(join(ROOT, 'electron/core/cli/main.ts'));
    expect(files.size).toBeGreaterThan(50);
    // Loaded at start on purpose: the config and settings files are validated with zod.
    expect(packages).toContain('zod');
    for (const lazy of ['conf', 'node-notifier', 'gpt-tokenizer', '@pydantic/genai-prices']) expect(packages, lazy).not.toContain(lazy);
    const rel = [...files].map((f) => f.slice(ROOT.length + 1));
    for (const lazy of ['electron/core/estimate/service.ts', 'electron/core/estimate/tokenizer.ts', 'electron/core/estimate/bpe.ts']) {
      expect(rel, lazy).not.toContain(lazy);
    }
  });
});
