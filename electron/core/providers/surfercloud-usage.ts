// GetUMInferTokenUsage: token and request counts of one API key (per model), as timestamped entries. The start and
// width of a bucket come from its timestamp: regions bucket by UTC day, by China-time day (timestamps at 16:00 UTC) or
// by hour, and Spendbar keeps every bucket where it starts rather than folding it into a UTC day, which split China
// days in two and lost the part read before a day ended. Reads overlap by a day so a bucket still filling (or filled
// late) is read whole again; the store's upsert replaces it.
import { BUCKET_MS, type UsageBucket } from '../../../shared/domain.ts';
import { ProviderError } from '../errors.ts';
import { count, isRecord, nonNegative } from './numbers.ts';
import type { FetchContext } from './types.ts';
import { call, type SurferSettings } from './surfercloud-api.ts';
import { compareText } from '../text-order.ts';

const DAY_S = 86_400;
const HOUR_S = 3_600;
const CHINA_OFFSET_S = 8 * HOUR_S;
/** The service times out on longer windows, so every request covers at most this much. */
export const SURFER_MAX_SLICE_S = 10 * DAY_S;
export const DEFAULT_LOOKBACK_DAYS = 30;
/** Beyond this a first poll would fan out into dozens of signed requests per model. */
export const MAX_LOOKBACK_DAYS = 90;
const CONCURRENCY = 3;

export interface UsageSlice {
  /** Unix seconds, inclusive at both ends. */
  startTime: number;
  endTime: number;
}

/** Consecutive ≤10-day windows from `fromMs` (to the second) up to `nowMs`; each starts where the last ended. */
export function usageSlices(fromMs: number, nowMs: number): UsageSlice[] {
  const nowS = Math.floor(nowMs / 1000);
  const startS = Math.floor(Math.min(fromMs, nowMs) / 1000);
  const slices: UsageSlice[] = [];
  let s = startS;
  do {
    slices.push({ startTime: s, endTime: Math.min(s + SURFER_MAX_SLICE_S - 1, nowS) });
    s += SURFER_MAX_SLICE_S;
  } while (s < nowS);
  return slices;
}

/**
 * Where a read starts: a day before the newest stored bucket (so it and the one before are read whole again), or on
 * a first read from both the UTC and the China-time midnight before the look-back, so a first day is whole on either grid.
 */
export function readFrom(usageSince: number | undefined, now: number, notes: string[]): number {
  let from = usageSince !== undefined ? usageSince - BUCKET_MS.day : now - DEFAULT_LOOKBACK_DAYS * BUCKET_MS.day;
  if (from < now - MAX_LOOKBACK_DAYS * BUCKET_MS.day) {
    from = now - MAX_LOOKBACK_DAYS * BUCKET_MS.day;
    notes.push(`Read the last ${MAX_LOOKBACK_DAYS} days of usage only.`);
  }
  if (usageSince === undefined) return Math.floor(from / BUCKET_MS.day) * BUCKET_MS.day - CHINA_OFFSET_S * 1000;
  return Math.floor(from / BUCKET_MS.hour) * BUCKET_MS.hour;
}

interface Entry {
  type: string;
  count: number;
  timestamp: number;
  model: string;
}

interface UsageData {
  usages: Entry[];
  inTotal: number;
  outTotal: number;
  requestTotal: number;
}

export async function readTokenUsage(ctx: FetchContext, s: SurferSettings, notes: string[]): Promise<UsageBucket[]> {
  const now = ctx.now();
  const from = readFrom(ctx.usageSince, now, notes);
  const slices = usageSlices(from, now);
  const requests = slices.flatMap((slice) => (s.models.length ? s.models.map((model) => ({ slice, model })) : [{ slice, model: '' }]));
  const usages = new Usages(s.keyId, slices[0]?.startTime ?? 0);
  await runLimited(requests, CONCURRENCY, async ({ slice, model }) => {
    const params: Record<string, string | number> = { Action: 'GetUMInferTokenUsage', KeyId: s.keyId, StartTime: slice.startTime, EndTime: slice.endTime };
    if (model) params.Model = model;
    usages.add(parse(await call(ctx, s, params, 'token usage'), s.name), model);
  });
  notes.push(...usages.notes(s.name));
  return usages.buckets(ctx.usageSince !== undefined);
}

