// After a burst of work the core gives memory back once, a little after the last of it; nothing ticks meanwhile.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDLE_TRIM_QUIET_MS, idleTrim, releaseIdleMemory } from '../../electron/core/idle-trim.ts';

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
