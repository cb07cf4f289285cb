// series(): usage and balance over time, cut into hour/day/week/month buckets of the query's zone.
// SQL groups by the natural unit of its source (bucket start, roll-up day, snapshot time); each group is then
// placed in its query bucket by binary search, which is what makes DST-correct buckets cheap.
import type { Series, SeriesBucket, SeriesMetric, SeriesQuery, SeriesResult } from '../../../shared/domain.ts';
import { balanceSegments, DAILY_BY_MODEL, filterSql, modelFilterSql, usageSegments, usageSource, type QueryContext, type Segment } from './plan.ts';
import { bucketIndex, bucketStarts, checkTimeZone, COARSER, NOMINAL_MS } from './tz.ts';
import { compareText } from '../text-order.ts';

export const DEFAULT_MAX_POINTS = 1000;

export const GROUP_COLUMN: Record<SeriesQuery['groupBy'], string> = {
  account: 'account_id',
  model: 'model',
  key: 'key',
  none: `'all'`,
};

const USAGE_EXPR: Record<Exclude<SeriesMetric, 'balance'>, string> = {
  requests: 'requests',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  totalTokens: 'input_tokens + output_tokens',
  cachedTokens: 'cached_tokens',
  reasoningTokens: 'reasoning_tokens',
  cost: 'cost_micros',
};

/** The requested bucket, made coarser until (to − from) / bucket fits in maxPoints; 'month' is the coarsest. */
export function chooseBucket(bucket: SeriesBucket, from: number, to: number, maxPoints: number): SeriesBucket {
  let b = bucket;
  for (let next = COARSER[b]; next && (to - from) / NOMINAL_MS[b] > maxPoints; next = COARSER[b]) b = next;
  return b;
}

function lookup<T>(table: Record<string, T>, key: string, what: string): T {
  if (!Object.hasOwn(table, key)) throw new RangeError(`Unknown ${what} "${key}".`);
  return table[key] as T;
}

interface Acc {
  group: string;
  currency: string;
  values: Map<number, number>;
  /** Some bucket behind it is an hour wide (or its width is unknown). */
  hourly: boolean;
}

function accumulate(accs: Map<string, Acc>, group: string, currency: string, idx: number, v: number, hourly = true): void {
  const k = `${group}\u0000${currency}`;
  let a = accs.get(k);
  if (!a) {
    a = { group, currency, values: new Map(), hourly: false };
    accs.set(k, a);
  }
  a.values.set(idx, (a.values.get(idx) ?? 0) + v);
  if (hourly) a.hourly = true;
}

function toSeries(accs: Map<string, Acc>, starts: readonly number[], withCurrency: boolean, hourBuckets = false): Series[] {
  const out: Series[] = [];
  for (const a of accs.values()) {
    const points = [...a.values].sort((x, y) => x[0] - y[0]).map(([i, v]) => ({ t: starts[i] as number, v }));
    const s: Series = { group: a.group, points };
    if (withCurrency && a.currency) s.currency = a.currency;
    if (hourBuckets && !a.hourly) s.width = 'day';
    out.push(s);
  }
  return out.sort((x, y) => (x.group < y.group ? -1 : x.group > y.group ? 1 : compareText(x.currency ?? '', y.currency ?? '')));
}

function usageSql(
  ctx: QueryContext,
  seg: Segment,
  metric: Exclude<SeriesMetric, 'balance'>,
  groupCol: string,
  filters: string,
  byModel: boolean,
): string {
  const cost = metric === 'cost';
  const { table, t, width } = byModel ? { table: DAILY_BY_MODEL, t: 'day', width: undefined } : usageSource(ctx, seg);
  const present = !cost ? 'true' : seg.rollup ? 'cost_n > 0' : 'cost_micros IS NOT NULL';
  return `SELECT ${t} AS t, ${groupCol} AS g, ${cost ? 'currency' : `''`} AS c, SUM(${USAGE_EXPR[metric]}) AS v,
      ${width ? `MAX(${width} = 'hour')` : '1'} AS h
    FROM ${table} WHERE ${t} >= $from AND ${t} < $to AND ${present}${filters} GROUP BY t, g, c`;
}

// Per-currency balances of ok snapshots from the raw rows (for what balance_hourly does not cover). The account list
// is walked with index seeks so each account's time range is read through the (account_id, time) index.
export const RAW_BALANCES = `
  WITH RECURSIVE every(id) AS (
    SELECT min(account_id) FROM snapshots
    UNION ALL
    SELECT (SELECT min(account_id) FROM snapshots WHERE account_id > every.id) FROM every WHERE every.id IS NOT NULL),
  accts(id) AS (
    SELECT value FROM json_each($accounts)
    UNION ALL
    SELECT id FROM every WHERE $accounts IS NULL AND id IS NOT NULL)
  SELECT s.account_id AS a, b.value ->> '$.currency' AS c, s.time AS time, b.value ->> '$.micros' AS m
  FROM accts CROSS JOIN snapshots s CROSS JOIN json_each(s.data, '$.balances') b
  WHERE s.account_id = accts.id AND s.time >= $from AND s.time < $to AND s.ok = 1
  UNION ALL
  SELECT s.account_id, s.balance_currency, s.time, s.balance_micros
  FROM accts CROSS JOIN snapshots s
  WHERE s.account_id = accts.id AND s.time >= $from AND s.time < $to AND s.ok = 1
    AND s.balance_micros IS NOT NULL AND coalesce(json_array_length(s.data, '$.balances'), 0) = 0`;

