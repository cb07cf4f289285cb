// A LiteLLM proxy (float USD). A virtual key reads its own spend, budget, reset and expiry (/key/info), its team's
// budget, and per-day, per-model spend (/user/daily/activity). A master key is not in the key table: it reads the
// whole proxy's daily activity and the budgets of the teams and users named in the account's options.
import { ALL_MODELS, BUCKET_MS, type Quota, type QuotaReset, type UsageBucket } from '../../../shared/domain.ts';
import { toMicros, type Money } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { BucketSet, emptyBucket, planReport, spendWindows, type ReportPlan } from './admin-report.ts';
import { count, finite, isRecord, nonNegative } from './numbers.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './types.ts';

const USD = 'USD';
const PAGE_SIZE = 1000;
const MAX_PAGES = 10;

export const litellmAdapter: ProviderAdapter = {
  descriptor: {
    id: 'litellm',
    displayName: 'LiteLLM proxy',
    defaultBaseUrl: 'http://localhost:4000',
    credentialFields: [{ name: 'apiKey', label: 'Virtual key or master key', secret: true, required: true, placeholder: 'sk-…', help: 'A virtual key reads its own spend and budget; the master key reads the whole proxy and the budgets listed below.' }],
    optionFields: [
      { name: 'teams', label: 'Team ids to watch', secret: false, required: false, type: 'list', help: 'Budgets of these teams (a virtual key sees only its own team).' },
      { name: 'users', label: 'User ids to watch', secret: false, required: false, type: 'list', help: 'Budgets of these users (a virtual key sees only its own user).' },
    ],
    reports: ['key spend, max budget (as the balance), budget reset and expiry', 'team and user budgets', 'spend today / week / month and per day and model (daily activity)'],
  },
  async fetch(ctx) {
    const apiKey = ctx.credentials.apiKey?.trim();
    if (!apiKey) throw new ProviderError('config', 'Enter a LiteLLM virtual key (or the proxy master key).');
    const root = (ctx.baseUrl || litellmAdapter.descriptor.defaultBaseUrl).trim().replace(/\/+$/, '').replace(/\/v1$/i, '');
    try {
      return await read(ctx, root, apiKey);
    } catch (err) {
      if (err instanceof ProviderError && err.message.includes(apiKey)) throw new ProviderError(err.kind, redact(err.message, [apiKey]), { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
      throw err;
    }
  },
};

interface Reply {
  status: number;
  body: unknown;
}

async function get(ctx: FetchContext, url: string, apiKey: string, what: string, pass: number[] = []): Promise<Reply> {
  const res = await ctx.http({ method: 'GET', url, headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' }, timeoutMs: ctx.timeoutMs });
  if (pass.includes(res.status)) return { status: res.status, body: safeJson(res.text) };
  return { status: res.status, body: readJson(res, url, { what, now: ctx.now() }) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const usd = (micros: number): Money => ({ micros, currency: USD });
const money = (v: unknown, field: string): Money => usd(toMicros(nonNegative(v, field)));
const fmt = (m: Money) => `$${(m.micros / 1e6).toFixed(2)}`;

async function read(ctx: FetchContext, root: string, apiKey: string): Promise<ProviderReading> {
  const plan = planReport(ctx.now(), ctx.usageSince, 30, BUCKET_MS.day);
  const [keyR, activity] = await Promise.all([get(ctx, `${root}/key/info`, apiKey, 'key info', [400, 404]), readActivity(ctx, root, apiKey, plan)]);
  const reading: ProviderReading = { balance: null, balances: [], spent: {}, quota: null, usage: [], estimated: false, notes: [] };
  const info = keyR.status < 400 && isRecord(keyR.body) && isRecord(keyR.body.info) ? keyR.body.info : null;
  const teams = new Set(list(ctx.account.options?.teams));
  const users = new Set(list(ctx.account.options?.users));
  if (info) {
    readKey(info, reading, plan.now);
    if (typeof info.team_id === 'string' && info.team_id) teams.add(info.team_id);
  } else if (activity === null) {
    throw new ProviderError('not-found', `${safeHost(root)} answered neither /key/info nor /user/daily/activity: check that the base URL is the LiteLLM proxy (without /v1) and that it has a database.`, { status: keyR.status });
  } else {
    reading.notes.push('This is the proxy master key (not a virtual key): spend covers the whole proxy; list team or user ids in the options to watch their budgets.');
  }

  if (activity) {
    reading.usage = activity.buckets.filter((b) => b.start >= plan.emitFrom);
    const windows = spendWindows(activity.buckets.map((b) => ({ start: b.start, cost: b.cost ?? usd(0) })), plan, USD);
    reading.spent = { ...windows, ...(reading.spent.total ? { total: reading.spent.total } : {}) };
    if (activity.cutShort) reading.notes.push(activity.cutShort);
  } else {
    reading.notes.push('This proxy does not offer daily activity to this key, so there is no per-day or per-model spend.');
  }

  for (const id of [...teams].slice(0, 20)) reading.notes.push(await budgetNote(ctx, root, apiKey, 'team', id));
  for (const id of [...users].slice(0, 20)) reading.notes.push(await budgetNote(ctx, root, apiKey, 'user', id));
  return reading;
}

function list(v: string | string[] | undefined): string[] {
  return (Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : []).map((s) => s.trim()).filter(Boolean);
}

const RESETS: Record<string, QuotaReset> = { '1d': 'daily', '24h': 'daily', '7d': 'weekly', '1w': 'weekly', '30d': 'monthly', '1mo': 'monthly' };

/** A key's spend counts since its last budget reset when it has a budget duration, else since it was made. */
function readKey(info: Record<string, unknown>, reading: ProviderReading, now: number): void {
  const spend = money(info.spend ?? 0, 'info.spend');
  const duration = typeof info.budget_duration === 'string' && info.budget_duration ? info.budget_duration : null;
  const limit = info.max_budget == null ? null : money(info.max_budget, 'info.max_budget');
  const expires = typeof info.expires === 'string' ? Date.parse(info.expires) : NaN;
  const quota: Quota = {
    limit,
    used: spend,
    remaining: limit ? usd(limit.micros - spend.micros) : null,
    resets: duration ? (RESETS[duration] ?? null) : 'never',
    expiresAt: Number.isNaN(expires) ? null : expires,
  };
  reading.quota = quota;
  if (quota.remaining) {
    reading.balance = quota.remaining;
    reading.balances = [quota.remaining];
    if (quota.remaining.micros <= 0) {
      reading.available = false;
      reading.notes.push(`This key has spent its budget of ${fmt(limit!)}: the proxy refuses its calls until the budget resets or is raised.`);
    }
  }
  if (!duration) reading.spent = { total: spend };
  else {
    const reset = typeof info.budget_reset_at === 'string' && !Number.isNaN(Date.parse(info.budget_reset_at)) ? ` (next reset ${new Date(info.budget_reset_at).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : '';
    reading.notes.push(`The key's budget resets every ${duration}${reset}; its spend of ${fmt(spend)} counts since the last reset.`);
  }
  if (quota.expiresAt !== null && quota.expiresAt !== undefined && quota.expiresAt <= now) {
    reading.available = false;
    reading.notes.push('This key has expired: the proxy refuses its calls.');
  }
  if (info.blocked === true) {
    reading.available = false;
    reading.notes.push('This key is blocked on the proxy.');
  }
}

async function budgetNote(ctx: FetchContext, root: string, apiKey: string, kind: 'team' | 'user', id: string): Promise<string> {
  const url = `${root}/${kind}/info?${kind}_id=${encodeURIComponent(id)}`;
  const r = await get(ctx, url, apiKey, `${kind} info`, [400, 401, 403, 404]);
  const shown = id.slice(0, 60);
  if (r.status >= 400 || !isRecord(r.body)) return `The ${kind} ${shown} could not be read with this key (${r.status}): a virtual key sees only its own ${kind}; use the master key to watch others.`;
  const i = isRecord(r.body[`${kind}_info`]) ? (r.body[`${kind}_info`] as Record<string, unknown>) : r.body;
  const name = typeof i.team_alias === 'string' && i.team_alias ? i.team_alias : typeof i.user_alias === 'string' && i.user_alias ? i.user_alias : shown;
  const spend = money(i.spend ?? 0, `${kind}_info.spend`);
  if (i.max_budget == null) return `${kind === 'team' ? 'Team' : 'User'} ${name}: ${fmt(spend)} spent, no budget.`;
  const limit = money(i.max_budget, `${kind}_info.max_budget`);
  const reset = typeof i.budget_reset_at === 'string' && !Number.isNaN(Date.parse(i.budget_reset_at)) ? `, resets ${i.budget_reset_at.slice(0, 10)}` : '';
  return `${kind === 'team' ? 'Team' : 'User'} ${name}: ${fmt(spend)} of ${fmt(limit)} budget spent (${Math.round((spend.micros / Math.max(1, limit.micros)) * 100)} %${reset}).`;
}

/** Per-day, per-model spend; null when the proxy does not offer it to this key (or is too old to have it). */
async function readActivity(ctx: FetchContext, root: string, apiKey: string, plan: ReportPlan): Promise<{ buckets: UsageBucket[]; cutShort: string | null } | null> {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const buckets = new BucketSet();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const url = `${root}/user/daily/activity?start_date=${day(plan.costFrom)}&end_date=${day(plan.today)}&page=${page}&page_size=${PAGE_SIZE}`;
    const r = await get(ctx, url, apiKey, 'daily activity', [401, 403, 404]);
    if (r.status >= 400) {
      // An auth failure here is still an auth failure when /key/info also refused the key: let that say so.
      if (r.status === 401 && isRecord(r.body) && isRecord(r.body.error) && /auth/i.test(String(r.body.error.type ?? ''))) {
        throw new ProviderError('auth', `${safeHost(url)} rejected the key (401). Check that it is a valid LiteLLM virtual key or the master key.`, { status: 401 });
      }
      return null;
    }
    if (!isRecord(r.body) || !Array.isArray(r.body.results)) throw new ProviderError('bad-response', `${safeHost(url)} sent daily activity without a results list.`);
    r.body.results.forEach((row: unknown, i) => addDay(buckets, row, `results[${i}]`));
    const meta = isRecord(r.body.metadata) ? r.body.metadata : {};
    const more = meta.has_more === true || (typeof meta.total_pages === 'number' && page < meta.total_pages);
    if (!more) return { buckets: buckets.list(), cutShort: null };
  }
  return { buckets: buckets.list(), cutShort: `The proxy still had more pages of daily activity after ${MAX_PAGES}; Spendbar stopped there.` };
}

function addDay(set: BucketSet, row: unknown, at: string): void {
  if (!isRecord(row) || typeof row.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(row.date)) throw new ProviderError('bad-response', `The proxy sent a daily activity row (${at}) without a date.`);
  const start = Date.parse(`${row.date}T00:00:00Z`);
  const models = isRecord(row.breakdown) && isRecord(row.breakdown.models) ? row.breakdown.models : null;
  const entries: [string, unknown][] = models && Object.keys(models).length > 0 ? Object.entries(models) : [[ALL_MODELS, { metrics: row.metrics }]];
  for (const [model, value] of entries) {
    const m = isRecord(value) && isRecord(value.metrics) ? value.metrics : null;
    if (!m) continue;
    const n = (f: string) => (m[f] == null ? 0 : count(m[f], `${at}.${model}.${f}`));
    const cost = toMicros(finite(m.spend ?? 0, `${at}.${model}.spend`));
    if (cost < 0) throw new ProviderError('bad-response', `The proxy reported negative spend for ${model} on ${row.date}.`);
    set.add({
      ...emptyBucket(start, 'day', model, ''),
      requests: m.api_requests != null ? n('api_requests') : n('successful_requests') + n('failed_requests'),
      inputTokens: n('prompt_tokens'),
      outputTokens: n('completion_tokens'),
      cachedTokens: n('cache_read_input_tokens'),
      cost: usd(cost),
    });
  }
}

