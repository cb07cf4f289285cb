// Schema v3: compact snapshot rows, the per-model daily usage roll-up and the daily balance roll-up. Each roll-up is
// checked against a recomputation from what was saved, after random polls, revisions, deletes and zone changes.
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { Snapshot, UsageBucket } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';
import { bucketStart, MIGRATIONS, schemaVersion, type SnapshotStore } from '../../../electron/core/store/index.ts';
import { migrate } from '../../../electron/core/store/migrations.ts';
import { bucket, DAY, failedSnapshot, HOUR, okSnapshot, openStore, rng, tempDbPath } from './helpers.ts';

const T0 = Date.UTC(2026, 3, 6);
const MINUTE = 60_000;

function modelRollup(store: SnapshotStore): unknown[] {
  return store.db.prepare('SELECT * FROM usage_daily_model ORDER BY day, model, currency').all();
}

function modelRollupFromDaily(store: SnapshotStore): unknown[] {
  return store.db
    .prepare(
      `SELECT day, model, currency, sum(n) AS n, sum(requests) AS requests, sum(input_tokens) AS input_tokens,
         sum(output_tokens) AS output_tokens, sum(cached_tokens) AS cached_tokens, sum(reasoning_tokens) AS reasoning_tokens,
         sum(cost_micros) AS cost_micros, sum(cost_n) AS cost_n
       FROM usage_daily GROUP BY day, model, currency ORDER BY day, model, currency`,
    )
    .all();
}

interface DailyBalance {
  day: number;
  account_id: string;
  currency: string;
  time: number;
  micros: number;
  min_micros: number;
  max_micros: number;
}

function balanceRollup(store: SnapshotStore): DailyBalance[] {
  return store.db.prepare('SELECT * FROM balance_daily ORDER BY day, account_id, currency').all() as unknown as DailyBalance[];
}

/** balance_daily as it should be: from the saved polls, in save order (a later poll wins a tie on time). */
function expectedBalances(saved: readonly Snapshot[], zone = 'UTC'): DailyBalance[] {
  const out = new Map<string, DailyBalance>();
  for (const s of saved) {
    if (!s.ok) continue;
    const list: Money[] = s.balances.length > 0 ? s.balances : s.balance ? [s.balance] : [];
    for (const m of list) {
      const day = bucketStart(zone, 'day', s.time);
      const k = `${day}|${s.accountId}|${m.currency}`;
      const d = out.get(k);
      if (!d) {
        out.set(k, { day, account_id: s.accountId, currency: m.currency, time: s.time, micros: m.micros, min_micros: m.micros, max_micros: m.micros });
        continue;
      }
      if (s.time >= d.time) {
        d.time = s.time;
        d.micros = m.micros;
      }
      d.min_micros = Math.min(d.min_micros, m.micros);
      d.max_micros = Math.max(d.max_micros, m.micros);
    }
  }
  return [...out.values()].sort((a, b) => a.day - b.day || a.account_id.localeCompare(b.account_id) || a.currency.localeCompare(b.currency));
}

