// Which table answers which part of a time range. usage_daily rows cover whole local days of the store's zone;
// balance_hourly rows cover whole UTC hours. A roll-up serves the whole units inside [from, to) when no query bucket
// boundary cuts through one of them; the ragged edges (and everything, when a boundary would cut) come from raw rows.
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { nextBucketStart } from './tz.ts';

export interface Segment {
  rollup: boolean;
  from: number;
  to: number;
}

/**
 * Which tables hold usage. The store's own: usage_buckets (by bucket start) with the usage_daily roll-up. Another
 * table of the same columns (the metering proxy's hourly sums) can be read the same way; without a roll-up every
 * query reads it directly.
 */
export interface UsageTables {
  raw: string;
  rawTime: string;
  rollup: { table: string; time: string } | null;
  /** The raw table's bucket-width column, where its rows can be wider than an hour. */
  rawWidth?: string;
}

export const STORE_USAGE: UsageTables = { raw: 'usage_buckets', rawTime: 'start', rawWidth: 'width', rollup: { table: 'usage_daily', time: 'day' } };

/** The table and time column a segment is read from. */
export function usageSource(ctx: QueryContext, seg: Segment): { table: string; t: string; width?: string } {
  const u = ctx.usage ?? STORE_USAGE;
  return seg.rollup && u.rollup ? { table: u.rollup.table, t: u.rollup.time } : { table: u.raw, t: u.rawTime, ...(u.rawWidth ? { width: u.rawWidth } : {}) };
}

export interface QueryContext {
  /** Where usage is read from; the store's own tables when absent. */
  usage?: UsageTables;
  stmt(sql: string): StatementSync;
  /** A cached statement whose rows come back as arrays: far less garbage than objects on hot paths. */
  arrays(sql: string): StatementSync;
  storeZone: string;
  storeDay: (t: number) => number;
}

export interface Filters {
  accountIds?: string[] | undefined;
  models?: string[] | undefined;
  keys?: string[] | undefined;
}

const HOUR = 3_600_000;

function split(from: number, to: number, a: number, b: number): Segment[] {
  if (!(a < b)) return [{ rollup: false, from, to }];
  const out: Segment[] = [];
  if (from < a) out.push({ rollup: false, from, to: a });
  out.push({ rollup: true, from: a, to: b });
  if (b < to) out.push({ rollup: false, from: b, to });
  return out;
}

/**
 * Segments for usage: whole store-zone days from usage_daily, provided every boundary inside is a local midnight.
 * A partly covered day at either edge is read from the roll-up too when the part of it outside [from, to) holds no
 * usage at all (the usual "last N days until now": nothing is stored after now) and no bucket boundary cuts it.
 */
export function usageSegments(ctx: QueryContext, from: number, to: number, boundaries?: readonly number[]): Segment[] {
  const raw: Segment[] = [{ rollup: false, from, to }];
  if (ctx.usage && !ctx.usage.rollup) return raw;
  const d0 = ctx.storeDay(from);
  const a = d0 === from ? from : nextBucketStart(ctx.storeZone, 'day', d0);
  const b = ctx.storeDay(to);
  if (boundaries?.some((t) => t > a && t < b && ctx.storeDay(t) !== t)) return raw;
  const u = ctx.usage ?? STORE_USAGE;
  const empty = (x: number, y: number) =>
    ctx.stmt(`SELECT 1 AS x FROM ${u.raw} WHERE ${u.rawTime} >= ? AND ${u.rawTime} < ? LIMIT 1`).get(x, y) === undefined;
  // Rows of the whole day [x, next) all land in the query bucket that holds x.
  const uncut = (x: number, y: number) =>
    boundaries === undefined || ((boundaries[0] ?? Infinity) <= x && !boundaries.some((t) => t > x && t < y));
  const headWhole = d0 < from && uncut(d0, a) && empty(d0, from);
  const next = b < to ? nextBucketStart(ctx.storeZone, 'day', b) : b;
  const tailWhole = b < to && uncut(b, to) && empty(to, next);
  if (!(a <= b)) return headWhole && tailWhole ? [{ rollup: true, from: d0, to: a }] : raw;
  const out: Segment[] = [];
  if (from < a && !headWhole) out.push({ rollup: false, from, to: a });
  const lo = headWhole ? d0 : a;
  const hi = tailWhole ? next : b;
  if (lo < hi) out.push({ rollup: true, from: lo, to: hi });
  if (b < to && !tailWhole) out.push({ rollup: false, from: b, to });
  return out;
}

