// The user's wallet, GET /api/user/self with the system access token: remaining quota, lifetime used and request
// count, in raw quota. It is the real limit behind unlimited keys (the usual reseller set-up) and the only exact
// balance under One-API's per-user stats. Headers that satisfy every generation: `Authorization: Bearer <token>`
// (one "Bearer " is stripped everywhere) plus `New-Api-User: <id>` (required by New-API from 2025-01 to 2026-07,
// ignored by One-API and later New-API). GET /api/user/token would *regenerate* the token: never called.
import { ProviderError } from '../../errors.ts';
import { readJson, safeHost } from '../../http.ts';
import { count, finite, isRecord } from '../numbers.ts';
import type { FetchContext } from '../types.ts';
import { errorMessage, get, parseBody, quote } from './wire.ts';

export interface Wallet {
  /** Raw quota. */
  remaining: number;
  used: number;
  requests: number | null;
  userId: number | null;
}

const WHERE_TOKEN =
  "the gateway's personal settings page (Settings → Security, \"System access token\" — generating a new one there replaces the old)";
const WHERE_ID = "the id shown on the gateway's personal settings page (also user_id in its logs)";

export async function readWallet(ctx: FetchContext, root: string, accessToken: string, userId: string | undefined, secrets: string[]): Promise<Wallet> {
  const url = `${root}/api/user/self`;
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken.replace(/^Bearer\s+/i, '')}` };
  if (userId) headers['new-api-user'] = userId;
  const res = await get(ctx, url, headers);
  const host = safeHost(url);
  const body = parseBody(res);
  const said = quote(errorMessage(body), secrets);
  const code = isRecord(body) && typeof body.code === 'string' ? body.code : '';
  if (res.status === 401 || res.status === 403 || (res.status === 200 && isRecord(body) && body.success === false)) {
    throw walletRefusal(host, res.status, code, said, userId);
  }
  const parsed = readJson(res, url, { what: 'the wallet (/api/user/self)', now: ctx.now() });
  if (!isRecord(parsed) || !isRecord(parsed.data)) {
    throw new ProviderError('bad-response', `${host} answered /api/user/self without user data; check that the base URL is the gateway itself.`);
  }
  const d = parsed.data;
  // quota can be negative on an overdrawn wallet: a real figure, kept.
  return {
    remaining: finite(d.quota, 'the wallet quota'),
    used: finite(d.used_quota, 'the wallet used_quota'),
    requests: d.request_count === undefined || d.request_count === null ? null : count(d.request_count, 'request_count'),
    userId: typeof d.id === 'number' ? d.id : null,
  };
}

function walletRefusal(host: string, status: number, code: string, said: string, userId: string | undefined): ProviderError {
  const quoted = said ? ` (the gateway said: "${said}")` : '';
  if (/New-Api-User/i.test(said) || /user ?id/i.test(said)) {
    const what = !userId
      ? `${host} needs your user id together with the access token: set User id to ${WHERE_ID}`
      : `${host} says user id ${userId} does not match the access token: set User id to ${WHERE_ID}`;
    return new ProviderError('auth', `${what}${quoted}.`, { status });
  }
  if (code === 'AUTH_TOKEN_EXPIRED' || /expired|过期/i.test(said)) {
    return new ProviderError('auth', `${host} says the access token has expired${quoted}: create a new one on ${WHERE_TOKEN}.`, { status });
  }
  if (code === 'AUTH_SESSION_REVOKED' || /revoked/i.test(said)) {
    return new ProviderError('auth', `${host} says the access token was revoked${quoted}: create a new one on ${WHERE_TOKEN}.`, { status });
  }
  if (code === 'AUTH_USER_DISABLED' || /封禁|banned|disabled/i.test(said)) {
    return new ProviderError('forbidden', `${host} says this user is disabled${quoted}: ask the gateway operator.`, { status });
  }
  if (code === 'AUTH_INSUFFICIENT_PRIVILEGE' || status === 403) {
    return new ProviderError('forbidden', `${host} refused the access token (${status})${quoted}: it cannot read this user's wallet.`, { status });
  }
  return new ProviderError('auth', `${host} rejected the access token${quoted}. Copy the system access token from ${WHERE_TOKEN}; it is not the sk-… API key.`, { status });
}
