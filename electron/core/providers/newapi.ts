// One-API / New-API gateways (smai.ai and most OpenAI-compatible resellers). Every fork keeps the OpenAI-style
// billing pair, so it is where the key's quota and spend come from (it costs no rate-limited request); /api/status
// says what unit it is in. New-API adds a per-key endpoint and a request log (per-model usage), both behind a
// rate limit shared by every account on the gateway (see NEWAPI_CRITICAL), and an optional access token reads the
// user's wallet. The parts live in ./newapi/; this module decides what to ask and composes the reading.
import type { Quota } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';
import { formatMoney } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './types.ts';
import { interpretBilling, readBilling, type BillingReply, type KeyFigures } from './newapi/billing.ts';
import { KeyRefused, STATE_NOTES, type KeyState } from './newapi/key-state.ts';
import { LOG_ROW_CAP, readLog, type LogRead } from './newapi/log.ts';
import { assumedSettings, billingScale, parseSettings, rawScale, statusData, type GatewaySettings, type Scale } from './newapi/settings.ts';
import { readTokenUsage, type TokenUsage } from './newapi/token-usage.ts';
import { readWallet, type Wallet } from './newapi/wallet.ts';
import { clock, get, NEWAPI_CRITICAL } from './newapi/wire.ts';

/** Settings change rarely; every account on a gateway shares one read of them. */
const STATUS_TTL_MS = 10 * 60_000;
const STATUS_STALE_MS = 24 * 3_600_000;
/** The log holds the newest 1,000 requests: reading it every 10 minutes per account misses nothing in practice. */
export const LOG_SPACING_MS = 10 * 60_000;

