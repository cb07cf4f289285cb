// The domain model shared by the core, the server, the Electron shell and the renderer.
// Times are integer epoch milliseconds (UTC). Money is integer micro-units plus a currency.
import type { Currency, Money } from './money.ts';

export type ProviderId =
  | 'newapi'
  | 'openrouter'
  | 'deepseek'
  | 'surfercloud'
  | 'openai'
  | 'anthropic'
  | 'moonshot'
  | 'siliconflow'
  | 'custom'
  | 'xai'
  | 'litellm';

/** The names of UTC itself: no offsets to look up, and no reason to load ICU's zone data to accept them. */
export function isUtcZone(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT';
}

export const DEFAULT_POLL_INTERVAL_SEC = 300;
export const MIN_POLL_INTERVAL_SEC = 60;

/** An account as the user configured it. Never carries a secret: credentials live in a secret store. */
export interface Account {
  id: string;
  provider: ProviderId;
  label: string;
  /** Provider API base URL; the descriptor's default when absent. */
  baseUrl?: string;
  /** Seconds between polls; at least MIN_POLL_INTERVAL_SEC. */
  pollIntervalSec: number;
  /** Non-secret provider options (SurferCloud projectId, keyId, models, …). */
  options?: Record<string, string | string[]>;
  /** Which credential fields are set, with a masked hint ("sk-…a1b2"); never the value. */
  credentials?: Record<string, CredentialHint>;
  /** Accounts that poll the built-in demo fakes. */
  demo?: boolean;
  /** Where the account came from: the headless config file (read-only in the UI) or the settings store. */
  source?: 'config' | 'settings';
}

export interface CredentialHint {
  set: boolean;
  /** "sk-…a1b2"; absent when the value is shorter than 8 characters. */
  masked?: string;
  /** Where it comes from: stored (encrypted), inline in a config file, or an environment variable. */
  from: 'store' | 'inline' | 'env';
  env?: string;
}

export type ErrorKind =
  | 'config' // the account is set up wrong: missing credential, bad URL, unknown provider
  | 'auth' // 401: the key is wrong or revoked
  | 'forbidden' // 403: the key lacks a permission
  | 'not-found' // 404: wrong base URL or endpoint
  | 'rate-limited' // 429
  | 'server' // 5xx
  | 'timeout'
  | 'network' // DNS, refused, reset
  | 'bad-response' // not JSON, HTML page, truncated, absurd numbers
  | 'provider'; // the provider answered with an error body (often on HTTP 200)

export interface PollError {
  kind: ErrorKind;
  /** Says what happened and what to do about it. Never contains a secret. */
  message: string;
  status?: number;
  /** From Retry-After, when the provider sent one. */
  retryAfterMs?: number;
}

export interface SpendWindows {
  today?: Money;
  week?: Money;
  month?: Money;
  total?: Money;
}

export type QuotaReset = 'daily' | 'weekly' | 'monthly' | 'never';

export interface Quota {
  /** null = unlimited. */
  limit: Money | null;
  used: Money;
  remaining: Money | null;
  resets: QuotaReset | null;
  /** Epoch ms when the quota or key expires, if it does. */
  expiresAt?: number | null;
}

export type BucketWidth = 'hour' | 'day';

export const BUCKET_MS: Record<BucketWidth, number> = { hour: 3_600_000, day: 86_400_000 };

/** One API key of an account, as a provider that lists them reports it (OpenRouter management keys). */
export interface KeySpend {
  /** The key's name; never the key (nor more of it than "sk-or-v1-…1c96"). */
  name: string;
  workspace?: string;
  disabled?: boolean;
  spent: SpendWindows;
  /** null = no cap. */
  limit: Money | null;
  remaining: Money | null;
  resets: QuotaReset | null;
  expiresAt?: number | null;
}

/** The "model" of hourly spend the core derives from balance changes (no per-model breakdown from the provider). */
export const DERIVED_MODEL = '(all models, estimated from balance changes)';
/** The "model" of today's spend for a provider that reports per-model usage only for completed days. */
export const TODAY_MODEL = '(all models, today so far)';
/** The "model" of cost a provider reports per day without naming models (xAI's usage, a LiteLLM day without a breakdown). */
export const ALL_MODELS = '(all models)';
/** The "model" of a cost line that names no model (OpenAI's and Anthropic's costs that are not token usage). */
export const OTHER_COSTS = '(other costs)';
/** Rows that are not a model: they cover all of one account's models, so a table must say which account. */
export const ACCOUNT_WIDE_MODELS: readonly string[] = [DERIVED_MODEL, TODAY_MODEL, ALL_MODELS, OTHER_COSTS];

