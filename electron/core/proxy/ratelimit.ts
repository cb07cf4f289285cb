// Rate-limit response headers, read into one shape. Three header families (providers.md, "Rate-limit response headers"):
//   OpenAI     x-ratelimit-{limit,remaining,reset}-{requests,tokens}      reset: Go duration ("6m0s", "12ms", "2m59.56s")
//   Anthropic  anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}   reset: RFC 3339
//   gateways   x-ratelimit-{limit,remaining,reset}-{rpm,tpm,rpd}           reset: epoch seconds; values may be "unlimited"
// plus a bare x-ratelimit-{limit,remaining,reset} (request window) and retry-after on a 429.
import { RATE_WINDOWS, type RateLimit, type RateWindow, type RateWindowName } from '../../../shared/metering.ts';
import { parseRetryAfter } from '../errors.ts';

type Headers = Record<string, string | string[] | undefined>;
type ResetKind = 'duration' | 'rfc3339' | 'epoch';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

const durations = new Map<string, number | undefined>();

/** A Go time.Duration string ("1h2m3.5s", "12ms", "0s") in ms; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  // Providers repeat the same few values ("6m0s", "120ms"): remembered, bounded.
  if (durations.has(text)) return durations.get(text);
  const ms = readGoDuration(text);
  if (durations.size >= 1000) durations.clear();
  if (text.length <= 32) durations.set(text, ms);
  return ms;
}

function readGoDuration(text: string): number | undefined {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return total;
}

/** A reset header value as an epoch-ms time. */
export function parseReset(value: string, kind: ResetKind, now: number): number | null {
  const v = value.trim();
  if (!v) return null;
  if (kind === 'rfc3339') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  if (kind === 'duration') {
    const ms = parseGoDuration(v);
    if (ms !== undefined) return Math.round(now + ms);
    // Some OpenAI-compatible servers send plain seconds.
    return /^\d+(\.\d+)?$/.test(v) ? Math.round(now + Number(v) * 1000) : null;
  }
  if (!/^\d+(\.\d+)?$/.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  const n = Number(v);
  // Epoch ms, epoch seconds, or (small numbers) seconds from now.
  if (n >= 1e12) return Math.round(n);
  if (n >= 1e9) return Math.round(n * 1000);
  return Math.round(now + n * 1000);
}

function count(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'unlimited' || v === 'inf' || v === '-1') return null;
  if (!/^\d+(\.\d+)?$/.test(v)) return undefined;
  return Number(v);
}

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

interface Family {
  window: RateWindowName;
  limit: string;
  remaining: string;
  reset: string;
  kind: ResetKind;
}

const FAMILIES: Family[] = [
  ...(['requests', 'tokens'] as const).map((w) => ({ window: w, limit: `x-ratelimit-limit-${w}`, remaining: `x-ratelimit-remaining-${w}`, reset: `x-ratelimit-reset-${w}`, kind: 'duration' as const })),
  ...([['requests', 'requests'], ['tokens', 'tokens'], ['inputTokens', 'input-tokens'], ['outputTokens', 'output-tokens']] as const).map(([w, n]) => ({
    window: w,
    limit: `anthropic-ratelimit-${n}-limit`,
    remaining: `anthropic-ratelimit-${n}-remaining`,
    reset: `anthropic-ratelimit-${n}-reset`,
    kind: 'rfc3339' as const,
  })),
  ...([['requests', 'rpm'], ['tokens', 'tpm'], ['requestsPerDay', 'rpd'], ['tokensPerDay', 'tpd']] as const).map(([w, n]) => ({
    window: w,
    limit: `x-ratelimit-limit-${n}`,
    remaining: `x-ratelimit-remaining-${n}`,
    reset: `x-ratelimit-reset-${n}`,
    kind: 'epoch' as const,
  })),
  { window: 'requests', limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', kind: 'epoch' },
];

/** The rate-limit figures in a response's headers (names lower-cased, as Node gives them), or null when there are none. */
export function readRateLimit(h: Headers, status: number, now: number): RateLimit | null {
  const out: RateLimit = {};
  for (const f of FAMILIES) {
    if (out[f.window]) continue;
    const limit = count(header(h, f.limit));
    const remaining = count(header(h, f.remaining));
    const resetText = header(h, f.reset);
    if (limit === undefined && remaining === undefined) continue;
    const w: RateWindow = { limit: limit ?? null, remaining: remaining ?? null, resetAt: resetText ? parseReset(resetText, f.kind, now) : null };
    // "unlimited" leaves limit null; a window with neither number says nothing.
    if (limit === undefined && w.remaining === null) continue;
    out[f.window] = w;
  }
  if (status === 429) {
    const retry = parseRetryAfter(header(h, 'retry-after'), now);
    if (retry !== undefined) out.retryAfterMs = retry;
  }
  return Object.keys(out).length ? out : null;
}

/** Lowest remaining ÷ limit over the windows that report both, in percent (0–100); null when none does. */
export function lowestPercent(r: RateLimit): number | null {
  let low: number | null = null;
  for (const name of RATE_WINDOWS) {
    const w = r[name];
    if (!w || w.limit === null || w.remaining === null || w.limit <= 0) continue;
    const p = Math.max(0, Math.min(100, (w.remaining / w.limit) * 100));
    low = low === null ? p : Math.min(low, p);
  }
  return low;
}