function bounded(n: number, name: string): number {
  if (n > 1e15) throw new ProviderError('bad-response', `${name} reported ${n}, which is too large to be a token count or time; Spendbar kept the previous figures.`);
  return n;
}

function parse(body: Record<string, unknown>, name: string): UsageData {
  const data = isRecord(body.Data) ? body.Data : {};
  const raw = data.Usages ?? [];
  if (!Array.isArray(raw)) throw new ProviderError('bad-response', `${name} sent Data.Usages that is not a list.`);
  const usages = raw.map((u, i) => {
    if (!isRecord(u)) throw new ProviderError('bad-response', `${name} sent a usage entry that is not an object.`);
    return {
      type: typeof u.Type === 'string' ? u.Type : '',
      count: bounded(count(u.Count, `Usages[${i}].Count`), name),
      timestamp: bounded(nonNegative(u.Timestamp, `Usages[${i}].Timestamp`), name),
      model: typeof u.Model === 'string' ? u.Model : '',
    };
  });
  const total = (v: unknown, field: string) => (v === undefined || v === null ? 0 : bounded(count(v, field), name));
  return { usages, inTotal: total(data.InTotal, 'InTotal'), outTotal: total(data.OutTotal, 'OutTotal'), requestTotal: total(data.RequestTotal, 'RequestTotal') };
}

/**
 * The grid of the timestamps a read returned: a day when they all share one time of day (or, alone, sit at a UTC or
 * China-time midnight, or off the hour as in half-hour zones), else an hour.
 */
export function gridOf(timestamps: Iterable<number>): 'hour' | 'day' {
  const ts = [...new Set(timestamps)].sort((a, b) => a - b);
  const first = ts[0];
  if (first === undefined) return 'day';
  if (ts.some((t) => t % HOUR_S !== 0)) return 'day';
  if (ts.length >= 2) return ts.every((t) => (t - first) % DAY_S === 0) ? 'day' : 'hour';
  return widthOf(first);
}

/**
 * The width a bucket is stored under, from its own timestamp alone: a bucket is identified by its start *and* width,
 * so the label must never depend on what else a read returned (a lone bucket read one way and then the other would be
 * stored twice). Days start at UTC or China-time midnight (or off the hour, in half-hour zones); anything else on the
 * hour is an hour. An hourly region's buckets at 00:00 and 16:00 UTC are labelled days: charts count a bucket where it
 * starts, so only the end time shown for those is off.
 */
export function widthOf(tsS: number): 'hour' | 'day' {
  if (tsS % HOUR_S !== 0) return 'day';
  return tsS % DAY_S === 0 || (tsS + CHINA_OFFSET_S) % DAY_S === 0 ? 'day' : 'hour';
}

/** Where a bucket starts (ms): its own timestamp when that is on a quarter hour (every zone's midnight is), else its hour. */
function startOf(tsS: number): number {
  return tsS % 900 === 0 ? tsS * 1000 : Math.floor(tsS / HOUR_S) * HOUR_S * 1000;
}

interface Totals {
  in: number;
  out: number;
  total: number;
  requests: number;
  images: number;
  hasSplit: boolean;
}

/** Sums responses per bucket timestamp and model; slices never overlap, so plain sums count each hour once. */
class Usages {
  private readonly byBucket = new Map<string, { ts: number; model: string; t: Totals }>();
  private readonly keyId: string;
  private readonly windowStartS: number;
  private images = 0;
  private otherModels = 0;
  private readonly unsplit = { in: 0, out: 0, requests: 0 };

  constructor(keyId: string, windowStartS: number) {
    this.keyId = keyId;
    this.windowStartS = windowStartS;
  }

