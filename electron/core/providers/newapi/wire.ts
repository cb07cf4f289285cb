// Requests to a gateway and the error bodies it sends on HTTP 200, shared by the gateway modules.
import { ProviderError } from '../../errors.ts';
import { safeHost, type HttpResponse } from '../../http.ts';
import { isRecord } from '../numbers.ts';
import type { FetchContext } from '../types.ts';
import type { BudgetPool } from '../../request-budget.ts';

/**
 * New-API's CriticalRateLimit: 20 requests per 1,200 s per client IP, one counter for /api/log/token,
 * /api/usage/token/, login, registration, top-up and more. Spendbar keeps to 12 of them, so the user can still log
 * in and top up from the same address while every account on the gateway polls.
 */
export const NEWAPI_CRITICAL: BudgetPool = { name: 'newapi-critical', limit: 12, windowMs: 1_200_000 };

export function get(ctx: FetchContext, url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return ctx.http({ url, headers: { accept: 'application/json', ...headers }, timeoutMs: ctx.timeoutMs });
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** The gateway's own message in an error body: {"error":{"message"}} or {"success":false,"message"}. */
export function errorMessage(body: unknown): string {
  if (!isRecord(body)) return '';
  const err = body.error;
  if (isRecord(err) && typeof err.message === 'string') return err.message;
  if (typeof err === 'string') return err;
  return typeof body.message === 'string' ? body.message : '';
}

export function parseBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    return undefined;
  }
}

/**
 * A gateway message fit to quote: clipped, and with any echo of a key removed. Gateways echo keys in part
 * ("TokenStatusExhausted[sk-abcd***wxyz]"), which whole-key masking would miss.
 */
export function quote(message: string, secrets: readonly string[]): string {
  let s = message.replace(/\[?sk-[A-Za-z0-9*_.-]*\]?/g, '[key]').replace(/[A-Za-z0-9]{2,}\*{2,}[A-Za-z0-9]{2,}/g, '[key]');
  for (const secret of secrets) {
    const bare = secret.replace(/^sk-/, '');
    for (const part of [secret, bare]) if (part.length >= 6) s = s.split(part).join('[key]');
    // A clipped or re-cased echo: any 8-character run of the key.
    for (let i = 0; i + 8 <= bare.length; i += 4) {
      const frag = bare.slice(i, i + 8);
      s = s.replace(new RegExp(frag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '[key]');
    }
  }
  s = s.trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Gateways report database and handler failures as HTTP 200 with an error body. */
export function throwErrorBody(body: unknown, url: string, what: string, secrets: readonly string[]): void {
  if (!isRecord(body)) return;
  const err = body.error;
  if (!(isRecord(err) || (typeof err === 'string' && err)) && body.success !== false) return;
  const host = safeHost(url);
  const message = quote(errorMessage(body), secrets);
  const type = isRecord(err) && typeof err.type === 'string' ? err.type : '';
  if (type === 'upstream_error' || type === 'one_api_error' || type === 'new_api_error') {
    throw new ProviderError('server', `${host} had an internal error while reading ${what}: "${message}". Spendbar will retry; if it persists, tell the gateway operator.`);
  }
  throw new ProviderError('provider', `${host} refused to report ${what}: "${message}". Check the key on the gateway's token page; if it is right, tell the gateway operator.`);
}

export function retryAfterMs(res: HttpResponse, now: number): number | undefined {
  const v = res.headers.get('retry-after');
  if (!v) return undefined;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const at = Date.parse(t);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
