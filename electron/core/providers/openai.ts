// OpenAI organization Usage and Costs APIs (Admin key). Costs are exact float dollars per day, line item, project
// and key; usage is tokens and requests per hour, model and key. Hourly usage and daily costs are separate buckets
// (a day's cost bucket carries no tokens, an hour's usage bucket no cost), so nothing is counted twice.
import { OTHER_COSTS, type UsageBucket } from '../../../shared/domain.ts';
import { toMicros, type Money } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson } from '../http.ts';
import {
  BucketSet,
  DAY_MS,
  NameCache,
  bucketStart,
  emptyBucket,
  planReport,
  readPages,
  spendWindows,
} from './admin-report.ts';
import { count, isRecord } from './numbers.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './types.ts';

const ADMIN_KEYS_URL = 'https://platform.openai.com/settings/organization/admin-keys';
const LOOKBACK_DAYS = 31;
/** Documented maxima: hourly usage 168 buckets a page, daily costs 180. */
const USAGE_PAGE_LIMIT = 168;
const COST_PAGE_LIMIT = 180;

export const NOTE_NO_USAGE = 'OpenAI reports no usage or costs for this organization in the period read.';

export const OPENAI_NEEDS_ADMIN_KEY =
  `This key cannot read OpenAI's organization usage and costs: they need an Admin key (sk-admin-…). ` +
  `An organization owner creates one at ${ADMIN_KEYS_URL}; project keys (sk-proj-…), service-account keys and user keys cannot read these reports.`;

/** Names survive a failed lookup, so a key keeps its label (and its stored rows) from poll to poll. */
export const openaiNames = new NameCache();

export const openaiAdapter: ProviderAdapter = {
  descriptor: {
    id: 'openai',
    displayName: 'OpenAI (organization usage and costs)',
    defaultBaseUrl: 'https://api.openai.com',
    credentialFields: [
      {
        name: 'apiKey',
        label: 'Admin key',
        secret: true,
        required: true,
        placeholder: 'sk-admin-…',
        help: `An organization Admin key, created by an owner at ${ADMIN_KEYS_URL}. Project keys cannot read usage or costs.`,
      },
    ],
    optionFields: [],
    reports: [
      'exact costs per day, model (line item), project and API key',
      'spend today / week / month (UTC)',
      'hourly tokens (cached input included in input) and requests per model and API key',
      'project and key names',
    ],
    consoleUrl: 'https://platform.openai.com/usage',
    exactSpend: true,
  },
  async fetch(ctx) {
    const apiKey = ctx.credentials.apiKey?.trim();
    if (!apiKey) throw new ProviderError('config', `Enter an OpenAI Admin key (create one at ${ADMIN_KEYS_URL}).`);
    const root = apiRoot(ctx.baseUrl || openaiAdapter.descriptor.defaultBaseUrl);
    try {
      return await read(ctx, root, apiKey);
    } catch (err) {
      throw explain(err, apiKey);
    }
  },
};

/** The API root without /v1: users paste either form. */
export function apiRoot(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '').replace(/\/v1$/i, '');
}

