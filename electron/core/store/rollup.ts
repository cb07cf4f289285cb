// Roll-up upkeep inside a write transaction. usage_daily must always equal a GROUP BY over usage_buckets, so a
// revised bucket has to replace its old value there too. A write reads the current rows of every bucket it is about
// to upsert (one seek each), subtracts them from the affected daily groups, upserts, reads the same rows again and
// adds them: the roll-up moves by exactly new − old, however often one bucket is revised within the batch. Balances
// and coverage are folded in memory and upserted once per transaction.
import type { StatementSync } from 'node:sqlite';
import type { UsageBucket } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';

const HOUR = 3_600_000;
const VALUES = ['requests', 'input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens'] as const;

const READ_BUCKETS = `
  SELECT u.start, u.account_id, u.model, u.key, u.currency, ${VALUES.map((c) => `u.${c}`).join(', ')}, u.cost_micros
  FROM json_each(?) j CROSS JOIN usage_buckets u
  WHERE u.start = j.value ->> 0 AND u.account_id = j.value ->> 1 AND u.width = j.value ->> 2
    AND u.model = j.value ->> 3 AND u.key = j.value ->> 4`;

const ADD_DAILY = `
  INSERT INTO usage_daily (day, account_id, model, key, currency, n, ${VALUES.join(', ')}, cost_micros, cost_n)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (day, account_id, model, key, currency) DO UPDATE SET n = n + excluded.n,
    ${VALUES.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
    cost_micros = cost_micros + excluded.cost_micros, cost_n = cost_n + excluded.cost_n`;

const DROP_EMPTY_DAILY = `DELETE FROM usage_daily WHERE day = ? AND account_id = ? AND model = ? AND key = ? AND currency = ? AND n <= 0`;

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

interface BucketRow {
  start: number;
  account_id: string;
  model: string;
  key: string;
  currency: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost_micros: number | null;
}

/** [day, account, model, key, currency, n, requests, input, output, cached, reasoning, cost, costN] */
type DailyDelta = [number, string, string, string, string, number, number, number, number, number, number, number, number];

/** What one write transaction changed, flushed into the roll-ups before it commits. */
export class PendingRollups {
  private readonly deps: RollupDeps;
  private readonly bucketKeys = new Map<string, [number, string, string, string, string]>();
  private readonly daily = new Map<string, DailyDelta>();
  private readonly balances = new Map<string, [number, string, string, number, number]>();
  private readonly coverage = new Map<string, number>();

  constructor(deps: RollupDeps) {
    this.deps = deps;
  }

  /** Notes a bucket about to be upserted. Call for every bucket before `beforeUpserts`. */
  bucket(accountId: string, b: UsageBucket): void {
    const k = `${b.start}\u0000${accountId}\u0000${b.width}\u0000${b.model}\u0000${b.key}`;
    if (!this.bucketKeys.has(k)) this.bucketKeys.set(k, [b.start, accountId, b.width, b.model, b.key]);
    if (b.start > (this.coverage.get(accountId) ?? -Infinity)) this.coverage.set(accountId, b.start);
  }

  balance(accountId: string, time: number, m: Money): void {
    const hour = time - (time % HOUR);
    const k = `${hour}\u0000${accountId}\u0000${m.currency}`;
    const prev = this.balances.get(k);
    if (!prev || time >= prev[3]) this.balances.set(k, [hour, accountId, m.currency, time, m.micros]);
  }

  /** Subtracts the stored rows of the noted buckets from their daily groups. */
  beforeUpserts(): void {
    this.fold(-1);
  }

  /** Adds the rows as they now are, then writes every non-zero daily delta, the balances and the coverage. */
  flush(): void {
    this.fold(1);
    const { stmt } = this.deps;
    const add = stmt(ADD_DAILY);
    const drop = stmt(DROP_EMPTY_DAILY);
    for (const d of this.daily.values()) {
      if (d.slice(5).every((v) => v === 0)) continue;
      add.run(...d);
      if (d[5] < 0) drop.run(d[0], d[1], d[2], d[3], d[4]);
    }
    const balance = stmt(UPSERT_BALANCE);
    for (const b of this.balances.values()) balance.run(...b);
    const coverage = stmt(UPSERT_COVERAGE);
    for (const [accountId, start] of this.coverage) coverage.run(accountId, start);
    this.discard();
  }

  /** Forgets everything noted (after a flush, or when the transaction rolls back). */
  discard(): void {
    this.bucketKeys.clear();
    this.daily.clear();
    this.balances.clear();
    this.coverage.clear();
  }

  private fold(sign: 1 | -1): void {
    if (this.bucketKeys.size === 0) return;
    const rows = this.deps.stmt(READ_BUCKETS).all(JSON.stringify([...this.bucketKeys.values()])) as unknown as BucketRow[];
    for (const r of rows) {
      const day = this.deps.dayOf(r.start);
      const k = `${day}\u0000${r.account_id}\u0000${r.model}\u0000${r.key}\u0000${r.currency}`;
      let d = this.daily.get(k);
      if (!d) this.daily.set(k, (d = [day, r.account_id, r.model, r.key, r.currency, 0, 0, 0, 0, 0, 0, 0, 0]));
      d[5] += sign;
      d[6] += sign * r.requests;
      d[7] += sign * r.input_tokens;
      d[8] += sign * r.output_tokens;
      d[9] += sign * r.cached_tokens;
      d[10] += sign * r.reasoning_tokens;
      if (r.cost_micros !== null) {
        d[11] += sign * r.cost_micros;
        d[12] += sign;
      }
    }
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
