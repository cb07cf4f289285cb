// What New-API's CriticalRateLimit guards, asked only within the host's shared budget: the request log (per-model
// usage) and the per-key endpoint. Neither is needed for the balance, so a spent budget or a 429 degrades, never fails.
import { ProviderError } from '../../errors.ts';
import type { FetchContext } from '../types.ts';
import { KeyRefused } from './key-state.ts';
import { LOG_ROW_CAP, readLog, type LogRead } from './log.ts';
import { rawScale, type GatewaySettings } from './settings.ts';
import { readTokenUsage, type TokenUsage } from './token-usage.ts';
import { clock, NEWAPI_CRITICAL } from './wire.ts';
import { formatNumber } from '../../../../shared/money.ts';

/** The log holds the newest 1,000 requests: reading it every 10 minutes per account misses nothing in practice. */
export const LOG_SPACING_MS = 10 * 60_000;

export function option(ctx: FetchContext, name: string): string {
  const v = ctx.account.options?.[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** One request from the host's critical budget, when there is one. */
function takeCritical(ctx: FetchContext, host: string, spaced: boolean): boolean {
  if (!ctx.budget) return true;
  return ctx.budget.take(host, NEWAPI_CRITICAL, spaced ? { by: ctx.account.id, minSpacingMs: LOG_SPACING_MS } : {});
}

function blockCritical(ctx: FetchContext, host: string, err: ProviderError): number {
  return ctx.budget ? ctx.budget.block(host, NEWAPI_CRITICAL, err.retryAfterMs) : ctx.now() + (err.retryAfterMs ?? NEWAPI_CRITICAL.windowMs);
}

/** The per-key endpoint when the budget allows; unavailable otherwise (the caller then works without it). */
export async function tokenUsageIfAffordable(ctx: FetchContext, root: string, key: string, host: string): Promise<TokenUsage | KeyRefused> {
  if (!takeCritical(ctx, host, false)) return { available: false };
  try {
    return await readTokenUsage(ctx, root, key);
  } catch (err) {
    if (err instanceof KeyRefused) return err;
    if (err instanceof ProviderError && err.kind === 'rate-limited') blockCritical(ctx, host, err);
    return { available: false };
  }
}

export async function readLogIfDue(ctx: FetchContext, root: string, key: string, host: string, settings: GatewaySettings, secrets: string[]): Promise<LogRead | null> {
  const exhaustedUntil = ctx.budget ? ctx.budget.nextAvailable(host, NEWAPI_CRITICAL) : ctx.now();
  if (!takeCritical(ctx, host, true)) {
    // Read less than LOG_SPACING_MS ago (nothing is missing), or the host's budget is spent for now.
    if (exhaustedUntil <= ctx.now()) {
      return { buckets: [], rows: -1, notes: [`Per-model usage comes from the gateway’s request log, read every ${LOG_SPACING_MS / 60_000} minutes (its rate limit is shared by every account on it).`] };
    }
    return {
      buckets: [],
      rows: -1,
      notes: [
        `Per-model usage was not re-read this time: New-API allows 20 request-log and key-usage reads per 20 minutes from one address, and Spendbar shares ${NEWAPI_CRITICAL.limit} of them between every account on this gateway; next read after ${clock(exhaustedUntil)}. Nothing is lost while the log holds the key's newest ${formatNumber(LOG_ROW_CAP)} requests.`,
      ],
    };
  }
  try {
    return await readLog(ctx, root, key, rawScale(settings), { keyInUrl: option(ctx, 'logKeyInUrl').toLowerCase() === 'yes', secrets });
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    if (err.kind === 'rate-limited') {
      const until = blockCritical(ctx, host, err);
      return {
        buckets: [],
        rows: -1,
        notes: [`The gateway is rate limiting its request log (429): per-model usage is read again after ${clock(until)}. Balance and spend still come from its billing endpoints.`],
      };
    }
    if (err.kind === 'not-found') return { buckets: [], rows: -1, notes: ['This gateway has no per-key request log (/api/log/token), so there is no per-model usage.'] };
    return { buckets: [], rows: -1, notes: [`Per-model usage was not read this time: ${err.message}`] };
  }
}
