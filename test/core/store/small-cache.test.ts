// The one-off history scans (counter fill, retention) run with a small page cache and give the store its usual one
// back afterwards, also when they fail; the counter fill runs on a connection of its own, closed when done.
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { onOwnConnection, SMALL_CACHE_KIB, withSmallCache } from '../../../electron/core/store/small-cache.ts';
import { ensureMetricsTotals, METRICS_TOTALS_STEPS, metricsTotalsInPlace } from '../../../electron/core/store/metrics-totals.ts';
import { ensureProxyTables } from '../../../electron/core/proxy/tables.ts';
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

describe('onOwnConnection', () => {
  it('runs on a second connection to the same file, closed afterwards, whose writes the store sees', () => {
    const store = openStore({}, tempDbPath());
    let used: DatabaseSync | null = null;
    const got = onOwnConnection(store.db, (own) => {
      used = own;
      own.exec('CREATE TABLE made_elsewhere (x INTEGER); INSERT INTO made_elsewhere VALUES (7)');
      return 'done';
    });
    expect(got).toBe('done');
    expect(used === store.db).toBe(false);
    expect(() => (used as unknown as DatabaseSync).exec('SELECT 1')).toThrow(/not open/i);
    expect(store.db.prepare('SELECT x FROM made_elsewhere').get()).toEqual({ x: 7 });
  });

  it('closes the connection when the work fails', () => {
    const store = openStore({}, tempDbPath());
    let used: DatabaseSync | null = null;
    expect(() => onOwnConnection(store.db, (own) => { used = own; throw new Error('fill failed'); })).toThrow('fill failed');
    expect(() => (used as unknown as DatabaseSync).exec('SELECT 1')).toThrow(/not open/i);
  });

  it('an in-memory database, or one in a transaction, runs the work on itself', () => {
    const memory = new DatabaseSync(':memory:');
    expect(onOwnConnection(memory, (db) => db)).toBe(memory);
    const store = openStore({}, tempDbPath());
    store.db.exec('BEGIN');
    expect(onOwnConnection(store.db, (db) => db)).toBe(store.db);
    store.db.exec('ROLLBACK');
  });
});

describe('metricsTotalsInPlace', () => {
  it('says when a fill is due, and how far the tables are when none is', () => {
    const store = openStore({}, tempDbPath());
    // Not made before the first /metrics (or serve's start): a fill is due on a fresh file.
    expect(metricsTotalsInPlace(store.db)).toBeNull();
    store.prepareMetricsTotals();
    const after = metricsTotalsInPlace(store.db);
    // Usage counters made; the metered ones wait for the proxy's table.
    expect(after).toBe(METRICS_TOTALS_STEPS - 1);
    ensureProxyTables(store.db);
    expect(metricsTotalsInPlace(store.db)).toBeNull();
    store.prepareMetricsTotals();
    expect(metricsTotalsInPlace(store.db)).toBe(METRICS_TOTALS_STEPS);
    expect(ensureMetricsTotals(store.db)).toBe(METRICS_TOTALS_STEPS);
  });
});