/** Random polls of three accounts over four days: revisions (also within one batch), currency moves, failed polls. */
function randomHistory(seed: number): { batches: Snapshot[][]; latest: Map<string, { account: string; b: UsageBucket }> } {
  const rand = rng(seed);
  const latest = new Map<string, { account: string; b: UsageBucket }>();
  const batches: Snapshot[][] = [];
  let time = T0;
  for (let n = 0; n < 40; n++) {
    const batch: Snapshot[] = [];
    for (let i = 0, size = 1 + Math.floor(rand() * 4); i < size; i++) {
      const account = `acct-${Math.floor(rand() * 3)}`;
      // Mostly forward in time, sometimes a poll at the same instant or a little earlier (clock skew, imports).
      time += rand() < 0.15 ? 0 : Math.floor((rand() - 0.15) * 3 * HOUR);
      if (rand() < 0.1) {
        batch.push(failedSnapshot(account, time));
        continue;
      }
      const usage: UsageBucket[] = [];
      for (let k = 0; k < 6; k++) {
        const start = T0 + Math.floor(rand() * 96) * HOUR;
        const b = bucket(start, {
          model: `m${Math.floor(rand() * 3)}`,
          key: rand() < 0.3 ? 'k1' : '',
          requests: Math.floor(rand() * 50),
          inputTokens: Math.floor(rand() * 5000),
          cost: rand() < 0.1 ? null : { micros: Math.floor(rand() * 1e6), currency: rand() < 0.2 ? 'CNY' : 'USD' },
        });
        usage.push(b);
        latest.set(`${account}|${b.start}|${b.width}|${b.model}|${b.key}`, { account, b });
      }
      const usd = { micros: Math.floor(rand() * 1e9), currency: 'USD' };
      const cny = { micros: Math.floor(rand() * 1e9), currency: 'CNY' };
      const shape = rand();
      const balances = shape < 0.4 ? [usd] : shape < 0.7 ? [usd, cny] : shape < 0.85 ? [] : [cny];
      batch.push(okSnapshot(account, time, { balance: shape < 0.85 ? usd : shape < 0.9 ? null : cny, balances, usage }));
    }
    batches.push(batch);
  }
  return { batches, latest };
}

describe('per-model daily usage roll-up', () => {
  it('always equals usage_daily summed over accounts and keys, and answers per-model series as raw rows would', () => {
    const store = openStore();
    const { batches, latest } = randomHistory(7);
    for (const batch of batches) store.saveSnapshots(batch);
    expect(modelRollup(store)).toEqual(modelRollupFromDaily(store));
    expect(modelRollup(store).length).toBeGreaterThan(0);

    const dataEnd = Math.max(...[...latest.values()].map((x) => x.b.start));
    // Whole days, ragged edges, an end after the newest bucket (its day is read from the roll-up) and an end before
    // buckets of the same day (that day must come from raw rows).
    for (const [from, to] of [
      [T0, T0 + 4 * DAY],
      [T0 + 5 * HOUR + 7, T0 + 2 * DAY + 13 * HOUR],
      [T0 + 30 * MINUTE, dataEnd + 1],
      [T0 + DAY + 2 * HOUR, T0 + DAY + 20 * HOUR],
      [T0 - 3 * HOUR, T0 + 3 * DAY + 1],
    ] as const) {
      for (const metric of ['cost', 'requests'] as const) {
        const expected = new Map<string, number>();
        for (const { b } of latest.values()) {
          if (b.start < from || b.start >= to) continue;
          if (metric === 'cost' && !b.cost) continue;
          const k = `${b.model}|${metric === 'cost' ? b.cost?.currency : ''}|${bucketStart('UTC', 'day', Math.max(b.start, from))}`;
          expected.set(k, (expected.get(k) ?? 0) + (metric === 'cost' ? (b.cost?.micros ?? 0) : b.requests));
        }
        const got = new Map<string, number>();
        for (const s of store.series({ metric, bucket: 'day', groupBy: 'model', from, to }).series) {
          for (const p of s.points) got.set(`${s.group}|${s.currency ?? ''}|${p.t}`, p.v);
        }
        // A zero sum is a point too when some bucket is there; drop zeros on both sides to compare sums.
        const nonZero = (m: Map<string, number>) => new Map([...m].filter(([, v]) => v !== 0));
        expect(nonZero(got)).toEqual(nonZero(expected));
        // Filtered by account, the same query takes usage_daily and must agree with the model roll-up.
        const all = store.series({ metric, bucket: 'day', groupBy: 'none', from, to });
        const byAccount = store.series({ metric, bucket: 'day', groupBy: 'none', from, to, accountIds: ['acct-0', 'acct-1', 'acct-2'] });
        expect(byAccount.series).toEqual(all.series);
      }
    }
  });

  it('stays equal after an account is deleted and after a reopen in another zone', () => {
    const file = tempDbPath();
    const store = openStore({}, file);
    for (const batch of randomHistory(11).batches) store.saveSnapshots(batch);
    store.deleteAccount('acct-1');
    expect(modelRollup(store)).toEqual(modelRollupFromDaily(store));
    expect(store.db.prepare(`SELECT count(*) AS n FROM balance_daily WHERE account_id = 'acct-1'`).get()).toEqual({ n: 0 });
    store.close();
    const berlin = openStore({ timeZone: 'Europe/Berlin' }, file);
    expect(modelRollup(berlin)).toEqual(modelRollupFromDaily(berlin));
    const days = berlin.db.prepare('SELECT DISTINCT day FROM usage_daily_model').all() as { day: number }[];
    for (const { day } of days) expect(bucketStart('Europe/Berlin', 'day', day)).toBe(day);
  });
});