export interface BalanceSegment {
  source: 'raw' | 'hourly' | 'daily';
  from: number;
  to: number;
}

function hourSegments(from: number, to: number, boundaries: readonly number[]): BalanceSegment[] {
  if (!(from < to)) return [];
  const a = Math.ceil(from / HOUR) * HOUR;
  const b = Math.floor(to / HOUR) * HOUR;
  if (boundaries.some((t) => t > a && t < b && t % HOUR !== 0)) return [{ source: 'raw', from, to }];
  return split(from, to, a, b).map((s) => ({ source: s.rollup ? 'hourly' : 'raw', from: s.from, to: s.to }));
}

/**
 * Segments for balances: whole store-zone days from balance_daily, provided every boundary inside is a local
 * midnight; whole UTC hours from balance_hourly, provided every boundary inside is on the hour; raw snapshots for
 * the rest. A daily segment is read with the query's time range as well ($tfrom, $tto), which makes the partly
 * covered edge days exact from the roll-up too: at the start, a day's last balance at or after `from` is the last in
 * [from, next day); at the end, the day is taken whole when no account's last balance of it is at or after `to`.
 */
export function balanceSegments(ctx: QueryContext, from: number, to: number, boundaries: readonly number[]): BalanceSegment[] {
  const d0 = ctx.storeDay(from);
  const a = d0 === from ? from : nextBucketStart(ctx.storeZone, 'day', d0);
  const b = ctx.storeDay(to);
  if (boundaries.some((t) => t > a && t < b && ctx.storeDay(t) !== t)) return hourSegments(from, to, boundaries);
  const uncut = (x: number, y: number) => (boundaries[0] ?? Infinity) <= x && !boundaries.some((t) => t > x && t < y);
  const headWhole = d0 < from && uncut(d0, a);
  const next = b < to ? nextBucketStart(ctx.storeZone, 'day', b) : b;
  const tailWhole =
    b < to && uncut(b, to) && ctx.stmt(`SELECT 1 AS x FROM balance_daily WHERE day = ? AND time >= ? LIMIT 1`).get(b, to) === undefined;
  if (!(a <= b)) return headWhole && tailWhole ? [{ source: 'daily', from: d0, to: a }] : hourSegments(from, to, boundaries);
  const lo = headWhole ? d0 : a;
  const hi = tailWhole ? next : b;
  return [
    ...(headWhole ? [] : hourSegments(from, a, boundaries)),
    ...(lo < hi ? [{ source: 'daily' as const, from: lo, to: hi }] : []),
    ...(tailWhole ? [] : hourSegments(b, to, boundaries)),
  ];
}

function list(values: string[] | undefined): string | null {
  return values && values.length > 0 ? JSON.stringify(values) : null;
}

/** usage_daily summed over accounts and keys: answers per-model and overall daily usage without those filters. */
export const DAILY_BY_MODEL = 'usage_daily_model';

/** The model filter alone (for DAILY_BY_MODEL, which has no account or key). */
export function modelFilterSql(f: Filters): { sql: string; params: Record<string, SQLInputValue> } {
  return { sql: ` AND ($models IS NULL OR model IN (SELECT value FROM json_each($models)))`, params: { models: list(f.models) } };
}

/** Filter clauses and their parameters; an absent or empty list means "no filter". */
export function filterSql(f: Filters, withUsageDims = true): { sql: string; params: Record<string, SQLInputValue> } {
  const params: Record<string, SQLInputValue> = { accounts: list(f.accountIds) };
  let sql = ` AND ($accounts IS NULL OR account_id IN (SELECT value FROM json_each($accounts)))`;
  if (withUsageDims) {
    params.models = list(f.models);
    params.keys = list(f.keys);
    sql +=
      ` AND ($models IS NULL OR model IN (SELECT value FROM json_each($models)))` +
      ` AND ($keys IS NULL OR key IN (SELECT value FROM json_each($keys)))`;
  }
  return { sql, params };
}