export const newapiAdapter: ProviderAdapter = {
  descriptor: {
    id: 'newapi',
    displayName: 'One-API / New-API gateway',
    defaultBaseUrl: 'https://smai.ai',
    credentialFields: [
      {
        name: 'apiKey',
        label: 'API key',
        secret: true,
        required: true,
        placeholder: 'sk-…',
        help: "The sk-… key from the gateway's token page: its quota, spend and expiry, and on New-API its request log (usage per model).",
      },
      {
        name: 'accessToken',
        label: 'System access token (optional)',
        secret: true,
        required: false,
        help:
          "Reads your wallet: the real balance behind unlimited keys, exact figures when the gateway keeps per-user stats, and lifetime requests. " +
          "On the gateway's personal settings page (Settings → Security → System access token); not the sk-… key. New-API also needs the user id below.",
      },
    ],
    optionFields: [
      {
        name: 'userId',
        label: 'User id (with the access token)',
        secret: false,
        required: false,
        type: 'text',
        placeholder: '7',
        help: 'New-API checks it with the access token (the New-Api-User header): the id shown on your personal settings page.',
      },
      {
        name: 'logKeyInUrl',
        label: 'Send the key in the request-log URL',
        secret: false,
        required: false,
        type: 'text',
        placeholder: 'no',
        help:
          'Set "yes" only for New-API gateways built before February 2026 whose per-model usage stays empty: their request log accepts the key only in the URL, where it also lands in the gateway’s access logs.',
      },
    ],
    reports: [
      'balance (key quota remaining, or the wallet with an access token)',
      'lifetime spend',
      'key quota limit and expiry',
      'used-up and expired keys',
      'hourly requests, tokens and cost per model (New-API request log)',
    ],
    consoleUrl: 'https://smai.ai',
  },
  async fetch(ctx) {
    const key = ctx.credentials.apiKey?.trim();
    if (!key) throw new ProviderError('config', 'Enter the gateway API key (the sk-… key from its token page) in the account settings.');
    const root = gatewayRoot(ctx.baseUrl || newapiAdapter.descriptor.defaultBaseUrl);
    const accessToken = ctx.credentials.accessToken?.trim() || undefined;
    const secrets = [key, key.replace(/^sk-/, ''), ...(accessToken ? [accessToken] : [])];
    try {
      return await readGateway(ctx, root, key, accessToken, secrets);
    } catch (err) {
      // Messages here are Spendbar's own or quoted through quote(); the whole-key mask is the last line of defence.
      if (err instanceof ProviderError && !(err instanceof KeyRefused)) {
        throw new ProviderError(err.kind, redact(err.message, secrets), { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
      }
      throw err;
    }
  },
};

/** The gateway root: /api/status lives there, so a trailing /v1 (as typed for OpenAI clients) is dropped. */
export function gatewayRoot(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new ProviderError('config', `The base URL "${baseUrl.slice(0, 80)}" is not a valid URL. Use the gateway address, e.g. https://smai.ai.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProviderError('config', `The base URL must start with https:// (got ${url.protocol}).`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/i, '').replace(/\/+$/, '');
  return url.origin + path;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

function option(ctx: FetchContext, name: string): string {
  const v = ctx.account.options?.[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** The key's figures with the scale that turns them into money, or only what a refusal told us. */
type KeyReading = { figures: KeyFigures; scale: Scale; state: KeyState | null } | { figures: null; scale: Scale; state: 'exhausted' | 'expired' };

async function readGateway(ctx: FetchContext, root: string, key: string, accessToken: string | undefined, secrets: string[]): Promise<ProviderReading> {
  const host = safeHost(root);
  const userId = option(ctx, 'userId') || undefined;
  const billingP = settle(readBilling(ctx, root, key, secrets));
  const walletP = accessToken ? settle(readWallet(ctx, root, accessToken, userId, secrets)) : Promise.resolve(null);
  let settings: GatewaySettings;
  try {
    settings = await readSettings(ctx, root, host);
  } catch (err) {
    await Promise.all([billingP, walletP]);
    throw err;
  }
  const logP = settings.flavor === 'new-api' ? readLogIfDue(ctx, root, key, host, settings, secrets) : Promise.resolve(null);
  const [billing, walletR, log] = await Promise.all([billingP, walletP, logP]);

  const notes: string[] = [...settings.notes];
  let wallet: Wallet | null = null;
  if (walletR && walletR.ok) wallet = walletR.value;
  else if (walletR && !walletR.ok) {
    // A wrong token or user id is the user's to fix: the poll fails with that message and the last figures stay.
    if (!(walletR.error instanceof ProviderError) || walletR.error.kind === 'auth' || walletR.error.kind === 'forbidden') throw walletR.error;
    notes.push(`The wallet was not read this time: ${walletR.error.message}`);
  }

  const keyReading = await readKey(ctx, root, key, host, settings, billing, wallet);
  if (keyReading.figures?.unlimited && !wallet && walletR && !walletR.ok) throw walletR.error;
  const reading = compose(keyReading, settings, wallet, ctx.now(), notes);
  if (log) {
    reading.usage = log.buckets;
    reading.notes.push(...log.notes);
    if (log.rows === 0 && (reading.spent.total?.micros ?? 0) > 0 && option(ctx, 'logKeyInUrl').toLowerCase() !== 'yes') {
      reading.notes.push(
        'This key has spent but its request log came back empty. New-API gateways built before February 2026 read that log’s key only from the URL: set "Send the key in the request-log URL" to yes in the account options if you accept the key appearing in the gateway’s access logs.',
      );
    }
  }
  reading.notes = [...new Set(reading.notes)];
  return reading;
}

/** /api/status, shared by every account on the host. Only a failure to reach it fails the poll. */
async function readSettings(ctx: FetchContext, root: string, host: string): Promise<GatewaySettings> {
  const load = async (): Promise<GatewaySettings> => {
    const url = `${root}/api/status`;
    const res = await get(ctx, url);
    let body: unknown;
    try {
      body = readJson(res, url, { what: 'gateway settings (/api/status)', now: ctx.now() });
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      // No settings page at all (an old fork, a proxy in front): assume the defaults and say so.
      if (['not-found', 'bad-response', 'auth', 'forbidden', 'provider'].includes(err.kind)) {
        return assumedSettings(`The gateway did not publish its settings at /api/status (${err.status ?? err.kind}).`);
      }
      // Unreachable for now: its settings say how its figures convert to money, so the poll waits for them.
      throw new ProviderError(err.kind, `${err.message} (Its settings at /api/status say how its figures convert to money.)`, {
        ...(err.status !== undefined ? { status: err.status } : {}),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
        cause: err,
      });
    }
    const data = statusData(body);
    return data ? parseSettings(data) : assumedSettings('The gateway answered /api/status without its settings.');
  };
  return ctx.budget ? ctx.budget.once(host, 'newapi-status', STATUS_TTL_MS, load, { staleMs: STATUS_STALE_MS }) : load();
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
async function tokenUsageIfAffordable(ctx: FetchContext, root: string, key: string, host: string): Promise<TokenUsage | KeyRefused> {
  if (!takeCritical(ctx, host, false)) return { available: false };
  try {
    return await readTokenUsage(ctx, root, key);
  } catch (err) {
    if (err instanceof KeyRefused) return err;
    if (err instanceof ProviderError && err.kind === 'rate-limited') blockCritical(ctx, host, err);
    return { available: false };
  }
}

async function readKey(
  ctx: FetchContext,
  root: string,
  key: string,
  host: string,
  settings: GatewaySettings,
  billing: Settled<BillingReply>,
  wallet: Wallet | null,
): Promise<KeyReading> {
  const mayHaveTokenUsage = settings.flavor !== 'one-api';
  if (billing.ok) {
    const b = billing.value;
    const inBillingUnits = wallet ? walletInBillingUnits(wallet, settings) : null;
    let confirmed: boolean | undefined;
    if (settings.billingUnit === 'raw' && b.hardLimit === 100_000_000 && mayHaveTokenUsage) {
      const t = await tokenUsageIfAffordable(ctx, root, key, host);
      if (!(t instanceof KeyRefused) && t.available) confirmed = t.figures.unlimited;
    }
    return { figures: interpretBilling(b, settings, inBillingUnits, confirmed), scale: billingScale(settings), state: null };
  }
  const err = billing.error;
  if (!(err instanceof KeyRefused)) {
    // A gateway without the billing pair (404 on both paths) may still have New-API's per-key endpoint.
    if (err instanceof ProviderError && err.kind === 'not-found' && mayHaveTokenUsage) {
      const t = await tokenUsageIfAffordable(ctx, root, key, host);
      if (!(t instanceof KeyRefused) && t.available) return { figures: t.figures, scale: rawScale(settings), state: null };
    }
    throw err;
  }
  // New-API since 2026-04 refuses used-up and expired keys as "invalid": its read-only per-key endpoint tells.
  let state: KeyState = err.state;
  if (state !== 'disabled' && mayHaveTokenUsage) {
    const t = await tokenUsageIfAffordable(ctx, root, key, host);
    if (t instanceof KeyRefused) state = t.state === 'invalid' ? state : t.state;
    else if (t.available) return { figures: t.figures, scale: rawScale(settings), state: null };
  }
  if (state === 'exhausted' || state === 'expired') return { figures: null, scale: billingScale(settings), state };
  throw state === err.state ? err : new KeyRefused(state, `${root}/api/usage/token/`, 401);
}

/** Raw wallet quota in the billing endpoints' unit, to compare with them. */
function walletInBillingUnits(w: Wallet, s: GatewaySettings): { remaining: number; used: number } {
  const f = s.billingUnit === 'raw' ? 1 : s.billingUnit === 'cny' ? (s.usdExchangeRate ?? NaN) / s.quotaPerUnit : 1 / s.quotaPerUnit;
  return { remaining: w.remaining * f, used: w.used * f };
}

function money(value: number, field: string, scale: Scale): Money {
  const micros = Math.round(value * scale.microsPerUnit);
  if (!Number.isSafeInteger(micros)) {
    throw new ProviderError('bad-response', `The gateway reported ${value} for ${field}, which is beyond any real balance; Spendbar kept the previous figures.`);
  }
  return { micros: micros === 0 ? 0 : micros, currency: scale.currency };
}

function compose(k: KeyReading, settings: GatewaySettings, wallet: Wallet | null, now: number, notes: string[]): ProviderReading {
  const scale = k.scale;
  let estimated = settings.estimated || scale.estimated;
  const walletScale = rawScale(settings);
  const walletMoney = wallet ? money(wallet.remaining, 'the wallet quota', walletScale) : null;
  if (wallet && walletMoney) {
    const used = money(wallet.used, 'the wallet used quota', walletScale);
    const requests = wallet.requests === null ? '' : ` over ${wallet.requests.toLocaleString('en-US')} requests`;
    notes.push(`Wallet (read with the access token): ${formatMoney(walletMoney)} remaining, ${formatMoney(used)} used${requests}.`);
    if (walletScale.estimated) estimated = true;
  }

  if (k.figures === null) {
    // The gateway refused the key and said why; what it told is all there is.
    notes.push(STATE_NOTES[k.state], ...scale.notes);
    const zero: Money = { micros: 0, currency: scale.currency };
    const balance = k.state === 'exhausted' ? zero : null;
    return { balance, balances: balance ? [balance] : [], spent: {}, quota: null, usage: [], estimated, notes, available: false };
  }

  const f = k.figures;
  estimated ||= f.estimated;
  notes.push(...f.notes, ...scale.notes);
  const used = money(f.used, 'used quota', scale);
  const limit = f.limit === null ? null : money(f.limit, 'quota limit', scale);
  const remaining = f.remaining === null ? null : money(f.remaining, 'remaining quota', scale);
  const expiresAt = f.expiresAtSec > 0 ? f.expiresAtSec * 1000 : null;
  let balance: Money | null = remaining;
  let available: boolean | undefined;

  if (remaining === null) {
    if (walletMoney) {
      balance = walletMoney;
      notes.push('Unlimited key: the balance is your wallet, which is what limits it.');
    } else {
      notes.push('Unlimited key: it has no quota of its own, so there is no balance to show. Add the access token to read your wallet, which is what limits it.');
    }
  } else if (walletMoney && walletMoney.currency === remaining.currency && walletMoney.micros < remaining.micros && !f.perUser) {
    balance = walletMoney;
    notes.push(`Your wallet holds less than this key's remaining quota (${formatMoney(remaining)}): the wallet is what can still be spent.`);
  }
  if (remaining !== null && remaining.micros <= 0) {
    available = false;
    notes.push(STATE_NOTES.exhausted);
  }
  if (expiresAt !== null && expiresAt <= now) {
    available = false;
    notes.push(`This key expired on ${clock(expiresAt)}; the gateway will refuse calls until its expiry is extended.`);
  }
  if (settings.custom && balance) {
    const shown = (balance.micros / 1e6) * settings.custom.rate;
    notes.push(
      `The gateway shows amounts in its own currency (${settings.custom.symbol}, ${settings.custom.rate} per US dollar): this balance reads ${settings.custom.symbol}${shown.toFixed(2)} there. Spendbar keeps US dollars, the unit its quota is counted in.`,
    );
  }
  const quota: Quota = { limit, used, remaining, resets: 'never', expiresAt };
  const reading: ProviderReading = { balance, balances: balance ? [balance] : [], spent: { total: used }, quota, usage: [], estimated, notes };
  if (available !== undefined) reading.available = available;
  return reading;
}

async function readLogIfDue(ctx: FetchContext, root: string, key: string, host: string, settings: GatewaySettings, secrets: string[]): Promise<LogRead | null> {
  const exhaustedUntil = ctx.budget ? ctx.budget.nextAvailable(host, NEWAPI_CRITICAL) : ctx.now();
  if (!takeCritical(ctx, host, true)) {
    // Read less than LOG_SPACING_MS ago (nothing is missing), or the host's budget is spent for now.
    if (exhaustedUntil <= ctx.now()) return null;
    return {
      buckets: [],
      rows: -1,
      notes: [
        `Per-model usage was not re-read this time: New-API allows 20 request-log and key-usage reads per 20 minutes from one address, and Spendbar shares ${NEWAPI_CRITICAL.limit} of them between every account on this gateway; next read after ${clock(exhaustedUntil)}. Nothing is lost while the log holds the key's newest ${LOG_ROW_CAP.toLocaleString('en-US')} requests.`,
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
