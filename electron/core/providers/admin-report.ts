// What the OpenAI and Anthropic organization reports have in common: cursor pages that must end (a server that
// keeps saying "more" is cut off with a note), the time plan of a poll (hourly usage, daily costs, UTC windows),
// and buckets merged by (start, width, model, key) so one store row holds one figure.
import { BUCKET_MS, type BucketWidth, type SpendWindows, type UsageBucket } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';
import { ProviderError } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { isRecord } from './numbers.ts';
import type { FetchContext } from './types.ts';

export const HOUR_MS = BUCKET_MS.hour;
export const DAY_MS = BUCKET_MS.day;

/** At most this many pages per report and poll; a first poll of 31 days of hourly usage needs 5. */
export const MAX_PAGES = 25;

export interface Page {
  data: unknown[];
  hasMore: boolean;
  next: string | null;
}

export interface Pages {
  data: unknown[];
  /** Set when reading stopped before the server said it was done: the note to show. */
  cutShort: string | null;
}

/**
 * Reads every page of a cursor-paged report. `url(cursor)` builds each request. A cursor seen twice or more than
 * `maxPages` pages stop the loop: the buckets read so far are whole (pages are cut between buckets), so they are
 * kept, and the note says the rest is missing.
 */
export async function readPages(
  ctx: FetchContext,
  opts: { what: string; url: (cursor: string | null) => string; headers: Record<string, string>; maxPages?: number },
): Promise<Pages> {
  const maxPages = opts.maxPages ?? MAX_PAGES;
  const data: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let n = 1; ; n++) {
    const url = opts.url(cursor);
    const res = await ctx.http({ method: 'GET', url, headers: opts.headers, timeoutMs: ctx.timeoutMs });
    const page = parsePage(readJson(res, url, { what: opts.what, now: ctx.now() }), url, opts.what);
    data.push(...page.data);
    if (!page.hasMore || !page.next) return { data, cutShort: null };
    if (seen.has(page.next)) {
      return { data, cutShort: `${safeHost(url)} sent the same next-page cursor twice while listing ${opts.what}; Spendbar stopped after ${n} pages, so later ${opts.what} may be missing.` };
    }
    if (n >= maxPages) {
      return { data, cutShort: `${safeHost(url)} still had more pages of ${opts.what} after ${maxPages}; Spendbar stopped there, so later ${opts.what} may be missing until the next poll.` };
    }
    seen.add(page.next);
    cursor = page.next;
  }
}

function parsePage(body: unknown, url: string, what: string): Page {
  if (!isRecord(body) || !Array.isArray(body.data)) {
    throw new ProviderError('bad-response', `${safeHost(url)} sent ${what} without a "data" list. Check that the base URL points at the provider's API.`);
  }
  const next = typeof body.next_page === 'string' && body.next_page !== '' ? body.next_page : null;
  return { data: body.data, hasMore: body.has_more === true, next };
}

export interface ReportPlan {
  now: number;
  /** Hour-aligned start of the usage to read. */
  usageFrom: number;
  /** Day-aligned start of the costs to read: early enough for this month's and this week's totals. */
  costFrom: number;
  /** Cost buckets from here on are (re)stored; older ones only feed the spend windows. */
  emitFrom: number;
  today: number;
  week: number;
  month: number;
}

/**
 * The time plan of one poll, in UTC (the providers' buckets are UTC). A first poll reads `lookbackDays` days;
 * later polls re-read from the newest stored bucket, less a margin for late revisions.
 */
export function planReport(now: number, usageSince: number | undefined, lookbackDays: number, reviseMs = 3 * HOUR_MS): ReportPlan {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const earliest = today - (lookbackDays - 1) * DAY_MS;
  const since = usageSince === undefined ? earliest : Math.max(earliest, Math.min(usageSince, now - reviseMs));
  const usageFrom = Math.floor(since / HOUR_MS) * HOUR_MS;
  const d = new Date(today);
  const month = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const week = today - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  // A day's costs are still revised the day after: re-store yesterday's too.
  const emitFrom = Math.min(Math.floor(usageFrom / DAY_MS) * DAY_MS, today - DAY_MS);
  return { now, usageFrom, costFrom: Math.min(month, week, emitFrom), emitFrom, today, week, month };
}

/** Buckets keyed by (start, width, model, key); adding to an existing one sums its counts and cost. */
export class BucketSet {
  private readonly map = new Map<string, UsageBucket>();

  add(b: UsageBucket): void {
    const id = `${b.start}\u0000${b.width}\u0000${b.model}\u0000${b.key}`;
    const had = this.map.get(id);
    if (!had) {
      this.map.set(id, { ...b, cost: b.cost ? { ...b.cost } : null });
      return;
    }
    had.requests += b.requests;
    had.inputTokens += b.inputTokens;
    had.outputTokens += b.outputTokens;
    had.cachedTokens += b.cachedTokens;
    had.reasoningTokens += b.reasoningTokens;
    if (b.cost) {
      if (had.cost && had.cost.currency !== b.cost.currency) {
        throw new ProviderError('bad-response', `The provider reported costs of ${b.model} in both ${had.cost.currency} and ${b.cost.currency} for one day; Spendbar never adds different currencies and kept the previous figures.`);
      }
      had.cost = { micros: (had.cost?.micros ?? 0) + b.cost.micros, currency: b.cost.currency };
    }
  }

  list(): UsageBucket[] {
    return [...this.map.values()].sort((a, b) => a.start - b.start || cmp(a.model, b.model) || cmp(a.key, b.key) || cmp(a.width, b.width));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function emptyBucket(start: number, width: BucketWidth, model: string, key: string): UsageBucket {
  return { start, width, model, key, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: null };
}

/** Today / this week / this month (UTC) summed from daily cost entries of one currency. */
export function spendWindows(costs: { start: number; cost: Money }[], plan: ReportPlan, currency: string): SpendWindows {
  const sum = (from: number): Money => ({
    micros: costs.filter((c) => c.start >= from && c.cost.currency === currency).reduce((s, c) => s + c.cost.micros, 0),
    currency,
  });
  return { today: sum(plan.today), week: sum(plan.week), month: sum(plan.month) };
}

/** Unix seconds (or an RFC 3339 string) to epoch ms floored to the bucket width; a bad time is a bad response. */
export function bucketStart(value: unknown, width: BucketWidth, field: string): number {
  const ms = typeof value === 'number' && Number.isFinite(value) ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new ProviderError('bad-response', `The provider reported ${JSON.stringify(String(value).slice(0, 30))} for ${field}, which is not a time; Spendbar kept the previous figures.`);
  }
  const w = BUCKET_MS[width];
  return Math.floor(ms / w) * w;
}

/** Names for ids, read once in a while: a failed lookup keeps the last names (or the ids) and never fails a poll. */
export class NameCache {
  private readonly entries = new Map<string, { at: number; names: Map<string, string> }>();
  private readonly ttlMs: number;

  constructor(ttlMs = 6 * HOUR_MS) {
    this.ttlMs = ttlMs;
  }

  async get(id: string, now: number, load: () => Promise<Map<string, string>>): Promise<{ names: Map<string, string>; problem: string | null }> {
    const had = this.entries.get(id);
    if (had && now - had.at < this.ttlMs) return { names: had.names, problem: null };
    try {
      const names = await load();
      if (this.entries.size > 200) this.entries.clear();
      this.entries.set(id, { at: now, names });
      return { names, problem: null };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { names: had?.names ?? new Map(), problem: why };
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
