// New-API's per-key endpoint, GET /api/usage/token/ (trailing slash): raw quota, an explicit unlimited flag, and —
// behind the read-only key check — it still answers for used-up and expired keys. It shares the CriticalRateLimit
// counter with the request log, so Spendbar asks it only when the billing pair cannot settle something.
import { ProviderError } from '../../errors.ts';
import { readJson } from '../../http.ts';
import { finite, isRecord, nonNegative } from '../numbers.ts';
import type { FetchContext } from '../types.ts';
import type { KeyFigures } from './billing.ts';
import { classifyRefusal, KeyRefused } from './key-state.ts';
import { bearer, errorMessage, get, parseBody, retryAfterMs } from './wire.ts';

export type TokenUsage = { available: true; figures: KeyFigures; name: string } | { available: false };

export async function readTokenUsage(ctx: FetchContext, root: string, key: string): Promise<TokenUsage> {
  const url = `${root}/api/usage/token/`;
  const res = await get(ctx, url, bearer(key));
  if (res.status === 404) return { available: false };
  if (res.status === 429) {
    const wait = retryAfterMs(res, ctx.now());
    throw new ProviderError('rate-limited', 'The gateway is rate limiting its key-usage endpoint (429).', { status: 429, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
  }
  if (res.status === 401) {
    const message = errorMessage(parseBody(res));
    // "Invalid Bearer token" is about the header's shape (a key with spaces), not the key's state.
    throw new KeyRefused(/bearer token/i.test(message) ? 'invalid' : classifyRefusal(message), url, 401);
  }
  let body: unknown;
  try {
    body = readJson(res, url, { what: 'key usage', now: ctx.now() });
  } catch (err) {
    // A fork that serves its web page here has no such endpoint.
    if (err instanceof ProviderError && err.kind === 'bad-response') return { available: false };
    throw err;
  }
  // success:false: New-API could not read the key here (e.g. a key with a channel suffix); the billing pair answers.
  if (!isRecord(body) || body.code !== true || !isRecord(body.data)) return { available: false };
  const d = body.data;
  const unlimited = d.unlimited_quota === true;
  return {
    available: true,
    name: typeof d.name === 'string' ? d.name : '',
    figures: {
      limit: unlimited ? null : nonNegative(d.total_granted, 'total_granted'),
      used: nonNegative(d.total_used, 'total_used'),
      remaining: unlimited ? null : finite(d.total_available, 'total_available'),
      expiresAtSec: d.expires_at === undefined || d.expires_at === null ? 0 : finite(d.expires_at, 'expires_at'),
      unlimited,
      perUser: false,
      estimated: false,
      notes: [],
    },
  };
}
