import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../shared/domain.ts';
import { bucket, DAY, failedSnapshot, HOUR, okSnapshot, openStore } from './helpers.ts';

const T0 = Date.UTC(2026, 2, 2, 9);

function full(): Snapshot {
  return {
    accountId: 'ds-main',
    provider: 'deepseek',
    time: T0,
    ok: true,
    error: null,
    balance: { micros: 110_000_000, currency: 'CNY' },
    balances: [
      { micros: 110_000_000, currency: 'CNY' },
      { micros: 2_500_000, currency: 'USD' },
    ],
    spent: {
      today: { micros: 1_234_567, currency: 'CNY' },
      week: { micros: 5_000_000, currency: 'CNY' },
      month: { micros: 20_000_000, currency: 'CNY' },
      total: { micros: 99_000_000, currency: 'CNY' },
    },
    quota: {
      limit: { micros: 500_000_000, currency: 'QUOTA' },
      used: { micros: 120_000_000, currency: 'QUOTA' },
      remaining: { micros: 380_000_000, currency: 'QUOTA' },
      resets: 'monthly',
      expiresAt: T0 + 30 * DAY,
    },
    usage: [],
    estimated: true,
    notes: ['USD balance converted at 7.2 CNY/USD', 'This key cannot read per-model usage'],
    available: true,
    demo: true,
  };
}

describe('snapshots', () => {
  it('returns exactly what was saved (usage is kept in the usage tables, so it comes back empty)', () => {
    const store = openStore();
    const s = { ...full(), usage: [bucket(T0 - HOUR)] };
    store.saveSnapshot(s);
    expect(store.latest('ds-main')).toEqual({ ...s, usage: [] });
    expect(store.lastSuccess('ds-main')).toEqual({ ...s, usage: [] });
    const row = store.db.prepare('SELECT * FROM snapshots').get() as Record<string, unknown>;
    expect(row).toMatchObject({
      account_id: 'ds-main',
      time: T0,
      ok: 1,
      balance_micros: 110_000_000,
      balance_currency: 'CNY',
      spent_today_micros: 1_234_567,
      spent_total_currency: 'CNY',
    });
  });

  it('keeps a failed poll as its own row without touching balances, usage or earlier good rows', () => {
    const store = openStore();
    const good = okSnapshot('acct', T0, { usage: [bucket(T0 - HOUR, { requests: 7 })] });
    store.saveSnapshot(good);
    const before = store.series({ metric: 'balance', bucket: 'hour', groupBy: 'account', from: T0 - DAY, to: T0 + DAY });
    const failed = { ...failedSnapshot('acct', T0 + 5 * 60_000), usage: [bucket(T0 - HOUR, { requests: 999 })] };
    store.saveSnapshot(failed);

    expect(store.latest('acct')).toEqual({ ...failed, usage: [] });
    expect(store.lastSuccess('acct')).toEqual({ ...good, usage: [] });
    const q = { metric: 'requests', bucket: 'hour', groupBy: 'none', from: T0 - DAY, to: T0 + DAY } as const;
    expect(store.series(q).series[0]?.points).toEqual([{ t: T0 - HOUR, v: 7 }]);
    expect(store.series({ metric: 'balance', bucket: 'hour', groupBy: 'account', from: T0 - DAY, to: T0 + DAY })).toEqual(before);
    expect(store.snapshots('acct', 0, T0 + DAY)).toHaveLength(2);
  });

  it('lists snapshots in [from, to), oldest first, optionally ok-only and limited to the newest n', () => {
    const store = openStore();
    const list = [0, 1, 2, 3, 4].map((i) => (i === 2 ? failedSnapshot('acct', T0 + i * HOUR) : okSnapshot('acct', T0 + i * HOUR)));
    store.saveSnapshots([...list, okSnapshot('other', T0)]);
    const times = (xs: Snapshot[]) => xs.map((s) => (s.time - T0) / HOUR);
    expect(times(store.snapshots('acct', T0, T0 + 4 * HOUR))).toEqual([0, 1, 2, 3]);
    expect(times(store.snapshots('acct', T0, T0 + 5 * HOUR, { okOnly: true }))).toEqual([0, 1, 3, 4]);
    expect(times(store.snapshots('acct', T0, T0 + 5 * HOUR, { limit: 2 }))).toEqual([3, 4]);
    expect(store.latest('nobody')).toBeNull();
    expect(store.lastSuccess('nobody')).toBeNull();
  });

  it('saves a batch in one transaction: a bad snapshot leaves none of the batch behind', () => {
    const store = openStore();
    const bad = okSnapshot('acct', T0 + HOUR, { usage: [bucket(T0, { requests: null as unknown as number })] });
    expect(() => store.saveSnapshots([okSnapshot('acct', T0, { usage: [bucket(T0)] }), bad])).toThrow();
    expect(store.latest('acct')).toBeNull();
    expect(store.usageCoverage('acct')).toBeNull();
    expect(store.db.prepare('SELECT count(*) AS n FROM usage_daily').get()).toEqual({ n: 0 });
    store.saveSnapshot(okSnapshot('acct', T0, { usage: [bucket(T0, { requests: 3 })] }));
    expect(store.totals({ groupBy: 'account', from: 0, to: T0 + DAY })[0]?.requests).toBe(3);
  });

  it('reports the start of the newest stored usage bucket per account', () => {
    const store = openStore();
    expect(store.usageCoverage('acct')).toBeNull();
    store.saveSnapshot(okSnapshot('acct', T0, { usage: [bucket(T0 - 3 * HOUR), bucket(T0 - HOUR), bucket(T0 - 2 * HOUR)] }));
    expect(store.usageCoverage('acct')).toBe(T0 - HOUR);
    // A later poll that only revises older buckets does not move coverage back.
    store.saveSnapshot(okSnapshot('acct', T0 + HOUR, { usage: [bucket(T0 - 3 * HOUR, { requests: 5 })] }));
    expect(store.usageCoverage('acct')).toBe(T0 - HOUR);
    expect(store.usageCoverage('other')).toBeNull();
  });

  it("deletes every trace of one account and nothing of another's", () => {
    const store = openStore();
    for (const id of ['gone', 'kept']) {
      store.saveSnapshot(okSnapshot(id, T0, { usage: [bucket(T0, { model: `${id}-model` })] }));
    }
    store.deleteAccount('gone');
    expect(store.latest('gone')).toBeNull();
    expect(store.usageCoverage('gone')).toBeNull();
    expect(store.filterValues().models).toEqual(['kept-model']);
    const q = { metric: 'balance', bucket: 'day', groupBy: 'account', from: T0 - DAY, to: T0 + DAY } as const;
    expect(store.series(q).series.map((s) => s.group)).toEqual(['kept']);
    for (const table of ['snapshots', 'usage_buckets', 'usage_daily', 'balance_hourly', 'usage_coverage']) {
      expect(store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE account_id = 'gone'`).get()).toEqual({ n: 0 });
      expect(store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE account_id = 'kept'`).get()).not.toEqual({ n: 0 });
    }
  });
});

