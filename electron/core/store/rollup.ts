// Roll-up upkeep inside a write transaction. usage_daily must always equal a GROUP BY over usage_buckets, so a
// revised bucket has to replace its old value there too. Before a write upserts its buckets, the stored rows of
// those buckets (one seek each) are subtracted from their daily groups; after the upserts the same rows are added
// back as they now are: the roll-up moves by exactly new − old, however often a bucket is revised within the batch.
// Both steps run in SQL so no per-row JS objects live across the batch (they would bloat the V8 heap).
// Balances (hourly and daily) and coverage are folded in memory and upserted once per transaction.
import type { StatementSync } from 'node:sqlite';
import type { Snapshot, UsageBucket } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';

const HOUR = 3_600_000;
const VALUES = ['requests', 'input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens'] as const;

/** $keys: JSON [[start, account, width, model, key, localDay], …]; $sign: -1 or 1. */
const ADJUST_DAILY = `
  INSERT INTO usage_daily (day, account_id, model, key, currency, n, ${VALUES.join(', ')}, cost_micros, cost_n)
  SELECT j.value ->> 5, u.account_id, u.model, u.key, u.currency, $sign * count(*),
    ${VALUES.map((c) => `$sign * sum(u.${c})`).join(', ')}, $sign * coalesce(sum(u.cost_micros), 0),
    $sign * count(u.cost_micros)
  FROM json_each($keys) j CROSS JOIN usage_buckets u
  WHERE u.start = j.value ->> 0 AND u.account_id = j.value ->> 1 AND u.width = j.value ->> 2
    AND u.model = j.value ->> 3 AND u.key = j.value ->> 4
  GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (day, account_id, model, key, currency) DO UPDATE SET n = n + excluded.n,
    ${VALUES.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
    cost_micros = cost_micros + excluded.cost_micros, cost_n = cost_n + excluded.cost_n`;

// A group whose last bucket moved away (a revision changed its currency) is left with n = 0.
const DROP_EMPTY_DAILY = `
  DELETE FROM usage_daily WHERE n = 0 AND day IN (SELECT DISTINCT value ->> 5 FROM json_each($keys))`;

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
  dayOf(t: number): number;
  nextDay(day: number): number;
}

/** What one write transaction changed, flushed into the roll-ups before it commits. */
export class PendingRollups {
  private readonly deps: RollupDeps;
  private readonly usageKeys: string[] = [];
  private readonly balances = new Map<string, [number, string, string, number, number]>();
  private readonly dailyBalances = new Map<string, [number, string, string, number, number, number, number]>();
  private readonly coverage = new Map<string, number>();

  constructor(deps: RollupDeps) {
    this.deps = deps;
  }

  /**
   * Call before upserting the usage of `list`: takes the buckets' current values out of the roll-up. Returns the
   * buckets to upsert: the last revision of each bucket in the batch (later polls replace earlier ones, so upserting
   * the earlier revisions too would end in the same rows, only slower), with their account.
   */
  beforeUsage(list: readonly Snapshot[]): Map<string, { accountId: string; bucket: UsageBucket }> {
    const latest = new Map<string, { accountId: string; bucket: UsageBucket }>();
    const keys: [number, string, string, string, string, number][] = [];
    for (const s of list) {
      if (!s.ok) continue;
      const accountId = s.accountId;
      let newest = this.coverage.get(accountId) ?? -Infinity;
      for (const b of s.usage) {
        const k = `${b.start}\u0000${accountId}\u0000${b.width}\u0000${b.model}\u0000${b.key}`;
        const seen = latest.get(k);
        if (seen) seen.bucket = b;
        else {
          latest.set(k, { accountId, bucket: b });
          keys.push([b.start, accountId, b.width, b.model, b.key, this.deps.dayOf(b.start)]);
        }
        if (b.start > newest) newest = b.start;
      }
      if (newest !== -Infinity) this.coverage.set(accountId, newest);
    }
    if (keys.length === 0) return latest;
    const json = JSON.stringify(keys);
    this.deps.stmt(ADJUST_DAILY).run({ keys: json, sign: -1 });
    this.usageKeys.push(json);
    return latest;
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

  /** Puts the upserted buckets' new values into the roll-up; writes balances and coverage. */
  flush(): void {
    const { stmt } = this.deps;
    for (const keys of this.usageKeys) {
      stmt(ADJUST_DAILY).run({ keys, sign: 1 });
      stmt(DROP_EMPTY_DAILY).run({ keys });
    }
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
    this.usageKeys.length = 0;
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

/** Recomputes all of usage_daily, day by day over the days that hold usage. Runs inside the caller's transaction. */
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
