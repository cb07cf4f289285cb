// One-API / New-API gateways (smai.ai and most OpenAI-compatible resellers). New-API's per-key endpoint is exact
// and preferred; every fork also keeps the OpenAI-style billing endpoints, which are the fallback. Both report
// in the gateway's own units, so the display settings from /api/status decide how figures become money.
import type { Quota } from '../../../shared/domain.ts';
import type { Currency, Money } from '../../../shared/money.ts';
import { MICROS } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { finite, isRecord, nonNegative } from './numbers.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './types.ts';

const DEFAULT_QUOTA_PER_UNIT = 500_000;
/** What hard_limit_usd holds for a key with unlimited quota. */
const UNLIMITED_MARKER = 100_000_000;

type DisplayType = 'USD' | 'CNY' | 'TOKENS';

interface GatewaySettings {
  quotaPerUnit: number;
  displayType: DisplayType;
  usdExchangeRate: number | null;
  notes: string[];
}

/** How wire figures become money: micros = value × microsPerUnit. */
interface Scale {
  currency: Currency;
  microsPerUnit: number;
  estimated: boolean;
  notes: string[];
}

/** A key's figures in wire units, before scaling. */
interface KeyFigures {
  limit: number | null;
  used: number;
  remaining: number | null;
  /** Unix seconds; 0 or less = never. */
  expiresAtSec: number;
  notes: string[];
}

type TokenUsage = { available: true; figures: KeyFigures } | { available: false };

