import { describe, expect, it } from 'vitest';
import { RequestBudget, type BudgetPool } from '../../electron/core/request-budget.ts';

const POOL: BudgetPool = { name: 'critical', limit: 3, windowMs: 1_200_000 };

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RequestBudget', () => {
  it('allows `limit` requests in any sliding window, per host', () => {
    const c = clock();
    const b = new RequestBudget({ now: c.now });
    expect([b.take('a.test', POOL), b.take('a.test', POOL), b.take('a.test', POOL)]).toEqual([true, true, true]);
    expect(b.take('a.test', POOL)).toBe(false);
    // Another host has its own counter.
    expect(b.take('b.test', POOL)).toBe(true);
    expect(b.nextAvailable('a.test', POOL)).toBe(1_000_000 + 1_200_000);
    c.advance(1_199_999);
    expect(b.take('a.test', POOL)).toBe(false);
    c.advance(1);
    // All three were taken at once, so all three left the window together.
    expect([b.take('a.test', POOL), b.take('a.test', POOL), b.take('a.test', POOL), b.take('a.test', POOL)]).toEqual([true, true, true, false]);
  });

  it('slides: a slot frees exactly one window after it was taken', () => {
    const c = clock();
    const b = new RequestBudget({ now: c.now });
    b.take('h', POOL);
    c.advance(600_000);
    b.take('h', POOL);
    b.take('h', POOL);
    expect(b.take('h', POOL)).toBe(false);
    c.advance(600_000);
    expect(b.take('h', POOL)).toBe(true); // the first one left the window
    expect(b.take('h', POOL)).toBe(false);
  });

  it('spaces one caller so it cannot take every slot back to back', () => {
    const c = clock();
    const b = new RequestBudget({ now: c.now });
    expect(b.take('h', POOL, { by: 'acct-1', minSpacingMs: 600_000 })).toBe(true);
    expect(b.take('h', POOL, { by: 'acct-1', minSpacingMs: 600_000 })).toBe(false);
    expect(b.take('h', POOL, { by: 'acct-2', minSpacingMs: 600_000 })).toBe(true);
    c.advance(600_000);
    expect(b.take('h', POOL, { by: 'acct-1', minSpacingMs: 600_000 })).toBe(true);
  });

  it('after a 429 takes nothing until Retry-After, or for a whole window when the host did not say', () => {
    const c = clock();
    const b = new RequestBudget({ now: c.now });
    expect(b.block('h', POOL, 30_000)).toBe(1_000_000 + 30_000);
    expect(b.take('h', POOL)).toBe(false);
    expect(b.nextAvailable('h', POOL)).toBe(1_000_000 + 30_000);
    c.advance(30_000);
    expect(b.take('h', POOL)).toBe(true);

    const empty = new RequestBudget({ now: c.now });
    const until = empty.block('h', POOL);
    expect(until).toBe(c.now() + POOL.windowMs);
    c.advance(POOL.windowMs - 1);
    expect(empty.take('h', POOL)).toBe(false);
    c.advance(1);
    expect(empty.take('h', POOL)).toBe(true);
  });

  it('shares one answer per host: a fresh value is reused and a running load is joined, failures are not kept', async () => {
    const c = clock();
    const b = new RequestBudget({ now: c.now });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return loads;
    };
    const [x, y] = await Promise.all([b.once('h', 'status', 60_000, load), b.once('h', 'status', 60_000, load)]);
    expect([x, y, loads]).toEqual([1, 1, 1]);
    expect(await b.once('h', 'status', 60_000, load)).toBe(1);
    expect(await b.once('other', 'status', 60_000, load)).toBe(2);
    c.advance(60_000);
    expect(await b.once('h', 'status', 60_000, load)).toBe(3);
    await expect(b.once('h', 'broken', 60_000, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await b.once('h', 'broken', 60_000, async () => 'up')).toBe('up');
    b.forget('h', 'status');
    expect(await b.once('h', 'status', 60_000, load)).toBe(4);
  });

  it('lets an older answer stand in, within staleMs, while the host fails', async () => {
    const c = clock();
    const b = new RequestBudget({ now: c.now });
    expect(await b.once('h', 's', 1_000, async () => 'v1')).toBe('v1');
    c.advance(5_000);
    const fail = () => Promise.reject(new Error('503'));
    expect(await b.once('h', 's', 1_000, fail, { staleMs: 10_000 })).toBe('v1');
    await expect(b.once('h', 's', 1_000, fail)).rejects.toThrow('503');
    c.advance(10_000);
    await expect(b.once('h', 's', 1_000, fail, { staleMs: 10_000 })).rejects.toThrow('503');
  });
});
