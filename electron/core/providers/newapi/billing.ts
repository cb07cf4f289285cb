// The OpenAI-style billing pair every One-API fork keeps: /dashboard/billing/subscription (hard_limit_usd) and
// /dashboard/billing/usage (total_usage, in hundredths), both in the gateway's display unit. Which of
// remaining, used and limit hard_limit_usd holds depends on the fork and its version (One-API's GetSubscription):
// - before 2023-07-15 (first tag v0.4.10-alpha.5): the remaining amount, in both stats modes;
// - v0.4.10-alpha.5 … v0.5.x: remaining + used, in both modes;
// - since v0.6.0-alpha: remaining + used in per-token stats (the default), but the remaining amount alone in
//   per-user stats — and /api/status does not say which mode is on. New-API: remaining + used, always.
import { ProviderError } from '../../errors.ts';
import { readJson, safeHost } from '../../http.ts';
import { finite, isRecord, nonNegative } from '../numbers.ts';
import type { FetchContext } from '../types.ts';
import { classifyRefusal, KeyRefused } from './key-state.ts';
import { compareVersions, parseVersion, type GatewaySettings, type Version } from './settings.ts';
import { bearer, errorMessage, get, parseBody, throwErrorBody } from './wire.ts';

/** What hard_limit_usd holds for a key with unlimited quota, whatever the display unit. */
export const UNLIMITED_MARKER = 100_000_000;

export interface BillingReply {
  hardLimit: number;
  /** Lifetime used, in the display unit (total_usage / 100). */
  used: number;
  /** Unix seconds; 0 = never. */
  accessUntil: number;
}

/** A key's figures in the unit of some scale (display unit for billing, raw quota elsewhere). */
export interface KeyFigures {
  limit: number | null;
  used: number;
  remaining: number | null;
  /** Unix seconds; 0 or less = never. */
  expiresAtSec: number;
  unlimited: boolean;
  /** The figures are the user's wallet, not the key's (One-API per-user stats). */
  perUser: boolean;
  estimated: boolean;
  notes: string[];
}

export async function readBilling(ctx: FetchContext, root: string, key: string, secrets: string[]): Promise<BillingReply> {
  const [sub, usage] = await Promise.all([
    readEndpoint(ctx, root, '/dashboard/billing/subscription', key, 'key quota', secrets),
    readEndpoint(ctx, root, '/dashboard/billing/usage', key, 'key spend', secrets),
  ]);
  return {
    hardLimit: nonNegative(sub.hard_limit_usd, 'hard_limit_usd'),
    used: nonNegative(usage.total_usage, 'total_usage') / 100,
    accessUntil: sub.access_until === undefined || sub.access_until === null ? 0 : finite(sub.access_until, 'access_until'),
  };
}

/** Some forks serve the pair only under /v1. A 401 says why the key was refused (see key-state.ts). */
async function readEndpoint(ctx: FetchContext, root: string, path: string, key: string, what: string, secrets: string[]): Promise<Record<string, unknown>> {
  let url = root + path;
  let res = await get(ctx, url, bearer(key));
  if (res.status === 404) {
    url = `${root}/v1${path}`;
    res = await get(ctx, url, bearer(key));
  }
  if (res.status === 401) throw new KeyRefused(classifyRefusal(errorMessage(parseBody(res))), url, 401);
  const body = readJson(res, url, { what, now: ctx.now() });
  throwErrorBody(body, url, what, secrets);
  if (!isRecord(body)) throw new ProviderError('bad-response', `${safeHost(url)} sent ${what} in an unexpected shape. Check that the base URL is a One-API / New-API gateway.`);
  return body;
}

const REMAINING_ONLY_UNTIL = parseVersion('v0.4.10-alpha.5') as Version;
const PER_USER_BUG_SINCE = parseVersion('v0.6.0-alpha') as Version;

/** The wallet in the billing endpoints' unit, when an access token read it. */
export interface WalletInBillingUnits {
  remaining: number;
  used: number;
}

const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-6, 1e-6 * Math.abs(b));

/**
 * Remaining, used and limit from the billing pair. When the fork and version leave it open whether hard_limit_usd
 * is the limit or the remaining amount, the wallet (if read) decides; otherwise the figures are estimates.
 */
export function interpretBilling(b: BillingReply, s: GatewaySettings, wallet: WalletInBillingUnits | null, unlimitedConfirmed?: boolean): KeyFigures {
  const base = { used: b.used, expiresAtSec: b.accessUntil, perUser: false, estimated: false, notes: [] as string[] };
  const marker = b.hardLimit === UNLIMITED_MARKER;
  // In raw display 100,000,000 is also a real figure ($200 at the default rate): only a confirmed flag settles it.
  const unlimited = marker && (s.billingUnit !== 'raw' || unlimitedConfirmed === true);
  if (unlimited) return { ...base, limit: null, remaining: null, unlimited: true };
  if (marker && unlimitedConfirmed === undefined) {
    base.estimated = true;
    base.notes.push(
      'The gateway reports exactly 100,000,000 quota as the limit, which is also how it marks an unlimited key; Spendbar read it as a limit. Add the access token (or use New-API) to tell them apart.',
    );
  }
  const sum = (): KeyFigures => ({ ...base, limit: b.hardLimit, remaining: b.hardLimit - b.used, unlimited: false });
  const remainingOnly = (why: string, estimated: boolean): KeyFigures => ({
    ...base,
    limit: b.hardLimit + b.used,
    remaining: b.hardLimit,
    unlimited: false,
    estimated: base.estimated || estimated,
    notes: [...base.notes, why],
  });
  if (s.flavor === 'new-api') return sum();

  const v = parseVersion(s.version);
  if (v && compareVersions(v, REMAINING_ONLY_UNTIL) < 0) {
    return remainingOnly(`One-API ${s.version} reports the remaining amount as the limit; Spendbar added the spend back to get the limit.`, false);
  }
  if (v && compareVersions(v, PER_USER_BUG_SINCE) < 0) return sum();

  // v0.6.0-alpha or later, or no version: per-user stats would make hard_limit_usd the remaining amount.
  const which = v ? `One-API ${s.version}` : 'This gateway (it reports no version)';
  if (wallet && close(b.used, wallet.used) && (close(b.hardLimit, wallet.remaining) || close(b.hardLimit, wallet.remaining + wallet.used))) {
    return {
      ...base,
      limit: wallet.remaining + wallet.used,
      remaining: wallet.remaining,
      unlimited: false,
      perUser: true,
      notes: [...base.notes, `${which} reports the user's wallet, not the key (per-user stats): the balance is the wallet read with the access token.`],
    };
  }
  if (wallet) return sum();
  if (b.used > b.hardLimit + 1e-9) {
    return remainingOnly(
      `${which} reported more spend than its limit, which happens when it runs per-user stats and reports the remaining amount as the limit; Spendbar read it that way. Add the access token for exact figures.`,
      true,
    );
  }
  const figures = sum();
  figures.estimated = true;
  figures.notes.push(
    `${which} may run per-user stats, where its billing endpoints report the remaining amount as the limit; Spendbar assumed the default per-key stats (remaining = limit − spend). Add the access token (and user id) in the account settings for exact figures.`,
  );
  return figures;
}
