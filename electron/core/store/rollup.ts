// Roll-up upkeep inside a write transaction. usage_daily must always equal a GROUP BY over usage_buckets, so a
// revised bucket has to replace its old value there too. A write first keeps only the last revision of each bucket
// in its batch (later polls replace earlier ones), reads the stored rows of those buckets in one statement (one seek
// each), and moves each daily group by exactly new − old; a bucket whose revision changes nothing writes nothing.
// Balances (hourly and daily) and coverage are folded in memory and upserted once per transaction.
import type { StatementSync } from 'node:sqlite';
import type { Snapshot, UsageBucket } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';
import { UPSERT_USAGE, usageParams } from './rows.ts';

const HOUR = 3_600_000;
const VALUES = ['requests', 'input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens'] as const;

/** $keys: JSON [[start, account, width, model, key], …]; answers the stored ones with their index in the list. */
const STORED_BUCKETS = `
  SELECT j.key, u.currency, ${VALUES.map((c) => `u.${c}`).join(', ')}, u.cost_micros
  FROM json_each($keys) j CROSS JOIN usage_buckets u
  WHERE u.start = j.value ->> 0 AND u.account_id = j.value ->> 1 AND u.width = j.value ->> 2
    AND u.model = j.value ->> 3 AND u.key = j.value ->> 4`;

const COVERAGE = `SELECT account_id, newest_start FROM usage_coverage`;

type StoredBucket = [number, string, number, number, number, number, number, number | null];

const ADD_DAILY = `
  INSERT INTO usage_daily (day, account_id, model, key, currency, n, ${VALUES.join(', ')}, cost_micros, cost_n)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (day, account_id, model, key, currency) DO UPDATE SET n = n + excluded.n,
    ${VALUES.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
    cost_micros = cost_micros + excluded.cost_micros, cost_n = cost_n + excluded.cost_n`;

// A group whose last bucket moved away (a revision changed its currency) is left with n = 0.
const DROP_EMPTY_DAILY = `
  DELETE FROM usage_daily WHERE n = 0 AND day = ? AND account_id = ? AND model = ? AND key = ? AND currency = ?`;

const ADD_DAILY_MODEL = `
  INSERT INTO usage_daily_model (day, model, currency, n, ${VALUES.join(', ')}, cost_micros, cost_n)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (day, model, currency) DO UPDATE SET n = n + excluded.n,
    ${VALUES.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
    cost_micros = cost_micros + excluded.cost_micros, cost_n = cost_n + excluded.cost_n`;

const DROP_EMPTY_DAILY_MODEL = `DELETE FROM usage_daily_model WHERE n = 0 AND day = ? AND model = ? AND currency = ?`;

/** usage_daily_model = usage_daily summed over accounts and keys. */
export const FILL_DAILY_MODEL = `
  INSERT INTO usage_daily_model (day, model, currency, n, ${VALUES.join(', ')}, cost_micros, cost_n)
  SELECT day, model, currency, sum(n), ${VALUES.map((c) => `sum(${c})`).join(', ')}, sum(cost_micros), sum(cost_n)
  FROM usage_daily GROUP BY day, model, currency`;

/** Takes one account's usage_daily rows out of usage_daily_model (before they are deleted). */
export const SUBTRACT_ACCOUNT_DAILY_MODEL = `
  INSERT INTO usage_daily_model (day, model, currency, n, ${VALUES.join(', ')}, cost_micros, cost_n)
  SELECT day, model, currency, -sum(n), ${VALUES.map((c) => `-sum(${c})`).join(', ')}, -sum(cost_micros), -sum(cost_n)
  FROM usage_daily WHERE account_id = ? GROUP BY day, model, currency
  ON CONFLICT (day, model, currency) DO UPDATE SET n = n + excluded.n,
    ${VALUES.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
    cost_micros = cost_micros + excluded.cost_micros, cost_n = cost_n + excluded.cost_n`;