  add(data: UsageData, requestedModel: string): void {
    if (data.usages.length === 0) {
      this.unsplit.in += data.inTotal;
      this.unsplit.out += data.outTotal;
      this.unsplit.requests += data.requestTotal;
      return;
    }
    for (const u of data.usages) {
      const model = u.model || requestedModel || 'unknown';
      // A per-model request that came back with other models would count them once per requested model.
      if (requestedModel && model !== requestedModel) {
        this.otherModels++;
        continue;
      }
      // Stamped before the window: a bucket this read saw only in part (a fuller figure may be stored).
      if (u.timestamp < this.windowStartS) continue;
      const id = `${u.timestamp}\u0000${model}`;
      let b = this.byBucket.get(id);
      if (!b) this.byBucket.set(id, (b = { ts: u.timestamp, model, t: { in: 0, out: 0, total: 0, requests: 0, images: 0, hasSplit: false } }));
      if (u.type === 'image_generation') {
        // Kept on the bucket and model they were reported for: the Overview counts them.
        this.images += u.count;
        b.t.images += u.count;
        continue;
      }
      if (u.type === 'in') b.t.in += u.count;
      else if (u.type === 'out') b.t.out += u.count;
      else if (u.type === 'total') b.t.total += u.count;
      else if (u.type === 'request_count') b.t.requests += u.count;
      if (u.type === 'in' || u.type === 'out') b.t.hasSplit = true;
    }
  }

  /** With `stored`, China-time days also clear what an older Spendbar filed under the UTC midnight before them. */
  buckets(stored: boolean): UsageBucket[] {
    const grid = gridOf([...this.byBucket.values()].map((b) => b.ts));
    const out = new Map<string, UsageBucket>();
    for (const { ts, model, t } of this.byBucket.values()) {
      // `total` repeats in + out; it is only used when a bucket came without the split.
      const inputTokens = t.hasSplit ? t.in : t.total;
      if (inputTokens === 0 && t.out === 0 && t.requests === 0 && t.images === 0) continue;
      const start = startOf(ts);
      const bucket: UsageBucket = { start, width: widthOf(ts), model, key: this.keyId, requests: t.requests, inputTokens, outputTokens: t.out, cachedTokens: 0, reasoningTokens: 0, cost: null };
      if (t.images > 0) bucket.images = t.images;
      out.set(`${start}\u0000${model}`, bucket);
    }
    if (stored && grid === 'day') {
      for (const b of [...out.values()]) {
        const utcMidnight = b.start - (b.start % BUCKET_MS.day);
        const id = `${utcMidnight}\u0000${b.model}`;
        if (utcMidnight !== b.start && utcMidnight >= this.windowStartS * 1000 && !out.has(id)) {
          const cleared: UsageBucket = { ...b, start: utcMidnight, width: 'day', requests: 0, inputTokens: 0, outputTokens: 0 };
          if (b.images !== undefined) cleared.images = 0;
          out.set(id, cleared);
        }
      }
    }
    return [...out.values()].sort((a, b) => a.start - b.start || compareText(a.model, b.model));
  }

  notes(name: string): string[] {
    const notes: string[] = [];
    const totalsOnly = [...this.byBucket.values()].filter(({ t }) => !t.hasSplit && t.total > 0).length;
    if (totalsOnly) notes.push(`For ${totalsOnly} model and time bucket(s) ${name} reported only a total token count; it is shown as input tokens.`);
    if (this.images) notes.push(`${name} reported ${this.images} image generation(s) in this read; the Overview counts them per day.`);
    if (this.otherModels) {
      notes.push(`${name} answered per-model requests with usage of other models (${this.otherModels} entries, not counted): check that the model names in this account's options match exactly.`);
    }
    const u = this.unsplit;
    if (u.in || u.out || u.requests) {
      notes.push(`${name} reported ${u.in} input and ${u.out} output tokens over ${u.requests} requests without a per-day breakdown; they are not charted.`);
    }
    return notes;
  }
}

/** Runs `work` over `items` with at most `limit` in flight; stops starting new work after the first failure. */
export async function runLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}