describe('daily balance roll-up', () => {
  it('keeps the last, lowest and highest balance per account, currency and day, as the saved polls say', () => {
    const store = openStore();
    const saved = randomHistory(3).batches;
    for (const batch of saved) store.saveSnapshots(batch);
    expect(balanceRollup(store)).toEqual(expectedBalances(saved.flat()));
  });

  it('takes the later of two polls at the same instant, within one batch and across batches', () => {
    const store = openStore();
    const at = T0 + 3 * HOUR;
    const usd = (micros: number) => ({ balance: { micros, currency: 'USD' } });
    store.saveSnapshots([okSnapshot('a', at, usd(5)), okSnapshot('a', at, usd(3)), okSnapshot('a', at - HOUR, usd(9))]);
    store.saveSnapshot(okSnapshot('b', at, usd(1)));
    store.saveSnapshot(okSnapshot('b', at, usd(2)));
    expect(balanceRollup(store).map((d) => [d.account_id, d.micros, d.min_micros, d.max_micros])).toEqual([
      ['a', 3, 3, 9],
      ['b', 2, 1, 2],
    ]);
  });

  it('answers daily balance series like the polls themselves (last per day, summed over accounts per currency)', () => {
    const store = openStore();
    const saved = randomHistory(5).batches;
    for (const batch of saved) store.saveSnapshots(batch);
    const daily = expectedBalances(saved.flat());
    const lastPoll = Math.max(...saved.flat().map((s) => s.time));
    // Whole days; ragged edges with polls after the end on its day; an end after the last poll (its day is read from
    // the roll-up); a range inside one day.
    for (const [from, to] of [
      [T0, T0 + 5 * DAY],
      [T0 + 7 * HOUR + 3, T0 + 3 * DAY + 5 * HOUR],
      [T0 + 7 * HOUR + 3, lastPoll + 1],
      [T0 + DAY + 2 * HOUR, T0 + DAY + 20 * HOUR],
    ] as const) {
      const starts = new Set<number>();
      // The last balance in [from, to) per day, account and currency, from the polls.
      const last = new Map<string, { time: number; micros: number }>();
      for (const s of saved.flat()) {
        if (!s.ok || s.time < from || s.time >= to) continue;
        for (const m of s.balances.length > 0 ? s.balances : s.balance ? [s.balance] : []) {
          const day = bucketStart('UTC', 'day', s.time);
          starts.add(day);
          const k = `${s.accountId}|${m.currency}|${day}`;
          const prev = last.get(k);
          if (!prev || s.time >= prev.time) last.set(k, { time: s.time, micros: m.micros });
        }
      }
      const perAccount = new Map<string, number>();
      const summed = new Map<string, number>();
      for (const [k, v] of last) {
        perAccount.set(k, v.micros);
        const [, currency, day] = k.split('|');
        summed.set(`${currency}|${day}`, (summed.get(`${currency}|${day}`) ?? 0) + v.micros);
      }
      const got = new Map<string, number>();
      for (const s of store.series({ metric: 'balance', bucket: 'day', groupBy: 'account', from, to }).series) {
        for (const p of s.points) got.set(`${s.group}|${s.currency}|${p.t}`, p.v);
      }
      expect(got).toEqual(perAccount);
      const gotSum = new Map<string, number>();
      for (const s of store.series({ metric: 'balance', bucket: 'day', groupBy: 'none', from, to }).series) {
        for (const p of s.points) gotSum.set(`${s.currency}|${p.t}`, p.v);
      }
      expect(gotSum).toEqual(summed);
      expect(daily.length).toBeGreaterThanOrEqual(starts.size);
    }
  });

  it('leaves out an account whose balances that day all came before the start of the range', () => {
    const store = openStore();
    const usd = (micros: number) => ({ balance: { micros, currency: 'USD' } });
    store.saveSnapshots([okSnapshot('early', T0 + HOUR, usd(1)), okSnapshot('late', T0 + 10 * HOUR, usd(2)), okSnapshot('early', T0 + DAY + HOUR, usd(3))]);
    const q = { metric: 'balance', bucket: 'day', groupBy: 'account', from: T0 + 5 * HOUR, to: T0 + 2 * DAY } as const;
    expect(store.series(q).series.map((s) => [s.group, s.points])).toEqual([
      ['early', [{ t: T0 + DAY, v: 3 }]],
      ['late', [{ t: T0, v: 2 }]],
    ]);
  });

  it('is rebuilt in the zone the store is reopened in', () => {
    const file = tempDbPath();
    const store = openStore({}, file);
    const saved = randomHistory(9).batches;
    for (const batch of saved) store.saveSnapshots(batch);
    store.close();
    const ny = openStore({ timeZone: 'America/New_York' }, file);
    expect(balanceRollup(ny)).toEqual(expectedBalances(saved.flat(), 'America/New_York'));
  });
});

