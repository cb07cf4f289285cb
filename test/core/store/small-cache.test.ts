// The one-off history scans (counter fill, retention) run with a small page cache and give the store its usual one
// back afterwards, also when they fail.
import { describe, expect, it } from 'vitest';
import { SMALL_CACHE_KIB, withSmallCache } from '../../../electron/core/store/small-cache.ts';
import { ensureMetricsTotals } from '../../../electron/core/store/metrics-totals.ts';
import { openStore, tempDbPath } from './helpers.ts';

const cacheSize = (store: ReturnType<typeof openStore>) => (store.db.prepare('PRAGMA cache_size').get() as { cache_size: number }).cache_size;

describe('withSmallCache', () => {
  it('runs with a small cache and restores the store’s own afterwards, on success and on error', () => {
    const store = openStore({}, tempDbPath());
    const usual = cacheSize(store);
    expect(usual).toBe(-16384);
    expect(withSmallCache(store.db, () => cacheSize(store))).toBe(-SMALL_CACHE_KIB);
    expect(cacheSize(store)).toBe(usual);
    expect(() =>
      withSmallCache(store.db, () => {
        throw new Error('scan failed');
      }),
    ).toThrow('scan failed');
    expect(cacheSize(store)).toBe(usual);
  });

  it('is what the /metrics counters’ fill runs under', () => {
    const store = openStore({}, tempDbPath());
    const execs: string[] = [];
    const db = new Proxy(store.db, {
      get(target, name) {
        if (name === 'exec') return (sql: string) => (execs.push(sql.trim().slice(0, 40)), target.exec(sql));
        const v = Reflect.get(target, name) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    ensureMetricsTotals(db);
    const small = execs.indexOf(`PRAGMA cache_size = -${SMALL_CACHE_KIB}`);
    const fill = execs.findIndex((e) => e.startsWith('CREATE TABLE metrics_usage'));
    const restore = execs.indexOf('PRAGMA cache_size = -16384');
    expect(small).toBeGreaterThanOrEqual(0);
    expect(fill).toBeGreaterThan(small);
    expect(restore).toBeGreaterThan(fill);
    expect(cacheSize(store)).toBe(-16384);
  });
});
