// bin/spendbar.js runs the headless bundle only while it is newer than every source: a stale bundle must never run.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFresh, newestMtime } from '../../bin/freshness.js';

describe('build freshness', () => {
  it('is fresh only while no source file, however deep, is newer than the output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spendbar-fresh-'));
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    const out = join(dir, 'out.mjs');
    const deep = join(dir, 'src', 'deep', 'a.ts');
    writeFileSync(deep, 'x');
    writeFileSync(out, 'y');
    utimesSync(deep, 1000, 1000);
    utimesSync(out, 2000, 2000);
    expect(newestMtime(join(dir, 'src'))).toBe(1_000_000);
    expect(isFresh(out, [join(dir, 'src')])).toBe(true);
    utimesSync(deep, 3000, 3000);
    expect(isFresh(out, [join(dir, 'src')])).toBe(false);
    expect(isFresh(join(dir, 'missing.mjs'), [join(dir, 'src')])).toBe(false);
  });
});