const HOURLY_BALANCES = (filters: string) => `
  SELECT account_id AS a, currency AS c, time, micros AS m FROM balance_hourly
  WHERE hour >= $from AND hour < $to${filters}`;

const DAILY_BALANCES = (filters: string) => `
  SELECT account_id AS a, currency AS c, time, micros AS m FROM balance_daily
  WHERE day >= $from AND day < $to AND time >= $tfrom AND time < $tto${filters}`;

function balanceSeries(ctx: QueryContext, q: SeriesQuery, starts: readonly number[]): Series[] {
  const f = filterSql(q, false);
  const n = starts.length;
  // The last balance in each bucket per account and currency; then summed across accounts unless grouped by account.
  // Rows are streamed and folded into typed arrays: a 90-day range is tens of thousands of rows.
  const last = new Map<string, Map<string, { time: Float64Array; micros: Float64Array }>>();
  for (const seg of balanceSegments(ctx, q.from, q.to, starts)) {
    const sql = seg.source === 'daily' ? DAILY_BALANCES(f.sql) : seg.source === 'hourly' ? HOURLY_BALANCES(f.sql) : RAW_BALANCES;
    const range: Record<string, number> = seg.source === 'daily' ? { from: seg.from, to: seg.to, tfrom: q.from, tto: q.to } : { from: seg.from, to: seg.to };
    const rows = ctx.arrays(sql).iterate({ ...f.params, ...range }) as unknown as Iterable<[string, string, number, number]>;
    for (const [a, c, time, m] of rows) {
      const idx = bucketIndex(starts, time);
      if (idx < 0) continue;
      let byCurrency = last.get(a);
      if (!byCurrency) last.set(a, (byCurrency = new Map()));
      let slot = byCurrency.get(c);
      if (!slot) byCurrency.set(c, (slot = { time: new Float64Array(n).fill(-Infinity), micros: new Float64Array(n) }));
      if (time >= (slot.time[idx] as number)) {
        slot.time[idx] = time;
        slot.micros[idx] = m;
      }
    }
  }
  const accs = new Map<string, Acc>();
  for (const [a, byCurrency] of last) {
    for (const [c, slot] of byCurrency) {
      for (let i = 0; i < n; i++) {
        if (slot.time[i] !== -Infinity) accumulate(accs, q.groupBy === 'account' ? a : 'all', c, i, slot.micros[i] as number);
      }
    }
  }
  return toSeries(accs, starts, true);
}

function usageSeries(ctx: QueryContext, q: SeriesQuery, starts: readonly number[], bucket: SeriesBucket): Series[] {
  const metric = q.metric as Exclude<SeriesMetric, 'balance'>;
  const f = filterSql(q);
  // Without an account or key filter, a per-model or overall series reads whole days from usage_daily_model.
  const modelsOnly =
    !ctx.usage && !q.accountIds?.length && !q.keys?.length && (q.groupBy === 'model' || q.groupBy === 'none');
  const m = modelFilterSql(q);
  const accs = new Map<string, Acc>();
  for (const seg of usageSegments(ctx, q.from, q.to, starts)) {
    const byModel = modelsOnly && seg.rollup;
    const sql = usageSql(ctx, seg, metric, GROUP_COLUMN[q.groupBy], byModel ? m.sql : f.sql, byModel);
    const params = byModel ? m.params : f.params;
    const rows = ctx.arrays(sql).iterate({ ...params, from: seg.from, to: seg.to }) as unknown as Iterable<
      [number, string, string, number, number]
    >;
    for (const [t, g, c, v, h] of rows) {
      const idx = bucketIndex(starts, t);
      if (idx >= 0) accumulate(accs, g, c, idx, v, h === 1);
    }
  }
  return toSeries(accs, starts, metric === 'cost', bucket === 'hour');
}

/**
 * Answers a series query. Range is [from, to); a point's t is its bucket's start (the first bucket may start before
 * `from` and holds only data from `from` on). Buckets without stored data are omitted, not zero-filled. Usage counts
 * in the bucket containing its start, whatever its width. Balance series have no model or key: grouped by account
 * they are per account, otherwise summed over accounts ("all"); always one series per currency.
 */
export function querySeries(ctx: QueryContext, q: SeriesQuery): SeriesResult {
  const zone = checkTimeZone(q.timeZone ?? 'UTC');
  lookup(GROUP_COLUMN, q.groupBy, 'groupBy');
  if (q.metric !== 'balance') lookup(USAGE_EXPR, q.metric, 'metric');
  lookup(NOMINAL_MS, q.bucket, 'bucket');
  const bucket = chooseBucket(q.bucket, q.from, q.to, q.maxPoints ?? DEFAULT_MAX_POINTS);
  const starts = bucketStarts(zone, bucket, q.from, q.to);
  if (starts.length === 0) return { query: q, bucket, starts, series: [] };
  const series = q.metric === 'balance' ? balanceSeries(ctx, q, starts) : usageSeries(ctx, q, starts, bucket);
  return { query: q, bucket, starts, series };
}