export const newapiAdapter: ProviderAdapter = {
  descriptor: {
    id: 'newapi',
    displayName: 'One-API / New-API gateway',
    defaultBaseUrl: 'https://smai.ai',
    credentialFields: [{ name: 'apiKey', label: 'API key', secret: true, required: true, placeholder: 'sk-…' }],
    optionFields: [],
    reports: ['balance (key quota remaining)', 'lifetime spend', 'key quota limit', 'key expiry'],
    consoleUrl: 'https://smai.ai',
  },
  async fetch(ctx) {
    const key = ctx.credentials.apiKey?.trim();
    if (!key) throw new ProviderError('config', 'Enter the gateway API key (the sk-… key from its token page) in the account settings.');
    const root = gatewayRoot(ctx.baseUrl || newapiAdapter.descriptor.defaultBaseUrl);
    try {
      return await readGateway(ctx, root, key);
    } catch (err) {
      // A gateway may echo the token in its message; the key never leaves the adapter in an error.
      if (err instanceof ProviderError) {
        const secrets = [key, key.replace(/^sk-/, '')];
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

async function readGateway(ctx: FetchContext, root: string, key: string): Promise<ProviderReading> {
  const [settings, token] = await Promise.allSettled([readSettings(ctx, root), readTokenUsage(ctx, root, key)]);
  if (settings.status === 'rejected') throw settings.reason;
  if (token.status === 'rejected') throw token.reason;
  if (token.value.available) return toReading(token.value.figures, rawScale(settings.value), settings.value, ctx.now());
  const figures = await readBilling(ctx, root, key);
  figures.notes.unshift('This gateway has no per-key usage endpoint; figures come from its OpenAI-compatible billing endpoints.');
  return toReading(figures, displayScale(settings.value), settings.value, ctx.now());
}

function get(ctx: FetchContext, url: string, key?: string) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  return ctx.http({ url, headers, timeoutMs: ctx.timeoutMs });
}

/** /api/status is public; One-API forks without it (or without display settings) get One-API's defaults. */
async function readSettings(ctx: FetchContext, root: string): Promise<GatewaySettings> {
  const url = `${root}/api/status`;
  const res = await get(ctx, url);
  let body: unknown;
  try {
    body = readJson(res, url, { what: 'gateway settings' });
  } catch (err) {
    const fallback = err instanceof ProviderError && ['not-found', 'bad-response', 'auth', 'forbidden'].includes(err.kind);
    if (!fallback) throw err;
    body = undefined;
  }
  const data = isRecord(body) && body.success !== false && isRecord(body.data) ? body.data : undefined;
  if (!data) {
    return {
      quotaPerUnit: DEFAULT_QUOTA_PER_UNIT,
      displayType: 'USD',
      usdExchangeRate: null,
      notes: [`The gateway did not publish its settings at /api/status; assumed USD display and ${DEFAULT_QUOTA_PER_UNIT} quota per $1.`],
    };
  }
  const quotaPerUnit = data.quota_per_unit === undefined || data.quota_per_unit === null ? DEFAULT_QUOTA_PER_UNIT : finite(data.quota_per_unit, 'quota_per_unit');
  if (quotaPerUnit <= 0) throw new ProviderError('bad-response', `The gateway reported ${quotaPerUnit} for quota_per_unit, which cannot convert quota to money; Spendbar kept the previous figures.`);
  const type = typeof data.quota_display_type === 'string' ? data.quota_display_type.toUpperCase() : 'USD';
  const displayType: DisplayType = type === 'CNY' || type === 'TOKENS' ? type : 'USD';
  const rate = data.usd_exchange_rate === undefined || data.usd_exchange_rate === null ? null : finite(data.usd_exchange_rate, 'usd_exchange_rate');
  return { quotaPerUnit, displayType, usdExchangeRate: rate !== null && rate > 0 ? rate : null, notes: [] };
}

/** New-API only. A 404, a non-JSON answer or `code:false` means this gateway cannot answer here. */
async function readTokenUsage(ctx: FetchContext, root: string, key: string): Promise<TokenUsage> {
  const url = `${root}/api/usage/token/`;
  const res = await get(ctx, url, key);
  let body: unknown;
  try {
    body = readJson(res, url, { what: 'key usage', now: ctx.now(), passStatuses: [404] });
  } catch (err) {
    if (err instanceof ProviderError && err.kind === 'bad-response') return { available: false };
    throw err;
  }
  if (res.status === 404) return { available: false };
  throwErrorBody(body, url, 'key usage', { allowFailure: true });
  // New-API answers an unknown key with success:false here; the billing endpoints then say why in a 401.
  if (!isRecord(body) || body.code !== true || !isRecord(body.data)) return { available: false };
  const d = body.data;
  const unlimited = d.unlimited_quota === true;
  return {
    available: true,
    figures: {
      limit: unlimited ? null : nonNegative(d.total_granted, 'total_granted'),
      used: nonNegative(d.total_used, 'total_used'),
      remaining: unlimited ? null : finite(d.total_available, 'total_available'),
      expiresAtSec: d.expires_at === undefined || d.expires_at === null ? 0 : finite(d.expires_at, 'expires_at'),
      notes: [],
    },
  };
}

/** The OpenAI-style pair: limit in display units, usage in cents of them. Some forks serve them only under /v1. */
async function readBilling(ctx: FetchContext, root: string, key: string): Promise<KeyFigures> {
  const [sub, usage] = await Promise.allSettled([
    readBillingEndpoint(ctx, root, '/dashboard/billing/subscription', key, 'key quota'),
    readBillingEndpoint(ctx, root, '/dashboard/billing/usage', key, 'key spend'),
  ]);
  if (sub.status === 'rejected') throw sub.reason;
  if (usage.status === 'rejected') throw usage.reason;
  const hardLimit = nonNegative(sub.value.hard_limit_usd, 'hard_limit_usd');
  const used = nonNegative(usage.value.total_usage, 'total_usage') / 100;
  const unlimited = hardLimit >= UNLIMITED_MARKER;
  return {
    limit: unlimited ? null : hardLimit,
    used,
    remaining: unlimited ? null : hardLimit - used,
    expiresAtSec: sub.value.access_until === undefined || sub.value.access_until === null ? 0 : finite(sub.value.access_until, 'access_until'),
    notes: [],
  };
}

async function readBillingEndpoint(ctx: FetchContext, root: string, path: string, key: string, what: string): Promise<Record<string, unknown>> {
  let url = root + path;
  let res = await get(ctx, url, key);
  if (res.status === 404) {
    url = `${root}/v1${path}`;
    res = await get(ctx, url, key);
  }
  const body = readJson(res, url, { what, now: ctx.now() });
  throwErrorBody(body, url, what, { allowFailure: false });
  if (!isRecord(body)) throw new ProviderError('bad-response', `${safeHost(url)} sent ${what} in an unexpected shape. Check that the base URL is a One-API / New-API gateway.`);
  return body;
}

/** Gateways report database and auth failures as HTTP 200 with an error body. */
function throwErrorBody(body: unknown, url: string, what: string, opts: { allowFailure: boolean }): void {
  if (!isRecord(body)) return;
  const host = safeHost(url);
  const err = body.error;
  if (isRecord(err) || (typeof err === 'string' && err)) {
    const message = isRecord(err) ? String(err.message ?? '') : err;
    const type = isRecord(err) && typeof err.type === 'string' ? err.type : '';
    const advice =
      type === 'upstream_error'
        ? 'The gateway had an internal error; Spendbar will retry. If it persists, tell the gateway operator.'
        : 'Check that the key is valid on this gateway; if it is, tell the gateway operator.';
    throw new ProviderError('provider', `${host} answered with an error while reading ${what}: "${clip(message)}". ${advice}`);
  }
  if (body.success === false && !opts.allowFailure) {
    const message = typeof body.message === 'string' ? body.message : '';
    throw new ProviderError('provider', `${host} refused to report ${what}: "${clip(message)}". Check the key on the gateway's token page.`);
  }
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Raw quota units (New-API's per-key endpoint) → the display currency. */
function rawScale(s: GatewaySettings): Scale {
  if (s.displayType === 'CNY' && s.usdExchangeRate !== null) {
    return {
      currency: 'CNY',
      microsPerUnit: (MICROS * s.usdExchangeRate) / s.quotaPerUnit,
      estimated: true,
      notes: [`The gateway shows CNY; converted from its quota at its rate of ${s.usdExchangeRate} CNY per USD, so figures are estimates.`],
    };
  }
  const notes =
    s.displayType === 'CNY'
      ? ['The gateway shows CNY but did not publish its exchange rate; figures are in USD.']
      : s.displayType === 'TOKENS'
        ? [`The gateway shows raw quota; converted to USD at its ${s.quotaPerUnit} quota per $1.`]
        : [];
  return { currency: 'USD', microsPerUnit: MICROS / s.quotaPerUnit, estimated: false, notes };
}

/** Billing-endpoint figures are already in the display unit, except TOKENS display, where they are raw quota. */
function displayScale(s: GatewaySettings): Scale {
  if (s.displayType === 'TOKENS') return rawScale(s);
  if (s.displayType === 'CNY') {
    const rate = s.usdExchangeRate !== null ? `its rate of ${s.usdExchangeRate} CNY per USD` : 'its own exchange rate';
    return { currency: 'CNY', microsPerUnit: MICROS, estimated: true, notes: [`The gateway shows CNY, converted from its quota at ${rate}, so figures are estimates.`] };
  }
  return { currency: 'USD', microsPerUnit: MICROS, estimated: false, notes: [] };
}

function scaled(value: number, field: string, scale: Scale): Money {
  const micros = Math.round(value * scale.microsPerUnit);
  if (!Number.isSafeInteger(micros)) {
    throw new ProviderError('bad-response', `The gateway reported ${value} for ${field}, which is beyond any real balance; Spendbar kept the previous figures.`);
  }
  // -0 would print as "-$0.00".
  return { micros: micros === 0 ? 0 : micros, currency: scale.currency };
}

function toReading(f: KeyFigures, scale: Scale, settings: GatewaySettings, now: number): ProviderReading {
  const notes = [...settings.notes, ...f.notes, ...scale.notes];
  const used = scaled(f.used, 'used quota', scale);
  const limit = f.limit === null ? null : scaled(f.limit, 'quota limit', scale);
  const remaining = f.remaining === null ? null : scaled(f.remaining, 'remaining quota', scale);
  const expiresAt = f.expiresAtSec > 0 ? f.expiresAtSec * 1000 : null;
  let available: boolean | undefined;
  if (remaining === null) notes.push('Unlimited key: the gateway sets no quota, so there is no balance to show.');
  else if (remaining.micros <= 0) {
    available = false;
    notes.push("This key's quota is used up; the gateway will refuse calls until it is topped up.");
  }
  if (expiresAt !== null && expiresAt <= now) {
    available = false;
    notes.push(`This key expired on ${new Date(expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC; the gateway will refuse calls until it is renewed.`);
  }
  const quota: Quota = { limit, used, remaining, resets: 'never', expiresAt };
  const reading: ProviderReading = {
    balance: remaining,
    balances: remaining ? [remaining] : [],
    spent: { total: used },
    quota,
    usage: [],
    estimated: scale.estimated,
    notes,
  };
  if (available !== undefined) reading.available = available;
  return reading;
}