function explain(err: unknown, apiKey: string): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.kind === 'auth' || err.kind === 'forbidden') {
    const said = / The provider said: "[^"]*"\./.exec(err.message)?.[0] ?? '';
    const lead = apiKey.startsWith('sk-admin-')
      ? `OpenAI rejected this Admin key (${err.status ?? 'refused'}): it may have been revoked, or belong to another organization. Create a new one at ${ADMIN_KEYS_URL}.`
      : `${OPENAI_NEEDS_ADMIN_KEY} (OpenAI answered ${err.status ?? 'refused'}.)`;
    return new ProviderError(err.kind, redact(`${lead}${said}`, [apiKey]), { status: err.status, cause: err });
  }
  const message = redact(err.message, [apiKey]);
  return message === err.message ? err : new ProviderError(err.kind, message, { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
}

function headers(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
}

function query(params: [string, string | number][]): string {
  const q = new URLSearchParams();
  for (const [k, v] of params) q.append(k, String(v));
  return q.toString();
}

async function read(ctx: FetchContext, root: string, apiKey: string): Promise<ProviderReading> {
  const plan = planReport(ctx.now(), ctx.usageSince, LOOKBACK_DAYS);
  const h = headers(apiKey);
  const costDays = Math.ceil((plan.today + DAY_MS - plan.costFrom) / DAY_MS);
  const costsP = readPages(ctx, {
    what: 'organization costs',
    headers: h,
    url: (page) =>
      `${root}/v1/organization/costs?${query([
        ['start_time', plan.costFrom / 1000],
        ['bucket_width', '1d'],
        ['group_by', 'line_item'],
        ['group_by', 'project_id'],
        ['group_by', 'api_key_id'],
        ['limit', Math.min(COST_PAGE_LIMIT, costDays)],
        ...(page ? [['page', page] as [string, string]] : []),
      ])}`,
  });
  const usageP = readPages(ctx, {
    what: 'completions usage',
    headers: h,
    url: (page) =>
      `${root}/v1/organization/usage/completions?${query([
        ['start_time', plan.usageFrom / 1000],
        ['bucket_width', '1h'],
        ['group_by', 'model'],
        ['group_by', 'api_key_id'],
        ['group_by', 'project_id'],
        ['limit', USAGE_PAGE_LIMIT],
        ...(page ? [['page', page] as [string, string]] : []),
      ])}`,
  });
  const [costs, usage] = await Promise.all([costsP, usageP]);
  const costRows = parseCosts(costs.data);
  const usageRows = parseUsage(usage.data);

  const notes: string[] = [];
  for (const cut of [costs.cutShort, usage.cutShort]) if (cut) notes.push(cut);
  const projectIds = new Set([...costRows, ...usageRows].map((r) => r.projectId).filter((p): p is string => p !== null));
  const lookup = await openaiNames.get(`${ctx.account.id}\u0000${root}`, plan.now, () => readNames(ctx, root, h, projectIds));
  if (lookup.problem) notes.push(`Project and key names could not be read, so ids are shown (${lookup.problem})`);
  const label = keyLabel(lookup.names);

  const buckets = new BucketSet();
  for (const r of usageRows) buckets.add({ ...r.bucket, key: label(r.keyId, r.projectId) });
  const inWindow: { start: number; cost: Money }[] = [];
  for (const r of costRows) {
    inWindow.push({ start: r.start, cost: r.cost });
    if (r.start >= plan.emitFrom) buckets.add({ ...emptyBucket(r.start, 'day', r.model, label(r.keyId, r.projectId)), cost: r.cost });
  }
  const currency = costRows[0]?.cost.currency ?? 'USD';
  if (costRows.length === 0 && usageRows.length === 0) notes.push(NOTE_NO_USAGE);
  return {
    balance: null,
    balances: [],
    spent: spendWindows(inWindow, plan, currency),
    quota: null,
    usage: buckets.list(),
    estimated: false,
    notes,
  };
}

interface CostRow {
  start: number;
  model: string;
  projectId: string | null;
  keyId: string | null;
  cost: Money;
}

interface UsageRow {
  bucket: UsageBucket;
  projectId: string | null;
  keyId: string | null;
}

function bad(message: string): ProviderError {
  return new ProviderError('bad-response', message);
}

function optionalId(v: unknown, field: string): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'string') throw bad(`OpenAI reported ${JSON.stringify(v)} for ${field}, which is not an id; Spendbar kept the previous figures.`);
  return v;
}

function eachResult(data: unknown[], what: string, fn: (start: number, r: Record<string, unknown>, at: string) => void, width: 'hour' | 'day'): void {
  data.forEach((bucket, i) => {
    if (!isRecord(bucket) || !Array.isArray(bucket.results)) throw bad(`OpenAI sent a ${what} bucket (data[${i}]) without a results list.`);
    const start = bucketStart(bucket.start_time, width, `data[${i}].start_time`);
    bucket.results.forEach((r: unknown, j) => {
      if (!isRecord(r)) throw bad(`OpenAI sent a ${what} result (data[${i}].results[${j}]) that is not an object.`);
      fn(start, r, `data[${i}].results[${j}]`);
    });
  });
}

/** Float dollars with a lowercase ISO currency; anything else is refused rather than guessed at. */
export function parseCosts(data: unknown[]): CostRow[] {
  const rows: CostRow[] = [];
  eachResult(data, 'costs', (start, r, at) => {
    const amount = r.amount;
    if (!isRecord(amount)) throw bad(`OpenAI sent a cost (${at}) without an amount.`);
    if (typeof amount.value !== 'number' || !Number.isFinite(amount.value)) {
      throw bad(`OpenAI reported ${JSON.stringify(amount.value)?.slice(0, 30)} for ${at}.amount.value, which is not a number of dollars; Spendbar kept the previous figures.`);
    }
    const currency = typeof amount.currency === 'string' ? amount.currency.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(currency)) {
      throw bad(`OpenAI reported a cost (${at}) in ${JSON.stringify(String(amount.currency)).slice(0, 20)}, which is not a currency; Spendbar kept the previous figures.`);
    }
    const micros = toMicros(amount.value) + 0;
    if (!Number.isSafeInteger(micros)) throw bad(`OpenAI reported ${amount.value} for ${at}.amount.value, which is beyond any real cost.`);
    rows.push({
      start,
      model: lineItemModel(r.line_item),
      projectId: optionalId(r.project_id, `${at}.project_id`),
      keyId: optionalId(r.api_key_id, `${at}.api_key_id`),
      cost: { micros, currency },
    });
  }, 'day');
  return rows;
}

