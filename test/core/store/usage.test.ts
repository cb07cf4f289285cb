import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { SeriesQuery, UsageBucket } from '../../../shared/domain.ts';
import type { SnapshotStore } from '../../../electron/core/store/index.ts';
import { bucketStart } from '../../../electron/core/store/index.ts';
import { bucket, DAY, HOUR, okSnapshot, openStore, rng, tempDbPath } from './helpers.ts';

const T0 = Date.UTC(2026, 3, 6); // a Monday, midnight UTC

/** Day-aligned: answered from the daily roll-up. */
const dailyQ = (over: Partial<SeriesQuery> = {}): SeriesQuery => ({
  metric: 'requests',
  bucket: 'day',
  groupBy: 'none',
  from: T0,
  to: T0 + 3 * DAY,
  ...over,
});

function rollupRows(store: SnapshotStore): unknown[] {
  return store.db.prepare('SELECT * FROM usage_daily ORDER BY day, account_id, model, key, currency').all();
}

function recomputedRollup(store: SnapshotStore): unknown[] {
  return store.db
    .prepare(
      `SELECT start - start % ${DAY} AS day, account_id, model, key, currency, count(*) AS n, sum(requests) AS requests,
         sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cached_tokens) AS cached_tokens,
         sum(reasoning_tokens) AS reasoning_tokens, coalesce(sum(cost_micros), 0) AS cost_micros,
         count(cost_micros) AS cost_n
       FROM usage_buckets GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    )
    .all();
}

describe('usage upserts', () => {
  it('replaces a revised bucket instead of adding to it, in raw and roll-up answers', () => {
    const store = openStore();
    for (let i = 1; i <= 12; i++) {
      // A poll every 5 minutes re-reports the current hour, growing.
      store.saveSnapshot(okSnapshot('a', T0 + i * 5 * 60_000, { usage: [bucket(T0, { requests: i, cost: { micros: i * 100, currency: 'USD' } })] }));
    }
    store.saveSnapshot(okSnapshot('a', T0 + HOUR, { usage: [bucket(T0, { requests: 12, cost: { micros: 1200, currency: 'USD' } })] }));
    const hourly = store.series({ ...dailyQ(), bucket: 'hour', from: T0, to: T0 + 2 * HOUR });
    const daily = store.series(dailyQ());
    const cost = store.series(dailyQ({ metric: 'cost' }));
    expect(hourly.series[0]?.points).toEqual([{ t: T0, v: 12 }]);
    expect(daily.series[0]?.points).toEqual([{ t: T0, v: 12 }]);
    expect(cost.series).toEqual([{ group: 'all', currency: 'USD', points: [{ t: T0, v: 1200 }] }]);
    expect(store.totals({ groupBy: 'model', from: T0, to: T0 + DAY })).toMatchObject([{ group: 'gpt-x', requests: 12, costMicros: 1200 }]);
    expect(store.totals({ groupBy: 'model', from: T0 - 1, to: T0 + DAY + 1 })).toMatchObject([{ requests: 12 }]);
    expect(store.totals({ groupBy: 'model', from: T0 + 1, to: T0 + DAY })).toEqual([]);
    expect(rollupRows(store)).toEqual(recomputedRollup(store));
  });

  it('revises a bucket many times within one batch and still counts it once', () => {
    const store = openStore();
    const snaps = [3, 9, 5].map((r, i) => okSnapshot('a', T0 + i * 60_000, { usage: [bucket(T0, { requests: r })] }));
    store.saveSnapshots(snaps);
    expect(store.series(dailyQ()).series[0]?.points).toEqual([{ t: T0, v: 5 }]);
    expect(rollupRows(store)).toEqual(recomputedRollup(store));
  });

  it('moves a bucket between currencies cleanly when a revision changes its cost currency', () => {
    const store = openStore();
    store.saveSnapshot(okSnapshot('a', T0, { usage: [bucket(T0, { cost: { micros: 500, currency: 'USD' } })] }));
    store.saveSnapshot(okSnapshot('a', T0 + 1, { usage: [bucket(T0, { cost: { micros: 3600, currency: 'CNY' } })] }));
    expect(store.series(dailyQ({ metric: 'cost' })).series).toEqual([{ group: 'all', currency: 'CNY', points: [{ t: T0, v: 3600 }] }]);
    expect(rollupRows(store)).toEqual(recomputedRollup(store));
    store.saveSnapshot(okSnapshot('a', T0 + 2, { usage: [bucket(T0, { cost: null })] }));
    expect(store.series(dailyQ({ metric: 'cost' })).series).toEqual([]);
    expect(store.series(dailyQ()).series[0]?.points).toEqual([{ t: T0, v: 1 }]);
    expect(store.totals({ groupBy: 'account', from: T0, to: T0 + DAY })).toMatchObject([{ group: 'a', costMicros: null }]);
    expect(rollupRows(store)).toEqual(recomputedRollup(store));
  });

  it('keeps buckets of different widths and keys apart', () => {
    const store = openStore();
    store.saveSnapshot(
      okSnapshot('a', T0, {
        usage: [bucket(T0, { width: 'day', requests: 10 }), bucket(T0, { requests: 1 }), bucket(T0, { key: 'k2', requests: 100 })],
      }),
    );
    expect(store.series(dailyQ()).series[0]?.points).toEqual([{ t: T0, v: 111 }]);
    expect(store.filterValues()).toEqual({ models: ['gpt-x'], keys: ['k2'] });
  });

  it('offers as filter values exactly the models and keys in usage, through revisions and removed accounts', () => {
    const store = openStore();
    const rand = rng(7);
    const direct = (col: string) =>
      (store.db.prepare(`SELECT DISTINCT ${col} AS v FROM usage_daily WHERE ${col} <> '' ORDER BY v`).all() as { v: string }[]).map((r) => r.v);
    for (let i = 0; i < 120; i++) {
      const account = `acct-${Math.floor(rand() * 4)}`;
      if (rand() < 0.08) store.deleteAccount(account);
      else {
        const usage = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
          bucket(T0 + Math.floor(rand() * 72) * HOUR, { model: `model-${Math.floor(rand() * 9)}`, key: rand() < 0.5 ? '' : `key-${Math.floor(rand() * 5)}`, requests: Math.floor(rand() * 4) }),
        );
        store.saveSnapshot(okSnapshot(account, T0 + i * HOUR, { usage }));
      }
      expect(store.filterValues()).toEqual({ models: direct('model'), keys: direct('key') });
    }
    expect(direct('model').length).toBeGreaterThan(3);
  });

  it('filter values are kept only until a write, this connection\'s or another\'s', () => {
    const file = tempDbPath();
    const store = openStore({}, file);
    store.saveSnapshot(okSnapshot('a', T0, { usage: [bucket(T0, { key: 'k1', requests: 1 })] }));
    const first = store.filterValues();
    expect(first).toEqual({ models: ['gpt-x'], keys: ['k1'] });
    first.keys.push('changed by the caller');
    expect(store.filterValues().keys).toEqual(['k1']);
    // Another process (a second serve, `spendbar poll`) writes through its own connection.
    const other = new DatabaseSync(file);
    other.exec('PRAGMA busy_timeout = 5000');
    const row = other.prepare('SELECT * FROM usage_daily LIMIT 1').get() as Record<string, SQLInputValue>;
    const cols = Object.keys(row);
    other.prepare(`INSERT INTO usage_daily (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => (c === 'key' ? 'k-elsewhere' : row[c]!)));
    other.close();
    expect(store.filterValues().keys).toEqual(['k-elsewhere', 'k1']);
  });

  it('matches a plain recomputation after many random revisions (raw, roll-up and mixed ranges)', () => {
    const store = openStore();
    const rand = rng(42);
    const latest = new Map<string, { account: string; b: UsageBucket }>();
    for (let poll = 0; poll < 60; poll++) {
      const account = `acct-${Math.floor(rand() * 3)}`;
      const usage: UsageBucket[] = [];
      for (let i = 0; i < 8; i++) {
        const start = T0 + Math.floor(rand() * 72) * HOUR;
        const currency = rand() < 0.2 ? 'CNY' : 'USD';
        const b = bucket(start, {
          model: `m${Math.floor(rand() * 3)}`,
          requests: Math.floor(rand() * 50),
          inputTokens: Math.floor(rand() * 5000),
          outputTokens: Math.floor(rand() * 900),
          cost: rand() < 0.1 ? null : { micros: Math.floor(rand() * 1e6), currency },
        });
        usage.push(b);
        latest.set(`${account}|${b.start}|${b.model}`, { account, b });
      }
      store.saveSnapshot(okSnapshot(account, T0 + poll * 60_000, { usage }));
    }
    expect(rollupRows(store)).toEqual(recomputedRollup(store));

    for (const [from, to] of [
      [T0, T0 + 3 * DAY],
      [T0 + 5 * HOUR + 7, T0 + 2 * DAY + 13 * HOUR],
    ] as const) {
      const expected = new Map<string, number>();
      for (const { account, b } of latest.values()) {
        if (b.start < from || b.start >= to || !b.cost) continue;
        const k = `${account}|${b.cost.currency}|${bucketStart('UTC', 'day', b.start)}`;
        expected.set(k, (expected.get(k) ?? 0) + b.cost.micros);
      }
      const got = new Map<string, number>();
      for (const s of store.series({ metric: 'cost', bucket: 'day', groupBy: 'account', from, to }).series) {
        for (const p of s.points) got.set(`${s.group}|${s.currency}|${p.t}`, p.v);
      }
      expect(got).toEqual(expected);
    }
  });
});

