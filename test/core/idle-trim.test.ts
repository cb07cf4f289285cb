// After a burst of work the core gives memory back once, a little after the last of it; nothing ticks meanwhile.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { HEAP_GROWTH_WORTH_COLLECTING, IDLE_TRIM_QUIET_MS, heapSettler, idleTrim, releaseIdleMemory } from '../../electron/core/idle-trim.ts';

afterEach(() => vi.useRealTimers());

describe('idleTrim', () => {
  it('trims once after a burst, when it has been quiet long enough, and arms nothing before work', async () => {
    vi.useFakeTimers();
    const trim = vi.fn();
    const t = idleTrim({ trim });
    expect(vi.getTimerCount()).toBe(0);
    for (let i = 0; i < 20; i++) {
      t.poke();
      await vi.advanceTimersByTimeAsync(IDLE_TRIM_QUIET_MS / 2);
    }
    expect(trim).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(IDLE_TRIM_QUIET_MS);
    expect(trim).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
    t.poke();
    t.stop();
    await vi.advanceTimersByTimeAsync(IDLE_TRIM_QUIET_MS * 2);
    expect(trim).toHaveBeenCalledTimes(1);
  });

  it('survives a trim that throws, and trims again after the next burst', async () => {
    vi.useFakeTimers();
    const trim = vi.fn(() => {
      throw new Error('database is locked');
    });
    const t = idleTrim({ trim, quietMs: 100 });
    t.poke();
    await vi.advanceTimersByTimeAsync(150);
    t.poke();
    await vi.advanceTimersByTimeAsync(150);
    expect(trim).toHaveBeenCalledTimes(2);
  });
});

describe('releaseIdleMemory', () => {
  it("shrinks a real database's cache and leaves its data readable; a closed one is skipped", () => {
    const db = new DatabaseSync(join(mkdtempSync(join(tmpdir(), 'spendbar-trim-')), 'x.db'));
    db.exec('CREATE TABLE t (v TEXT); INSERT INTO t SELECT hex(randomblob(200)) FROM (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5000) SELECT n FROM c)');
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 5000 });
    releaseIdleMemory(db);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 5000 });
    db.close();
    expect(() => releaseIdleMemory(db)).not.toThrow();
  });
});

describe('heapSettler', () => {
  it('collects (memory-reducing) only when the heap grew enough since the last time, and never without gc', () => {
    let size = 50 * 2 ** 20;
    const calls: unknown[] = [];
    const settle = heapSettler({ heapSize: () => size, collect: (o) => { calls.push(o); size = 60 * 2 ** 20; } });
    size += HEAP_GROWTH_WORTH_COLLECTING - 1;
    expect(settle()).toBe(false);
    size += 1;
    expect(settle()).toBe(true);
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    // Measured from where that collection left it (60 MB), not from the start.
    size = 60 * 2 ** 20 + HEAP_GROWTH_WORTH_COLLECTING - 1;
    expect(settle()).toBe(false);
    expect(heapSettler({ collect: null, heapSize: () => 1e12 })()).toBe(false);
  });

  it("gives a burst's heap back in a real V8 (with --expose-gc, as serve starts)", () => {
    const script = `
      const { heapSettler } = await import(${JSON.stringify(new URL('../../electron/core/idle-trim.ts', import.meta.url).href)});
      const { getHeapStatistics } = await import('node:v8');
      const settle = heapSettler();
      let keep = Array.from({ length: 400000 }, (_, i) => ({ i, s: 'row ' + i + ' '.repeat(40) }));
      const grown = getHeapStatistics().total_heap_size;
      keep = null;
      const collected = settle();
      console.log(JSON.stringify({ grown, collected, after: getHeapStatistics().total_heap_size }));`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const r = JSON.parse(out) as { grown: number; collected: boolean; after: number };
    expect(r.collected).toBe(true);
    expect(r.after).toBeLessThan(r.grown / 2);
  });
});