/** "gpt-4o-2024-08-06, input" → "gpt-4o-2024-08-06", so costs meet the usage of the same model. */
export function lineItemModel(lineItem: unknown): string {
  if (typeof lineItem !== 'string' || !lineItem.trim()) return OTHER_COSTS;
  const comma = lineItem.lastIndexOf(', ');
  return (comma > 0 ? lineItem.slice(0, comma) : lineItem).trim();
}

/** input_tokens already includes cached (and cache-write) tokens: cached is shown as part of input, never added. */
export function parseUsage(data: unknown[]): UsageRow[] {
  const rows: UsageRow[] = [];
  eachResult(data, 'usage', (start, r, at) => {
    const n = (field: string): number => (r[field] == null ? 0 : count(r[field], `${at}.${field}`));
    const input = count(r.input_tokens, `${at}.input_tokens`);
    const cached = n('input_cached_tokens');
    if (cached > input) throw bad(`OpenAI reported more cached input tokens (${cached}) than input tokens (${input}) in ${at}; Spendbar kept the previous figures.`);
    const model = typeof r.model === 'string' && r.model ? r.model : '(unnamed model)';
    rows.push({
      bucket: {
        ...emptyBucket(start, 'hour', model, ''),
        requests: count(r.num_model_requests, `${at}.num_model_requests`),
        inputTokens: input,
        outputTokens: count(r.output_tokens, `${at}.output_tokens`),
        cachedTokens: cached,
        reasoningTokens: n('output_reasoning_tokens'),
      },
      projectId: optionalId(r.project_id, `${at}.project_id`),
      keyId: optionalId(r.api_key_id, `${at}.api_key_id`),
    });
  }, 'hour');
  return rows;
}

/** "ci-bot · Project Alpha" when names are known; the ids otherwise; usage outside any key under its project. */
function keyLabel(known: Map<string, string>): (keyId: string | null, projectId: string | null) => string {
  return (keyId, projectId) => {
    const project = projectId ? (known.get(projectId) ?? projectId) : null;
    if (keyId) {
      const key = known.get(keyId) ?? keyId;
      return project ? `${key} · ${project}` : key;
    }
    return project ? `(no key) · ${project}` : '';
  };
}

const NAME_PAGES = 10;

/** Project names, and the names of keys in the projects that appear in the report. */
async function readNames(ctx: FetchContext, root: string, h: Record<string, string>, projectIds: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await listAfter(ctx, h, (after) => `${root}/v1/organization/projects?${query([['limit', 100], ['include_archived', 'true'], ...(after ? [['after', after] as [string, string]] : [])])}`, 'projects', out);
  for (const projectId of projectIds) {
    const base = `${root}/v1/organization/projects/${encodeURIComponent(projectId)}/api_keys`;
    await listAfter(ctx, h, (after) => `${base}?${query([['limit', 100], ['owner_project_access', 'any'], ...(after ? [['after', after] as [string, string]] : [])])}`, 'project API keys', out);
  }
  return out;
}

async function listAfter(ctx: FetchContext, h: Record<string, string>, url: (after: string | null) => string, what: string, out: Map<string, string>): Promise<void> {
  let after: string | null = null;
  for (let n = 0; n < NAME_PAGES; n++) {
    const u = url(after);
    const res = await ctx.http({ method: 'GET', url: u, headers: h, timeoutMs: ctx.timeoutMs });
    const body = readJson(res, u, { what, now: ctx.now() });
    if (!isRecord(body) || !Array.isArray(body.data)) throw bad(`the ${what} list had no data`);
    for (const item of body.data) {
      if (isRecord(item) && typeof item.id === 'string' && typeof item.name === 'string' && item.name.trim()) out.set(item.id, item.name.trim());
    }
    const last = typeof body.last_id === 'string' ? body.last_id : null;
    if (body.has_more !== true || !last || last === after) return;
    after = last;
  }
}