/** day, account, model, key, currency, then the deltas: n, requests, input, output, cached, reasoning, cost, cost_n. */
type DailyDelta = [number, string, string, string, string, number, number, number, number, number, number, number, number];

interface Latest {
  accountId: string;
  bucket: UsageBucket;
}

const UPSERT_BALANCE = `
  INSERT INTO balance_hourly (hour, account_id, currency, time, micros) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (hour, account_id, currency) DO UPDATE SET time = excluded.time, micros = excluded.micros
  WHERE excluded.time >= balance_hourly.time`;

// Last balance of the day (a later poll wins a tie on time, as in balance_hourly) and the day's low and high.
const MERGE_DAILY_BALANCE = `
  ON CONFLICT (day, account_id, currency) DO UPDATE SET
    time = CASE WHEN excluded.time >= time THEN excluded.time ELSE time END,
    micros = CASE WHEN excluded.time >= time THEN excluded.micros ELSE micros END,
    min_micros = min(min_micros, excluded.min_micros), max_micros = max(max_micros, excluded.max_micros)`;

const UPSERT_DAILY_BALANCE = `
  INSERT INTO balance_daily (day, account_id, currency, time, micros, min_micros, max_micros) VALUES (?, ?, ?, ?, ?, ?, ?)
  ${MERGE_DAILY_BALANCE}`;

const UPSERT_COVERAGE = `
  INSERT INTO usage_coverage (account_id, newest_start) VALUES (?, ?)
  ON CONFLICT (account_id) DO UPDATE SET newest_start = max(newest_start, excluded.newest_start)`;

export interface RollupDeps {
  stmt(sql: string): StatementSync;
  /** A cached statement whose rows come back as arrays. */
  arrays(sql: string): StatementSync;
  dayOf(t: number): number;
  nextDay(day: number): number;
}

/** What one write transaction changed, flushed into the roll-ups before it commits. */
export class PendingRollups {
  private readonly deps: RollupDeps;
  private readonly balances = new Map<string, [number, string, string, number, number]>();
  private readonly dailyBalances = new Map<string, [number, string, string, number, number, number, number]>();
  private readonly coverage = new Map<string, number>();

  constructor(deps: RollupDeps) {
    this.deps = deps;
  }

