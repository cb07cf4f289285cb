// OpenRouter, and routers that copy its API (OneRouter/Infron, …): they differ only by base URL.
// /key works for every key but describes only the key that asks; /credits, /activity and /keys need a management
// key, which reads the whole account (./openrouter-keys.ts). A plain key getting 403 there is normal, so the poll
// still succeeds with the key's own figures and a note saying what to add.
import { type Quota, type QuotaReset, type SpendWindows, type UsageBucket } from '../../../shared/domain.ts';
import { formatMoney, toMicros, type Money } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { finite, isRecord, nonNegative } from './numbers.ts';
import { readKeys } from './openrouter-keys.ts';
import { parseActivity } from './openrouter-activity.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './types.ts';

const USD = 'USD';
const DEFAULT_BASE_URL = 'https://openrouter.ai/api/v1';

export const NOTE_NEEDS_MANAGEMENT_KEY =
  'This key cannot read credits or activity: add a management key (OpenRouter → Settings → Management keys) to see the balance and per-model usage.';
export const NOTE_NO_ACTIVITY_ACCESS =
  'This key cannot read per-model activity: add a management key to see usage by model.';
export const NOTE_NO_ACTIVITY_ENDPOINT =
  'This router does not offer per-model activity (/activity answered 404), so only the key’s spend and balance are shown.';
export const NOTE_NO_KEYS_ACCESS =
  'This management key cannot list the account’s keys (/keys refused): spend today, this week and this month and usage per key are not available. Give the key access to all workspaces, or create one that has it.';
export const NOTE_NO_CREDITS_ENDPOINT = 'This router does not report credits (/credits answered 404), so there is no balance.';
export const NOTE_NO_CREDITS_ACCESS = 'This management key cannot read credits (/credits refused), so there is no balance.';
export const NOTE_FREE_TIER =
  'This key is on the free tier (no credits bought yet): free models have a small daily request allowance.';

interface Reply {
  /** HTTP status, or the error code of a passed-through error body. */
  status: number;
  data: unknown;
}