describe('series grouping, filters and currencies', () => {
  function seeded(): SnapshotStore {
    const store = openStore();
    store.saveSnapshots([
      okSnapshot('or', T0, {
        usage: [
          bucket(T0, { model: 'gpt', key: 'k1', requests: 1, cost: { micros: 100, currency: 'USD' } }),
          bucket(T0 + HOUR, { model: 'claude', key: 'k2', requests: 2, cost: { micros: 200, currency: 'USD' } }),
        ],
      }),
      okSnapshot('ds', T0, {
        usage: [
          bucket(T0, { model: 'deepseek-chat', requests: 4, inputTokens: 1000, outputTokens: 300, cost: { micros: 4000, currency: 'CNY' } }),
          bucket(T0 + DAY, { model: 'gpt', requests: 8, cost: null }),
        ],
      }),
    ]);
    return store;
  }

  it('groups by account, model, key or nothing', () => {
    const store = seeded();
    const groups = (groupBy: SeriesQuery['groupBy']) =>
      store.series(dailyQ({ groupBy })).series.map((s) => [s.group, s.points.map((p) => [(p.t - T0) / DAY, p.v])]);
    expect(groups('account')).toEqual([
      ['ds', [[0, 4], [1, 8]]],
      ['or', [[0, 3]]],
    ]);
    expect(groups('model')).toEqual([
      ['claude', [[0, 2]]],
      ['deepseek-chat', [[0, 4]]],
      ['gpt', [[0, 1], [1, 8]]],
    ]);
    expect(groups('key')).toEqual([
      ['', [[0, 4], [1, 8]]],
      ['k1', [[0, 1]]],
      ['k2', [[0, 2]]],
    ]);
    expect(groups('none')).toEqual([['all', [[0, 7], [1, 8]]]]);
  });

  it('never merges currencies: one cost series per currency, tokens summed across them', () => {
    const store = seeded();
    expect(store.series(dailyQ({ metric: 'cost' })).series).toEqual([
      { group: 'all', currency: 'CNY', points: [{ t: T0, v: 4000 }] },
      { group: 'all', currency: 'USD', points: [{ t: T0, v: 300 }] },
    ]);
    const tokens = store.series(dailyQ({ metric: 'totalTokens' })).series;
    expect(tokens).toEqual([{ group: 'all', points: [{ t: T0, v: 1300 + 2 * 150 }, { t: T0 + DAY, v: 150 }] }]);
  });

  it('answers every usage metric', () => {
    const store = seeded();
    const v = (metric: SeriesQuery['metric']) => store.series(dailyQ({ metric, accountIds: ['ds'], to: T0 + DAY })).series[0]?.points[0]?.v;
    expect([v('requests'), v('inputTokens'), v('outputTokens'), v('totalTokens'), v('cachedTokens'), v('reasoningTokens'), v('cost')]).toEqual([
      4, 1000, 300, 1300, 10, 5, 4000,
    ]);
  });

  it('filters by accounts, models and keys (an empty list means no filter)', () => {
    const store = seeded();
    const total = (over: Partial<SeriesQuery>) =>
      store.series(dailyQ(over)).series.reduce((n, s) => n + s.points.reduce((m, p) => m + p.v, 0), 0);
    expect(total({ accountIds: ['or'] })).toBe(3);
    expect(total({ models: ['gpt'] })).toBe(9);
    expect(total({ models: ['gpt'], accountIds: ['ds'] })).toBe(8);
    expect(total({ keys: ['k1', 'k2'] })).toBe(3);
    expect(total({ accountIds: [] })).toBe(15);
    expect(total({ accountIds: ['nobody'] })).toBe(0);
  });

  it('totals one row per group and currency, biggest cost first, unknown cost last', () => {
    const store = seeded();
    expect(store.totals({ groupBy: 'model', from: T0, to: T0 + 3 * DAY })).toEqual([
      { group: 'deepseek-chat', currency: 'CNY', requests: 4, inputTokens: 1000, outputTokens: 300, cachedTokens: 10, reasoningTokens: 5, costMicros: 4000 },
      { group: 'claude', currency: 'USD', requests: 2, inputTokens: 100, outputTokens: 50, cachedTokens: 10, reasoningTokens: 5, costMicros: 200 },
      { group: 'gpt', currency: 'USD', requests: 1, inputTokens: 100, outputTokens: 50, cachedTokens: 10, reasoningTokens: 5, costMicros: 100 },
      { group: 'gpt', requests: 8, inputTokens: 100, outputTokens: 50, cachedTokens: 10, reasoningTokens: 5, costMicros: null },
    ]);
    const byAccount = store.totals({ groupBy: 'account', from: T0, to: T0 + HOUR, accountIds: ['or'] });
    expect(byAccount).toMatchObject([{ group: 'or', currency: 'USD', requests: 1, costMicros: 100 }]);
  });

  it("joins one account's tokens and its cost of the same model into one row (tokens hourly, cost daily)", () => {
    const store = openStore();
    const tokens = (start: number, model: string) => bucket(start, { model, cost: null, requests: 2, inputTokens: 1000, outputTokens: 200, cachedTokens: 300, reasoningTokens: 0 });
    const cost = (model: string, micros: number, currency = 'USD') => bucket(T0, { width: 'day', model, key: currency, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: { micros, currency } });
    // An OpenAI-like account: hourly tokens per model, daily cost per model, a cost line without tokens.
    store.saveSnapshot(okSnapshot('org', T0 + DAY, { usage: [tokens(T0, 'gpt-a'), tokens(T0 + HOUR, 'gpt-a'), tokens(T0, 'gpt-b'), cost('gpt-a', 5000), cost('gpt-b', 700), cost('web search', 90)] }));
    // Another account's tokens of the same model with no cost: never folded into the first account's cost.
    store.saveSnapshot(okSnapshot('other', T0 + DAY, { usage: [tokens(T0, 'gpt-b')] }));
    // Costs of one model in two currencies: its tokens cannot be told apart, so they stay a row of their own.
    store.saveSnapshot(okSnapshot('mixed', T0 + DAY, { usage: [tokens(T0, 'qwen'), cost('qwen', 100, 'CNY'), cost('qwen', 20, 'USD')] }));
    const rows = store.totals({ groupBy: 'model', from: T0, to: T0 + DAY });
    const pick = (group: string) => rows.filter((r) => r.group === group).map((r) => [r.currency ?? null, r.requests, r.inputTokens, r.outputTokens, r.cachedTokens, r.costMicros]);
    expect(pick('gpt-a')).toEqual([['USD', 4, 2000, 400, 600, 5000]]);
    expect(pick('gpt-b')).toEqual([['USD', 2, 1000, 200, 300, 700], [null, 2, 1000, 200, 300, null]]);
    expect(pick('web search')).toEqual([['USD', 0, 0, 0, 0, 90]]);
    expect(pick('qwen')).toEqual([['CNY', 0, 0, 0, 0, 100], ['USD', 0, 0, 0, 0, 20], [null, 2, 1000, 200, 300, null]]);
    // By account, the same join: the organization is one row with all its tokens and all its cost.
    expect(store.totals({ groupBy: 'account', from: T0, to: T0 + DAY, accountIds: ['org'] })).toEqual([
      { group: 'org', currency: 'USD', requests: 6, inputTokens: 3000, outputTokens: 600, cachedTokens: 900, reasoningTokens: 0, costMicros: 5790 },
    ]);
    // Summed from the daily roll-up and from raw rows alike.
    expect(store.totals({ groupBy: 'model', from: T0 - HOUR, to: T0 + DAY + HOUR }).filter((r) => r.group === 'gpt-a')).toEqual(rows.filter((r) => r.group === 'gpt-a'));
  });

  it('ties on cost are broken by tokens', () => {
    const store = openStore();
    store.saveSnapshot(
      okSnapshot('a', T0, {
        usage: [bucket(T0, { model: 'small', inputTokens: 1 }), bucket(T0, { model: 'big', inputTokens: 10_000 })],
      }),
    );
    expect(store.totals({ groupBy: 'model', from: T0, to: T0 + DAY }).map((t) => t.group)).toEqual(['big', 'small']);
  });
});