  /**
   * Upserts the usage of `list` and moves usage_daily by what changed. Only the last revision of each bucket in the
   * batch is written (upserting the earlier ones too would end in the same rows, only slower).
   */
  usage(list: readonly Snapshot[]): void {
    // account → start → model → the buckets of that (width, key): no key strings built per bucket.
    const seen = new Map<string, Map<number, Map<string, Latest[]>>>();
    const entries: Latest[] = [];
    for (const s of list) {
      if (!s.ok || s.usage.length === 0) continue;
      const accountId = s.accountId;
      let byStart = seen.get(accountId);
      if (!byStart) seen.set(accountId, (byStart = new Map()));
      let newest = this.coverage.get(accountId) ?? -Infinity;
      for (const b of s.usage) {
        let byModel = byStart.get(b.start);
        if (!byModel) byStart.set(b.start, (byModel = new Map()));
        let same = byModel.get(b.model);
        if (!same) byModel.set(b.model, (same = []));
        const prev = same.find((e) => e.bucket.width === b.width && e.bucket.key === b.key);
        if (prev) prev.bucket = b;
        else {
          const e = { accountId, bucket: b };
          same.push(e);
          entries.push(e);
        }
        if (b.start > newest) newest = b.start;
      }
      if (newest !== -Infinity) this.coverage.set(accountId, newest);
    }
    if (entries.length === 0) return;
    const { stmt, arrays, dayOf } = this.deps;
    const stored: (StoredBucket | undefined)[] = new Array(entries.length);
    // A bucket starting after the newest one stored for its account is new: only the others are looked up.
    const covered = new Map(arrays(COVERAGE).all() as unknown as [string, number][]);
    const lookup: number[] = [];
    const keyList: [number, string, string, string, string][] = [];
    for (let i = 0; i < entries.length; i++) {
      const { accountId, bucket: b } = entries[i] as Latest;
      const newest = covered.get(accountId);
      if (newest === undefined || b.start > newest) continue;
      lookup.push(i);
      keyList.push([b.start, accountId, b.width, b.model, b.key]);
    }
    if (keyList.length > 0) {
      for (const row of arrays(STORED_BUCKETS).all({ keys: JSON.stringify(keyList) }) as unknown as StoredBucket[]) {
        stored[lookup[row[0]] as number] = row;
      }
    }

    const deltas = new Map<string, DailyDelta>();
    const move = (day: number, accountId: string, b: UsageBucket, currency: string, sign: number, v: readonly (number | null)[]) => {
      const k = `${day}\u0000${accountId}\u0000${b.model}\u0000${b.key}\u0000${currency}`;
      let d = deltas.get(k);
      if (!d) deltas.set(k, (d = [day, accountId, b.model, b.key, currency, 0, 0, 0, 0, 0, 0, 0, 0]));
      d[5] += sign;
      for (let i = 0; i < 5; i++) (d[6 + i] as number) += sign * (v[i] as number);
      const cost = v[5] ?? null;
      if (cost !== null) {
        d[11] += sign * cost;
        d[12] += sign;
      }
    };
    const upsert = stmt(UPSERT_USAGE);
    for (let i = 0; i < entries.length; i++) {
      const { accountId, bucket: b } = entries[i] as Latest;
      const currency = b.cost?.currency ?? '';
      const cost = b.cost ? b.cost.micros : null;
      const now: (number | null)[] = [b.requests, b.inputTokens, b.outputTokens, b.cachedTokens, b.reasoningTokens, cost];
      const old = stored[i];
      if (
        old &&
        old[1] === currency &&
        old[2] === now[0] &&
        old[3] === now[1] &&
        old[4] === now[2] &&
        old[5] === now[3] &&
        old[6] === now[4] &&
        old[7] === cost
      ) {
        continue;
      }
      upsert.run(...usageParams(accountId, b));
      const day = dayOf(b.start);
      if (old) move(day, accountId, b, old[1], -1, old.slice(2) as (number | null)[]);
      move(day, accountId, b, currency, 1, now);
    }
    const add = stmt(ADD_DAILY);
    // The same moves summed over accounts and keys, for usage_daily_model.
    const byModel = new Map<string, (string | number)[]>();
    let emptied = false;
    for (const d of deltas.values()) {
      if (d[5] < 0) emptied = true;
      if (!(d[5] !== 0 || d.some((v, i) => i > 5 && v !== 0))) continue;
      add.run(...d);
      const k = `${d[0]}\u0000${d[2]}\u0000${d[4]}`;
      const m = byModel.get(k);
      if (!m) byModel.set(k, [d[0], d[2], d[4], ...d.slice(5)]);
      else for (let i = 3; i < m.length; i++) (m[i] as number) += d[i + 2] as number;
    }
    const addModel = stmt(ADD_DAILY_MODEL);
    for (const m of byModel.values()) addModel.run(...m);
    if (emptied) {
      const drop = stmt(DROP_EMPTY_DAILY);
      for (const d of deltas.values()) if (d[5] < 0) drop.run(d[0], d[1], d[2], d[3], d[4]);
      const dropModel = stmt(DROP_EMPTY_DAILY_MODEL);
      for (const m of byModel.values()) if ((m[3] as number) < 0) dropModel.run(m[0] as number, m[1] as string, m[2] as string);
    }
  }