describe('retention', () => {
  it('thins raw snapshots older than rawDays to the last ok one per account and hour, keeping usage', () => {
    const store = openStore();
    const now = T0 + 100 * DAY;
    const old = T0; // 100 days before now
    const list: Snapshot[] = [];
    // Hour 1: ok, ok, failed → keeps the second ok. Hour 2: failed, failed → keeps the last failed.
    list.push(okSnapshot('a', old + 5 * 60_000, { balance: { micros: 1, currency: 'USD' } }));
    list.push(okSnapshot('a', old + 20 * 60_000, { balance: { micros: 2, currency: 'USD' }, usage: [bucket(old, { requests: 4 })] }));
    list.push(failedSnapshot('a', old + 40 * 60_000));
    list.push(failedSnapshot('a', old + HOUR + 5 * 60_000));
    list.push(failedSnapshot('a', old + HOUR + 50 * 60_000));
    list.push(okSnapshot('b', old + 10 * 60_000));
    // Recent rows are untouched, however many.
    for (let i = 0; i < 4; i++) list.push(okSnapshot('a', now - DAY + i * 60_000));
    store.saveSnapshots(list);
    const usageBefore = store.totals({ groupBy: 'account', from: 0, to: now });

    expect(store.applyRetention(now, { rawDays: 90 })).toEqual({ removed: 3 });
    const kept = store.snapshots('a', 0, now).map((s) => [s.time, s.ok]);
    expect(kept).toEqual([
      [old + 20 * 60_000, true],
      [old + HOUR + 50 * 60_000, false],
      ...[0, 1, 2, 3].map((i) => [now - DAY + i * 60_000, true]),
    ]);
    expect(store.snapshots('b', 0, now)).toHaveLength(1);
    expect(store.totals({ groupBy: 'account', from: 0, to: now })).toEqual(usageBefore);
    expect(store.applyRetention(now, { rawDays: 90 })).toEqual({ removed: 0 });
  });

  it('thins on later runs what became old since, the hour the last run cut through, and older polls saved later', () => {
    const store = openStore();
    const M = 60_000;
    const H = T0 + 10 * DAY; // an hour start; the first run's cutoff is 20 minutes into it
    const at = (...ts: number[]) => ts.map((t) => okSnapshot('a', t));
    store.saveSnapshots(at(H + M, H + 2 * M, H + 3 * M, H + 30 * M, H + 31 * M, H + 32 * M, H + DAY, H + DAY + M, H + DAY + 2 * M));
    const now1 = H + 20 * M + 90 * DAY;
    expect(store.applyRetention(now1, { rawDays: 90 })).toEqual({ removed: 2 });
    // Two days later the rest of the hour the first run cut through, and the day after it, are old too.
    expect(store.applyRetention(now1 + 2 * DAY, { rawDays: 90 })).toEqual({ removed: 5 });
    const times = () => store.snapshots('a', 0, now1 + 2 * DAY).map((x) => x.time);
    expect(times()).toEqual([H + 32 * M, H + DAY + 2 * M]);
    // Polls saved later with older times: the next run thins their hours again, keeping the last ok one.
    store.saveSnapshots(at(H + 40 * M, H - 50 * DAY));
    expect(store.applyRetention(now1 + 2 * DAY, { rawDays: 90 })).toEqual({ removed: 1 });
    expect(times()).toEqual([H - 50 * DAY, H + 40 * M, H + DAY + 2 * M]);
    expect(store.applyRetention(now1 + 2 * DAY, { rawDays: 90 })).toEqual({ removed: 0 });
  });

  it('defaults to 90 days', () => {
    const store = openStore();
    const now = T0 + 200 * DAY;
    store.saveSnapshots([0, 1, 2].map((i) => okSnapshot('a', now - 91 * DAY + i * 60_000)));
    store.saveSnapshots([0, 1, 2].map((i) => okSnapshot('a', now - 89 * DAY + i * 60_000)));
    expect(store.applyRetention(now)).toEqual({ removed: 2 });
    expect(store.snapshots('a', 0, now)).toHaveLength(4);
  });
});