describe('compact snapshot rows', () => {
  it('stores a usual poll as columns only and gives it back exactly', () => {
    const store = openStore();
    const s = okSnapshot('acct', T0, { spent: { today: { micros: 5, currency: 'USD' }, total: { micros: 9, currency: 'USD' } }, usage: [bucket(T0)] });
    store.saveSnapshot(s);
    expect(store.db.prepare('SELECT p.name AS provider, s.data FROM snapshots s JOIN snapshot_providers p ON p.id = s.provider_id').get()).toEqual({
      provider: 'openrouter',
      data: '{}',
    });
    expect(store.latest('acct')).toEqual({ ...s, usage: [] });
  });

  it('gives back unusual shapes exactly: extra money fields, balances that differ from the main one, errors, keys', () => {
    const store = openStore();
    const odd: Snapshot[] = [
      okSnapshot('a', T0, { balance: { micros: 1, currency: 'USD' }, balances: [] }),
      okSnapshot('a', T0 + 1, { balance: { micros: 1, currency: 'USD' }, balances: [{ micros: 2, currency: 'USD' }] }),
      okSnapshot('a', T0 + 2, { balance: null, balances: [{ micros: 3, currency: 'CNY' }] }),
      okSnapshot('a', T0 + 3, { balance: { micros: 4, currency: 'USD', note: 'x' } as Money, balances: [{ micros: 4, currency: 'USD' }] }),
      okSnapshot('a', T0 + 4, { spent: { week: { micros: 7, currency: 'CNY' }, odd: { micros: 1, currency: 'USD' } } as Snapshot['spent'] }),
      okSnapshot('a', T0 + 5, { estimated: true, notes: ['converted'], available: false, demo: true, keys: [] }),
      { ...failedSnapshot('a', T0 + 6), error: { kind: 'rate-limited', message: 'Slow down.', status: 429, retryAfterMs: 1000 } } as Snapshot,
      okSnapshot('a', T0 + 7, { spent: {}, quota: { limit: null, used: { micros: 1, currency: 'QUOTA' }, remaining: null, resets: null } }),
    ];
    store.saveSnapshots(odd);
    expect(store.snapshots('a', 0, T0 + DAY)).toEqual(odd.map((s) => ({ ...s, usage: [] })));
  });
});