  balance(accountId: string, time: number, m: Money): void {
    const hour = time - (time % HOUR);
    const k = `${hour}\u0000${accountId}\u0000${m.currency}`;
    const prev = this.balances.get(k);
    if (!prev || time >= prev[3]) this.balances.set(k, [hour, accountId, m.currency, time, m.micros]);
    const day = this.deps.dayOf(time);
    const dk = `${day}\u0000${accountId}\u0000${m.currency}`;
    const d = this.dailyBalances.get(dk);
    if (!d) this.dailyBalances.set(dk, [day, accountId, m.currency, time, m.micros, m.micros, m.micros]);
    else {
      if (time >= d[3]) {
        d[3] = time;
        d[4] = m.micros;
      }
      if (m.micros < d[5]) d[5] = m.micros;
      if (m.micros > d[6]) d[6] = m.micros;
    }
  }

  /** Writes the balances and coverage noted. */
  flush(): void {
    const { stmt } = this.deps;
    const balance = stmt(UPSERT_BALANCE);
    for (const b of this.balances.values()) balance.run(...b);
    const daily = stmt(UPSERT_DAILY_BALANCE);
    for (const b of this.dailyBalances.values()) daily.run(...b);
    const coverage = stmt(UPSERT_COVERAGE);
    for (const [accountId, start] of this.coverage) coverage.run(accountId, start);
    this.discard();
  }

  /** Forgets everything noted (after a flush, or when the transaction rolls back). */
  discard(): void {
    this.balances.clear();
    this.dailyBalances.clear();
    this.coverage.clear();
  }
}

const FILL_DAY = `
  INSERT INTO usage_daily (day, account_id, model, key, currency, n, ${VALUES.join(', ')}, cost_micros, cost_n)
  SELECT $day, account_id, model, key, currency, count(*), ${VALUES.map((c) => `sum(${c})`).join(', ')},
    coalesce(sum(cost_micros), 0), count(cost_micros)
  FROM usage_buckets WHERE start >= $day AND start < $next
  GROUP BY account_id, model, key, currency`;

/** Recomputes all of usage_daily (and usage_daily_model from it), day by day over the days that hold usage. Runs inside the caller's transaction. */
export function rebuildDailyRollup(deps: RollupDeps): void {
  deps.stmt('DELETE FROM usage_daily').run();
  const nextStart = deps.stmt('SELECT min(start) AS s FROM usage_buckets WHERE start >= ?');
  const fill = deps.stmt(FILL_DAY);
  let row = nextStart.get(Number.MIN_SAFE_INTEGER) as { s: number | null } | undefined;
  while (row && row.s !== null) {
    const day = deps.dayOf(row.s);
    const next = deps.nextDay(day);
    fill.run({ day, next });
    row = nextStart.get(next) as { s: number | null } | undefined;
  }
  deps.stmt('DELETE FROM usage_daily_model').run();
  deps.stmt(FILL_DAILY_MODEL).run();
}

/** The SQL function rebuildDailyBalances keys days with: the start of t's local day in the store's zone. */
export const LOCAL_DAY_FN = 'spendbar_local_day';

/**
 * Recomputes all of balance_daily in the store's zone from the stored ok snapshots (each listed balance, else the
 * main one), replayed in the order they were saved. Needs LOCAL_DAY_FN registered on the connection; runs inside the
 * caller's transaction.
 */
export function rebuildDailyBalances(deps: RollupDeps): void {
  deps.stmt('DELETE FROM balance_daily').run();
  deps
    .stmt(
      `INSERT INTO balance_daily (day, account_id, currency, time, micros, min_micros, max_micros)
       SELECT ${LOCAL_DAY_FN}(time), account_id, currency, time, micros, micros, micros
       FROM (
         SELECT s.id, s.account_id, b.value ->> '$.currency' AS currency, s.time, b.value ->> '$.micros' AS micros
         FROM snapshots s, json_each(s.data, '$.balances') b WHERE s.ok = 1
         UNION ALL
         SELECT id, account_id, balance_currency, time, balance_micros FROM snapshots
         WHERE ok = 1 AND balance_micros IS NOT NULL AND coalesce(json_array_length(data, '$.balances'), 0) = 0
         ORDER BY 1)
       WHERE micros IS NOT NULL AND currency IS NOT NULL
       ${MERGE_DAILY_BALANCE}`,
    )
    .run();
}