export const openrouterAdapter: ProviderAdapter = {
  descriptor: {
    id: 'openrouter',
    displayName: 'OpenRouter (and compatible routers)',
    defaultBaseUrl: DEFAULT_BASE_URL,
    credentialFields: [
      {
        name: 'apiKey',
        label: 'API key (a management key also reads credits and activity)',
        secret: true,
        required: true,
        placeholder: 'sk-or-v1-…',
      },
    ],
    optionFields: [],
    reports: [
      'balance (management key)',
      'spend today / week / month / total (a management key: summed over every key of every workspace)',
      'key limit, remaining and reset (a management key: for each key, by name)',
      'per-model daily requests, tokens and cost for completed UTC days (management key)',
    ],
    consoleUrl: 'https://openrouter.ai/settings/credits',
  },

  async fetch(ctx: FetchContext): Promise<ProviderReading> {
    const apiKey = ctx.credentials.apiKey?.trim();
    if (!apiKey) throw new ProviderError('config', 'No API key is set for this OpenRouter account. Add one in the account settings.');
    const base = (ctx.baseUrl || DEFAULT_BASE_URL).trim().replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/i.test(base)) {
      throw new ProviderError('config', `"${base}" is not an http(s) URL. Use the router's API base, e.g. ${DEFAULT_BASE_URL}.`);
    }
    try {
      return await read(ctx, base, apiKey);
    } catch (err) {
      // A provider's message is quoted into ours; make sure it can never carry the key back out.
      if (err instanceof ProviderError && err.message.includes(apiKey)) {
        throw new ProviderError(err.kind, redact(err.message, [apiKey]), { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
      }
      throw err;
    }
  },
};

async function read(ctx: FetchContext, base: string, apiKey: string): Promise<ProviderReading> {
  const keyP = get(ctx, base, apiKey, '/key', 'key usage');
  const creditsP = get(ctx, base, apiKey, '/credits', 'credits', [401, 403, 404], { unwrapped: ['total_credits'] });
  // Observed now, so a failure there while /key fails too is not left unhandled.
  creditsP.catch(() => undefined);
  const keyR = await keyP;
  const management = managementFlag(keyR.data);
  // A key that says it is not a management key is not asked for what only those may read.
  const activityP = management === false ? null : get(ctx, base, apiKey, '/activity', 'activity', [403, 404]);
  const keysP = management === true ? readKeys((path, what) => get(ctx, base, apiKey, path, what, [400, 401, 403, 404], { total: true })) : null;
  const [creditsR, activityR, keysRead] = await Promise.all([creditsP, activityP, keysP]);

  const key = parseKey(keyR.data);
  const notes: string[] = [];
  let balance: Money | null = null;
  let creditsUsage: Money | null = null;
  if (creditsR.status === 404) notes.push(NOTE_NO_CREDITS_ENDPOINT);
  else if (creditsR.status !== 200) notes.push(management === true ? NOTE_NO_CREDITS_ACCESS : NOTE_NEEDS_MANAGEMENT_KEY);
  else {
    const credits = parseCredits(creditsR.data);
    // A plain key may get HTTP 200 with zeros instead of 403: that is "not available", never a $0 balance.
    if (management !== true && credits.credits === 0 && credits.usage === 0) notes.push(NOTE_NEEDS_MANAGEMENT_KEY);
    else {
      balance = { micros: credits.credits - credits.usage, currency: USD };
      creditsUsage = { micros: credits.usage, currency: USD };
    }
  }

  let usage: UsageBucket[] = [];
  let byokNote = key.byokMicros > 0 && management !== true ? `This key’s bring-your-own-key usage (${usdText(key.byokMicros)})` : '';
  if (activityR === null || activityR.status === 403) {
    if (!notes.includes(NOTE_NEEDS_MANAGEMENT_KEY)) notes.push(NOTE_NO_ACTIVITY_ACCESS);
  } else if (activityR.status === 404) {
    notes.push(NOTE_NO_ACTIVITY_ENDPOINT);
  } else {
    const activity = parseActivity(activityR.data, ctx.usageSince);
    usage = activity.buckets;
    if (activity.byokMicros > 0) byokNote = `Bring-your-own-key usage over the last 30 days (${usdText(activity.byokMicros)})`;
  }

  const reading: ProviderReading = { balance, balances: balance ? [balance] : [], spent: key.spent, quota: key.quota, usage, estimated: false, notes };
  if (management === true) {
    // /key describes the management key itself, which spends nothing: the account's figures come from its keys.
    reading.quota = null;
    reading.spent = {};
    if (keysRead) {
      reading.spent = { ...keysRead.spent };
      reading.keys = keysRead.keys;
      notes.push(...keysRead.notes);
      if (keysRead.byokMicros > 0 && !byokNote) byokNote = `Your keys’ bring-your-own-key usage (${usdText(keysRead.byokMicros)})`;
    } else {
      notes.push(NOTE_NO_KEYS_ACCESS);
    }
    if (creditsUsage) reading.spent.total = creditsUsage;
    if (activityR?.status === 200) notes.push(todayNote(reading.spent.today));
  }
  if (key.freeTier) notes.push(NOTE_FREE_TIER);
  if (byokNote) notes.push(`${byokNote} is billed by your own provider keys and is not included in these costs.`);
  return reading;
}

/** true / false as /key says (is_management_key, or its older name is_provisioning_key); undefined when it does not. */
function managementFlag(data: unknown): boolean | undefined {
  if (!isRecord(data)) return undefined;
  if (data.is_management_key === true || data.is_provisioning_key === true) return true;
  if (data.is_management_key === false || data.is_provisioning_key === false) return false;
  return undefined;
}

function todayNote(today: Money | undefined): string {
  const so = today ? ` (${usdText(today.micros)} so far)` : '';
  return `Per-model figures cover completed UTC days only (OpenRouter's activity): today's spend${so} has no per-model breakdown until after 00:00 UTC.`;
}

interface GetOptions {
  /** A body without `data` whose top level has one of these fields is taken as the data (seen from /credits). */
  unwrapped?: string[];
  /** Read `total_count` (paged lists). */
  total?: boolean;
}

async function get(
  ctx: FetchContext,
  base: string,
  apiKey: string,
  path: string,
  what: string,
  pass: number[] = [],
  opts: GetOptions = {},
): Promise<Reply & { total?: number }> {
  const url = `${base}${path}`;
  const res = await ctx.http({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
    timeoutMs: ctx.timeoutMs,
  });
  if (pass.includes(res.status)) return { status: res.status, data: undefined };
  const body = readJson(res, url, { what, now: ctx.now() });
  const host = safeHost(url);
  // OpenRouter can put {"error":{code,message}} on any status, including 200.
  if (isRecord(body) && body.error !== undefined && body.error !== null) {
    const err = isRecord(body.error) ? body.error : { message: body.error };
    const code = typeof err.code === 'number' ? err.code : undefined;
    if (code !== undefined && pass.includes(code)) return { status: code, data: undefined };
    throw errorBody(host, what, code, typeof err.message === 'string' ? err.message.slice(0, 200) : undefined, res.status);
  }
  if (isRecord(body) && !('data' in body) && opts.unwrapped?.some((f) => f in body)) return { status: res.status, data: body };
  if (!isRecord(body) || !('data' in body)) {
    throw new ProviderError('bad-response', `${host} sent a ${what} response without a "data" field. Check that the base URL points at an OpenRouter-compatible API.`, { status: res.status });
  }
  const total = opts.total && typeof body.total_count === 'number' ? body.total_count : undefined;
  return { status: res.status, data: body.data, ...(total !== undefined ? { total } : {}) };
}

function errorBody(host: string, what: string, code: number | undefined, message: string | undefined, status: number): ProviderError {
  const said = message ? ` The provider said: "${message}".` : '';
  if (code === 401) return new ProviderError('auth', `${host} rejected the API key while reading ${what}. Check that the key is correct and not revoked.${said}`, { status });
  if (code === 403) return new ProviderError('forbidden', `${host} refused access to ${what}. The key lacks the permission this needs.${said}`, { status });
  if (code === 429) return new ProviderError('rate-limited', `${host} is rate limiting requests.${said}`, { status });
  if (code !== undefined && code >= 500) return new ProviderError('server', `${host} had a server error (${code}) while serving ${what}; Spendbar will retry.${said}`, { status });
  return new ProviderError('provider', `${host} answered with an error${code !== undefined ? ` (code ${code})` : ''} for ${what}.${said}`, { status });
}

function usdText(micros: number): string {
  return formatMoney({ micros, currency: USD });
}

function bad(message: string): ProviderError {
  return new ProviderError('bad-response', message);
}

interface KeyFigures {
  spent: SpendWindows;
  quota: Quota;
  freeTier: boolean;
  byokMicros: number;
}

function parseKey(data: unknown): KeyFigures {
  if (!isRecord(data)) throw bad('The key usage response has no key data. Check that the base URL points at an OpenRouter-compatible API.');
  const micros = (field: string): number | undefined => (data[field] == null ? undefined : toMicros(nonNegative(data[field], field)));
  const usd = (m: number | undefined): Money | undefined => (m === undefined ? undefined : { micros: m, currency: USD });
  const total = micros('usage');
  const daily = micros('usage_daily');
  const weekly = micros('usage_weekly');
  const monthly = micros('usage_monthly');

  const spent: SpendWindows = {};
  if (daily !== undefined) spent.today = usd(daily);
  if (weekly !== undefined) spent.week = usd(weekly);
  if (monthly !== undefined) spent.month = usd(monthly);
  if (total !== undefined) spent.total = usd(total);

  const limit = data.limit == null ? null : toMicros(nonNegative(data.limit, 'limit'));
  // Overspending a cap can leave remaining slightly negative; that is a real figure, not a bad one.
  const remaining = limit === null || data.limit_remaining == null ? null : toMicros(finite(data.limit_remaining, 'limit_remaining'));
  const resets = parseReset(data.limit_reset);
  const window = resets === 'daily' ? daily : resets === 'weekly' ? weekly : resets === 'monthly' ? monthly : total;
  const quota: Quota = {
    limit: usd(limit ?? undefined) ?? null,
    used: { micros: window ?? total ?? 0, currency: USD },
    remaining: usd(remaining ?? undefined) ?? null,
    resets,
    expiresAt: parseExpiry(data.expires_at),
  };
  return {
    spent,
    quota,
    freeTier: data.is_free_tier === true,
    byokMicros: data.byok_usage == null ? 0 : toMicros(nonNegative(data.byok_usage, 'byok_usage')),
  };
}

/** null when the router names a reset period Spendbar does not know. */
function parseReset(value: unknown): QuotaReset | null {
  if (value == null) return 'never';
  return value === 'daily' || value === 'weekly' || value === 'monthly' ? value : null;
}

function parseExpiry(value: unknown): number | null {
  if (value == null || value === '') return null;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value < 1e12 ? value * 1000 : value;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw bad(`The provider reported ${JSON.stringify(String(value).slice(0, 30))} for expires_at, which is not a date; Spendbar kept the previous figures.`);
  return ms;
}

function parseCredits(data: unknown): { credits: number; usage: number } {
  if (!isRecord(data)) throw bad('The credits response has no credits data. Check that the base URL points at an OpenRouter-compatible API.');
  // Subtract in micros so the balance is exact to the micro-dollar.
  return { credits: toMicros(nonNegative(data.total_credits, 'total_credits')), usage: toMicros(nonNegative(data.total_usage, 'total_usage')) };
}