/** Usage for one model and key over one bucket of time, as the provider reported it. */
export interface UsageBucket {
  start: number;
  width: BucketWidth;
  model: string;
  /** The API key (its id, label or masked form) the usage belongs to; "" when the provider does not say. */
  key: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** null when the provider reports tokens only. */
  cost: Money | null;
  /** Images generated, where the provider counts them (SurferCloud ImageGenerationNum). */
  images?: number;
}

/** What one poll of one account found. A failed poll carries an error and no figures. */
export interface Snapshot {
  accountId: string;
  provider: ProviderId;
  time: number;
  ok: boolean;
  error: PollError | null;
  /** The main balance (first currency when there are several), or null when the provider does not report one. */
  balance: Money | null;
  /** Every balance the provider reported, one per currency. */
  balances: Money[];
  spent: SpendWindows;
  quota: Quota | null;
  usage: UsageBucket[];
  /** True when some figure is derived rather than read (e.g. converted with an exchange rate). */
  estimated: boolean;
  /** Human notes about the figures: what is estimated, what the key cannot read. */
  notes: string[];
  /** Whether the account can pay for calls, when the provider says (DeepSeek is_available). */
  available?: boolean;
  /** The account's keys with their own spend and caps, when the provider lists them. */
  keys?: KeySpend[];
  demo?: boolean;
}

export interface AccountStatus {
  accountId: string;
  /** Latest snapshot, successful or not. */
  latest: Snapshot | null;
  /** Latest successful snapshot (figures shown while a provider fails). */
  lastSuccess: Snapshot | null;
  stale: boolean;
  polling: boolean;
  paused: boolean;
  nextPollAt: number | null;
  consecutiveFailures: number;
  /** How long the main balance lasts at its recent burn; computed once in the core, null when unknown. */
  runway?: Runway | null;
}

/**
 * How long a balance lasts at its recent burn. Computed once in the core (electron/core/figures/runway.ts) from the
 * drops between stored balances, so a top-up never reads as negative spend; every screen, the tray and the
 * runway alert show this same figure.
 */
export interface Runway {
  /** The balance the projection starts from, and when it was read. */
  balance: Money;
  at: number;
  /** Average spend per day over the basis, in the balance's currency. */
  burnPerDay: Money;
  /** Days until the balance reaches zero at that burn; 0 when it already has. */
  days: number;
  /** The window asked for (7 days) and the span of history the burn actually rests on (shorter for a new account). */
  windowMs: number;
  basisMs: number;
}

export type SeriesMetric =
  | 'requests'
  | 'inputTokens'
  | 'outputTokens'
  | 'totalTokens'
  | 'cachedTokens'
  | 'reasoningTokens'
  | 'cost'
  | 'balance';

export type SeriesBucket = 'hour' | 'day' | 'week' | 'month';
export type SeriesGroupBy = 'account' | 'model' | 'key' | 'none';

export interface SeriesQuery {
  metric: SeriesMetric;
  bucket: SeriesBucket;
  groupBy: SeriesGroupBy;
  from: number;
  to: number;
  accountIds?: string[];
  models?: string[];
  keys?: string[];
  /** IANA zone for day/week/month boundaries; UTC when absent. */
  timeZone?: string;
  /** At most this many points per series (default 1000). */
  maxPoints?: number;
  /** "billed" (default): usage the providers report; "metered": what Spendbar's proxy measured. Never mixed. */
  source?: UsageSource;
}

export type UsageSource = 'billed' | 'metered';

export interface SeriesPoint {
  t: number;
  /** Counts for token/request metrics; micro-units for cost and balance. */
  v: number;
  /** Balance points that merge several buckets (SeriesResult.span > 1): v is the last balance, these its range. */
  min?: number;
  max?: number;
}

export interface Series {
  /** The group value: account id, model or key; "all" when not grouped. */
  group: string;
  /** Set for cost and balance: series of different currencies are never merged. */
  currency?: Currency;
  points: SeriesPoint[];
  /**
   * 'day' in an hourly result when every bucket behind this series is a whole day (the provider reports per day):
   * its points sit at midnight and must be drawn per day, not as one-hour spikes.
   */
  width?: 'day';
}

export interface SeriesResult {
  query: SeriesQuery;
  /** The bucket actually used after downsampling to maxPoints. */
  bucket: SeriesBucket;
  /**
   * How many consecutive buckets each point covers, as the API served it (1 when none were merged; absent = 1): a
   * 'hour' result of span 2 has a point per two hours. Sums are exact over the merged buckets.
   */
  span?: number;
  /** The start of every bucket of the range, empty ones included: exactly the columns a chart of it has. */
  starts: number[];
  series: Series[];
}

/** One row of the usage breakdown table. */
export interface UsageTotals {
  group: string;
  currency?: Currency;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** Micro-units of `currency`; null when no cost is known. */
  costMicros: number | null;
  /** Set on rows of an account-wide model (an estimate covering all of one account's models): whose it is. */
  accountId?: string;
}
