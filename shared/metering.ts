// What the metering proxy records and serves: one row per request, rate-limit headroom per account and key, and the
// Requests view's summary. Shared by the core, both transports and the renderer (no Node, no DOM).
import { z } from 'zod';
import type { Currency, Money } from './money.ts';

/** One rate-limit window as the provider's headers state it. `limit: null` = the provider says "unlimited". */
export interface RateWindow {
  limit: number | null;
  remaining: number | null;
  /** Epoch ms when the window resets, when the headers say. */
  resetAt: number | null;
}

export const RATE_WINDOWS = ['requests', 'tokens', 'inputTokens', 'outputTokens', 'requestsPerDay', 'tokensPerDay'] as const;
export type RateWindowName = (typeof RATE_WINDOWS)[number];

/** Rate-limit figures of one response; only the windows the provider reported are present. */
export type RateLimit = Partial<Record<RateWindowName, RateWindow>> & {
  /** From retry-after on a 429. */
  retryAfterMs?: number;
};

export type RequestKind = 'service' | 'internal';

/**
 * How the cost of a request is known: the provider's own figure, the bundled price table, not at all ("unpriced":
 * shown as such, never as $0), or "none" for a failed request that reported no usage (nothing was consumed).
 */
export type CostSource = 'provider' | 'price-table' | 'unpriced' | 'none';

/** One request through the proxy, as `GET /api/requests` returns it. Never prompt or completion text, never a key. */
export interface RequestRow {
  id: number;
  /** Epoch ms the request arrived. */
  time: number;
  accountId: string;
  /** The key used, masked ("sk-…a1b2"); "" when the request carried none. */
  key: string;
  /** From X-Spendbar-App; "" when not tagged. */
  app: string;
  kind: RequestKind;
  /** What the provider says it served; the model asked for when the response does not say. */
  model: string;
  modelRequested: string;
  /** API path below the account's base URL ("/v1/chat/completions"). */
  endpoint: string;
  stream: boolean;
  /** The upstream's HTTP status; 499 = the client hung up, 502/504 = Spendbar could not reach the provider. */
  status: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Major units, like `spendbar poll --json`; null = unpriced (never shown as $0). */
  cost: { amount: number; currency: Currency } | null;
  costSource: CostSource;
  /** Tokens were estimated because the provider never reported usage (stream cut short, usage turned off). */
  estimated: boolean;
  latencyMs: number;
  /** Time to the first byte of the response body; null when none came. */
  ttfbMs: number | null;
  rateLimit: RateLimit | null;
  /** What went wrong, in words, for failed or cut-short requests. */
  note: string | null;
}

export interface RequestFilter {
  from?: number;
  to?: number;
  accountId?: string;
  app?: string;
  kind?: RequestKind;
  model?: string;
  /** "ok" (2xx), "error" (anything else), or one status code. */
  status?: 'ok' | 'error' | number;
  stream?: boolean;
  /** Paging: rows with id below this (the previous page's `nextBefore`). */
  before?: number;
  /** 1–500, default 50. */
  limit?: number;
}

export interface RequestPage {
  rows: RequestRow[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  nextBefore: number | null;
}

/** Totals of metered requests for one group (app + kind, or account). Costs are per currency, never added across. */
export interface MeteredTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costs: Money[];
  /** Requests without a price: shown as "unpriced", never counted as $0. */
  unpriced: number;
  estimated: number;
}

export interface AppTotals extends MeteredTotals {
  app: string;
  kind: RequestKind;
}

/** The latest rate-limit figures seen for one account and key, with 429s counted. */
export interface Headroom {
  accountId: string;
  /** The key as shown: masked (`sk-…a1b2`). Two keys may share it. */
  key: string;
  /**
   * Which key, told apart even when two share their masked form: a keyed hash of the full key (not reversible; the
   * key itself is never stored). "" for figures stored before keys had ids.
   */
  keyId: string;
  /** Epoch ms of the response the figures came from. */
  time: number;
  rateLimit: RateLimit;
  /** Lowest remaining ÷ limit over the reported windows, in percent; null when no window has both. */
  lowestPercent: number | null;
  /** 429 answers in the last hour and in the last 24 hours. */
  rateLimited1h: number;
  rateLimited24h: number;
}

/** Metered (through the proxy) next to billed (what the provider reports) for one account, over one window. Never added. */
export interface MeteredVsBilled {
  accountId: string;
  from: number;
  to: number;
  metered: Money[];
  /** Requests in the window the proxy could not price. */
  meteredUnpriced: number;
  billed: Money[];
  /** Where `billed` comes from: the provider's usage buckets, or its spend window figure. */
  billedFrom: 'usage' | 'spend-window' | 'none';
  /** billed − metered in each currency both have: spend that went around the proxy (or not yet billed). */
  gap: Money[];
}

export interface ProxyInfo {
  /** Where apps point their base URL (`<url>/proxy/<accountId>`), or null when the proxy is not running. */
  url: string | null;
  /** How to get the proxy token without it passing through this page. */
  tokenHint: string;
  accounts: { accountId: string; baseUrl: string; upstream: string; canInsertKey: boolean }[];
}

export interface MeterSummary {
  from: number;
  to: number;
  proxy: ProxyInfo;
  byApp: AppTotals[];
  headroom: Headroom[];
  meteredVsBilled: MeteredVsBilled[];
}

// ---- validation of what crosses a boundary (HTTP query strings, IPC arguments) ---------------------------------

const epoch = z.number({ error: 'must be a time in epoch milliseconds' }).int().nonnegative();

export const requestFilterSchema = z.strictObject({
  from: epoch.optional(),
  to: epoch.optional(),
  accountId: z.string().max(64).optional(),
  app: z.string().max(64).optional(),
  kind: z.enum(['service', 'internal'], { error: 'kind must be "service" or "internal"' }).optional(),
  model: z.string().max(200).optional(),
  status: z.union([z.enum(['ok', 'error']), z.number().int().min(100).max(599)], { error: 'status must be "ok", "error" or an HTTP status' }).optional(),
  stream: z.boolean({ error: 'stream must be true or false' }).optional(),
  before: z.number().int().positive().optional(),
  limit: z.number().int().min(1, { error: 'limit must be 1 to 500' }).max(500, { error: 'limit must be 1 to 500' }).optional(),
}) satisfies z.ZodType<RequestFilter>;

export const meterRangeSchema = z
  .strictObject({ from: epoch.optional(), to: epoch.optional() })
  .refine((r) => r.from === undefined || r.to === undefined || r.from < r.to, { error: '"from" must be before "to"' });

/** A filter from URL query parameters (GET /api/requests?accountId=…&status=error&limit=100), validated. */
export function requestFilterFromQuery(q: URLSearchParams): z.ZodSafeParseResult<RequestFilter> {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of q) {
    if (['from', 'to', 'before', 'limit'].includes(k)) raw[k] = /^\d+$/.test(v) ? Number(v) : v;
    else if (k === 'status') raw[k] = /^\d+$/.test(v) ? Number(v) : v;
    else if (k === 'stream') raw[k] = v === 'true' ? true : v === 'false' ? false : v;
    else raw[k] = v;
  }
  return requestFilterSchema.safeParse(raw);
}

// The filter as URL query parameters lives in its own zod-free module, for the dashboard's start-up script.
export { requestFilterToQuery } from './request-query.ts';
