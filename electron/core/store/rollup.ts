// Roll-up upkeep inside a write transaction. usage_daily must always equal a GROUP BY over usage_buckets, so a
// revised bucket has to replace its old value there too. Before a write upserts its buckets, the stored rows of
// those buckets (one seek each) are subtracted from their daily groups; after the upserts the same rows are added
// back as they now are: the roll-up moves by exactly new − old, however often a bucket is revised within the batch.
// Both steps run in SQL so no per-row JS objects live across the batch (they would bloat the V8 heap).
// Balances and coverage are folded in memory and upserted once per transaction.
import type { StatementSync } from 'node:sqlite';
import type { Snapshot } from '../../../shared/domain.ts';
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
  private readonly coverage = new Map<string, number>();

  constructor(deps: RollupDeps) {
    this.deps = deps;
  }

  /** Call before upserting the usage of `list`: takes the buckets' current values out of the roll-up. */
  beforeUsage(list: readonly Snapshot[]): void {
    const keys = new Map<string, [number, string, string, string, string, number]>();
    for (const s of list) {
      if (!s.ok) continue;
      for (const b of s.usage) {
        const k = `${b.start}\u0000${s.accountId}\u0000${b.width}\u0000${b.model}\u0000${b.key}`;
        if (!keys.has(k)) keys.set(k, [b.start, s.accountId, b.width, b.model, b.key, this.deps.dayOf(b.start)]);
        if (b.start > (this.coverage.get(s.accountId) ?? -Infinity)) this.coverage.set(s.accountId, b.start);
      }
    }
    if (keys.size === 0) return;
    const json = JSON.stringify([...keys.values()]);
    this.deps.stmt(ADJUST_DAILY).run({ keys: json, sign: -1 });
    this.usageKeys.push(json);
  }

  balance(accountId: string, time: number, m: Money): void {
    const hour = time - (time % HOUR);
    const k = `${hour}\u0000${accountId}\u0000${m.currency}`;
    const prev = this.balances.get(k);
    if (!prev || time >= prev[3]) this.balances.set(k, [hour, accountId, m.currency, time, m.micros]);
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
    const coverage = stmt(UPSERT_COVERAGE);
    for (const [accountId, start] of this.coverage) coverage.run(accountId, start);
    this.discard();
  }

  /** Forgets everything noted (after a flush, or when the transaction rolls back). */
  discard(): void {
    this.usageKeys.length = 0;
    this.balances.clear();
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