describe('migration to v3', () => {
  it('keeps every v2 snapshot readable as saved and backfills the new roll-ups from them', () => {
    const file = tempDbPath();
    const old = new DatabaseSync(file);
    migrate(old, file, MIGRATIONS.slice(0, 2));
    expect(schemaVersion(old)).toBe(2);
    // v2 rows: the whole snapshot (without usage) as JSON in data, figures in the columns.
    const saved: Snapshot[] = [
      okSnapshot('a', T0 + HOUR, { balances: [{ micros: 7_000_000, currency: 'USD' }, { micros: 9, currency: 'CNY' }] }),
      okSnapshot('a', T0 + 2 * HOUR, { balance: { micros: 6_000_000, currency: 'USD' } }),
      okSnapshot('a', T0 + 2 * HOUR, { balance: { micros: 6_500_000, currency: 'USD' } }),
      failedSnapshot('a', T0 + 3 * HOUR),
      okSnapshot('b', T0 + DAY + 5, { balance: { micros: 2, currency: 'USD' }, balances: [] }),
      okSnapshot('b', T0 + DAY + 9, { balance: null, balances: [] }),
    ];
    const insert = old.prepare(
      `INSERT INTO snapshots (account_id, time, ok, balance_micros, balance_currency, data) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    for (const s of saved) {
      const { usage: _u, ...json } = s;
      insert.run(s.accountId, s.time, s.ok ? 1 : 0, s.balance?.micros ?? null, s.balance?.currency ?? null, JSON.stringify(json));
    }
    old.exec(`INSERT INTO usage_daily VALUES (${T0}, 'a', 'm1', '', 'USD', 2, 5, 100, 10, 0, 0, 300, 2),
      (${T0}, 'b', 'm1', 'k', 'USD', 1, 1, 10, 1, 0, 0, 30, 1), (${T0}, 'b', 'm2', '', '', 1, 4, 40, 4, 0, 0, 0, 0)`);
    old.exec(`INSERT INTO meta (key, value) VALUES ('rollup_zone', 'UTC')`);
    old.close();

    const store = openStore({}, file);
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
    expect(store.snapshots('a', 0, T0 + 2 * DAY)).toEqual(saved.filter((s) => s.accountId === 'a').map((s) => ({ ...s, usage: [] })));
    expect(store.latest('b')).toEqual({ ...saved[5], usage: [] });
    expect(balanceRollup(store)).toEqual(expectedBalances(saved));
    expect(modelRollup(store)).toEqual([
      { day: T0, model: 'm1', currency: 'USD', n: 3, requests: 6, input_tokens: 110, output_tokens: 11, cached_tokens: 0, reasoning_tokens: 0, cost_micros: 330, cost_n: 3 },
      { day: T0, model: 'm2', currency: '', n: 1, requests: 4, input_tokens: 40, output_tokens: 4, cached_tokens: 0, reasoning_tokens: 0, cost_micros: 0, cost_n: 0 },
    ]);
    // The later of two polls at the same instant wins, as it did at ingest.
    const balance = store.series({ metric: 'balance', bucket: 'day', groupBy: 'account', from: T0, to: T0 + 2 * DAY });
    expect(balance.series.map((s) => [s.group, s.currency, s.points])).toEqual([
      ['a', 'CNY', [{ t: T0, v: 9 }]],
      ['a', 'USD', [{ t: T0, v: 6_500_000 }]],
      ['b', 'USD', [{ t: T0 + DAY, v: 2 }]],
    ]);
    // New polls are stored compactly next to the old rows and read back the same way.
    const next = okSnapshot('a', T0 + 4 * HOUR);
    store.saveSnapshot(next);
    expect(store.latest('a')).toEqual({ ...next, usage: [] });
    expect(store.db.prepare('SELECT count(*) AS n FROM snapshots WHERE provider_id IS NULL').get()).toEqual({ n: saved.length });
  });
});
