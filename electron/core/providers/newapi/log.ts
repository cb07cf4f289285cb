// Per-model usage from New-API's request log of one key, GET /api/log/token. Two generations:
// - since 2026-02-06: the key in the Authorization header; the newest 1,000 rows (newest first);
// - before: the key only in ?key=, every row of the key, in no order.
// Rows carry no stable id (a display index, or db id % 1024), so nothing is deduplicated across polls: every poll
// re-sums the hours it can see whole and replaces them, and the store's upsert makes that idempotent.
// Spend = Σ quota of consume rows (type 2) − Σ quota of refunds (type 6); error rows (5) cost nothing.
import { BUCKET_MS, type UsageBucket } from '../../../../shared/domain.ts';
import { ProviderError } from '../../errors.ts';
import { readJson, safeHost } from '../../http.ts';
import { isRecord } from '../numbers.ts';
import type { FetchContext } from '../types.ts';
import type { Scale } from './settings.ts';
import { bearer, clock, errorMessage, get, quote, retryAfterMs } from './wire.ts';
import { formatNumber } from '../../../../shared/money.ts';

/** common.MaxRecentItems: the current handler's row cap. */
export const LOG_ROW_CAP = 1000;

const CONSUME = 2;
const ERROR = 5;
const REFUND = 6;
/** Topup, manage, system, login: not usage, and normally not tied to a key. */
const NOT_USAGE = new Set([1, 3, 4, 7]);

export interface LogRead {
  buckets: UsageBucket[];
  notes: string[];
  /** Rows the gateway returned (0: an empty log). */
  rows: number;
}

export async function readLog(
  ctx: FetchContext,
  root: string,
  key: string,
  scale: Scale,
  opts: { keyInUrl: boolean; secrets: string[] },
): Promise<LogRead> {
  const base = `${root}/api/log/token`;
  const url = opts.keyInUrl ? `${base}?key=${encodeURIComponent(key)}` : base;
  const res = await get(ctx, url, bearer(key));
  if (res.status === 429) {
    const wait = retryAfterMs(res, ctx.now());
    throw new ProviderError('rate-limited', 'The gateway is rate limiting its request log (429).', { status: 429, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
  }
  const body = readJson(res, base, { what: 'the request log', now: ctx.now() });
  if (!isRecord(body) || body.success !== true) {
    const said = quote(errorMessage(body), opts.secrets);
    throw new ProviderError('provider', `${safeHost(base)} could not read this key's request log${said ? `: "${said}"` : ''}.`);
  }
  if (!Array.isArray(body.data)) throw new ProviderError('bad-response', `${safeHost(base)} sent a request log that is not a list.`);
  return summarise(body.data, scale, ctx.usageSince);
}

interface Acc {
  bucket: UsageBucket;
  quota: number;
}

function int(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

function cachedTokens(other: unknown): number {
  if (typeof other !== 'string' || !other) return 0;
  try {
    const o: unknown = JSON.parse(other);
    const n = isRecord(o) ? int(o.cache_tokens) : null;
    return n !== null && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** Rows → hourly buckets per model and key name. Exported for tests. */
export function summarise(rows: unknown[], scale: Scale, usageSince: number | undefined): LogRead {
  const hours = new Map<string, Acc>();
  const unknownTypes = new Map<number | string, number>();
  let unreadable = 0;
  let oldest = Infinity;
  let errors = 0;
  for (const row of rows) {
    const createdAt = isRecord(row) ? int(row.created_at) : null;
    if (!isRecord(row) || createdAt === null || createdAt <= 0) {
      unreadable++;
      continue;
    }
    const ms = createdAt * 1000;
    oldest = Math.min(oldest, ms);
    const type = int(row.type);
    if (type === ERROR) {
      errors++;
      continue;
    }
    if (type !== CONSUME && type !== REFUND) {
      if (type === null || !NOT_USAGE.has(type)) unknownTypes.set(type ?? String(row.type), (unknownTypes.get(type ?? String(row.type)) ?? 0) + 1);
      continue;
    }
    const quota = int(row.quota);
    if (quota === null) {
      unreadable++;
      continue;
    }
    const start = Math.floor(ms / BUCKET_MS.hour) * BUCKET_MS.hour;
    const model = typeof row.model_name === 'string' && row.model_name ? row.model_name : 'unknown';
    const keyName = typeof row.token_name === 'string' ? row.token_name : '';
    const id = `${start}\u0000${model}\u0000${keyName}`;
    let acc = hours.get(id);
    if (!acc) {
      acc = {
        bucket: { start, width: 'hour', model, key: keyName, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: null },
        quota: 0,
      };
      hours.set(id, acc);
    }
    if (type === REFUND) {
      acc.quota -= Math.abs(quota);
      continue;
    }
    acc.quota += quota;
    acc.bucket.requests += 1;
    acc.bucket.inputTokens += Math.max(0, int(row.prompt_tokens) ?? 0);
    acc.bucket.outputTokens += Math.max(0, int(row.completion_tokens) ?? 0);
    acc.bucket.cachedTokens += cachedTokens(row.other);
  }

  const notes: string[] = [];
  // A full page may have cut the oldest hour short; a fuller figure for it may already be stored, so it is left out
  // rather than overwritten with less. (On a first read nothing is stored yet, and the part is better than nothing.)
  const capped = rows.length >= LOG_ROW_CAP;
  const cutHour = capped && oldest !== Infinity && usageSince !== undefined ? Math.floor(oldest / BUCKET_MS.hour) * BUCKET_MS.hour : null;
  const buckets: UsageBucket[] = [];
  for (const { bucket, quota } of hours.values()) {
    if (cutHour !== null && bucket.start === cutHour && cutHour <= usageSince!) continue;
    const micros = Math.round(quota * scale.microsPerUnit);
    buckets.push({ ...bucket, cost: { micros: micros === 0 ? 0 : micros, currency: scale.currency } });
  }
  buckets.sort((a, b) => a.start - b.start || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) || (a.key < b.key ? -1 : 1));

  if (rows.length === 0) {
    notes.push('The gateway’s request log for this key is empty (the gateway may not log consumption), so there is no per-model usage.');
  } else {
    const reach = capped
      ? `its newest ${formatNumber(LOG_ROW_CAP)} requests (the most the gateway returns), back to ${clock(oldest)}; earlier usage comes from earlier polls`
      : `${formatNumber(rows.length)} request(s) back to ${clock(oldest)}`;
    notes.push(`Per-model usage comes from the gateway’s request log of this key: ${reach}.`);
  }
  if (unknownTypes.size > 0) {
    const list = [...unknownTypes].map(([t, n]) => `${n} of type ${String(t).slice(0, 12)}`).join(', ');
    notes.push(`The request log has rows Spendbar does not know (${list}); they were not counted. The figures from the other rows are kept.`);
  }
  if (unreadable > 0) notes.push(`${unreadable} request-log row(s) had no usable time or quota and were skipped.`);
  if (errors > 0) notes.push(`${errors} failed request(s) in the log cost nothing and are not counted.`);
  return { buckets, notes, rows: rows.length };
}
