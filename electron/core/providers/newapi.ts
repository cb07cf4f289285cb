// One-API / New-API gateways (smai.ai and most OpenAI-compatible resellers). Every fork keeps the OpenAI-style
// billing pair, so it is where the key's quota and spend come from (it costs no rate-limited request); /api/status
// says what unit it is in. New-API adds a per-key endpoint and a request log (per-model usage), both behind a
// rate limit shared by every account on the gateway (see NEWAPI_CRITICAL), and an optional access token reads the
// user's wallet. The parts live in ./newapi/; this module decides what to ask.
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './types.ts';
import { interpretBilling, readBilling, type BillingReply } from './newapi/billing.ts';
import { option, readLogIfDue, tokenUsageIfAffordable } from './newapi/critical.ts';
import { KeyRefused, type KeyState } from './newapi/key-state.ts';
import { compose, walletInBillingUnits, type KeyReading } from './newapi/reading.ts';
import { assumedSettings, billingScale, parseSettings, rawScale, statusData, type GatewaySettings } from './newapi/settings.ts';
import { readWallet, type Wallet } from './newapi/wallet.ts';
import { get } from './newapi/wire.ts';

export { LOG_SPACING_MS } from './newapi/critical.ts';

/** Settings change rarely; every account on a gateway shares one read of them. */
const STATUS_TTL_MS = 10 * 60_000;
const STATUS_STALE_MS = 24 * 3_600_000;

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

async function readGateway(ctx: FetchContext, root: string, key: string, accessToken: string | undefined, secrets: string[]): Promise<ProviderReading> {
  const host = safeHost(root);
  const userId = option(ctx, 'userId') || undefined;
  const billingP = settle(readBilling(ctx, root, key, secrets));
  const walletP = accessToken ? settle(readWallet(ctx, root, accessToken, userId, secrets)) : Promise.resolve(null);
  let settings: GatewaySettings;
  try {
    settings = await readSettings(ctx, root);
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

/** /api/status of one gateway (a host may serve several under path prefixes), shared by all its accounts. */
async function readSettings(ctx: FetchContext, root: string): Promise<GatewaySettings> {
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
  return ctx.budget ? ctx.budget.once(root, 'newapi-status', STATUS_TTL_MS, load, { staleMs: STATUS_STALE_MS }) : load();
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

