// Anthropic Admin API: the cost report (amounts are decimal strings in CENTS) and the messages usage report
// (uncached input, cache writes, cache reads, output, web searches per model, key and workspace). Hourly usage and
// daily costs are separate buckets, as for OpenAI. The cost report names workspaces, not keys.
import { OTHER_COSTS, type UsageBucket } from '../../../shared/domain.ts';
import { parseDecimal, type Money } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson } from '../http.ts';
import { BucketSet, NameCache, bucketStart, emptyBucket, planReport, readPages, spendWindows } from './admin-report.ts';
import { count, isRecord } from './numbers.ts';
import { apiRoot } from './openai.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './types.ts';

const ADMIN_KEYS_URL = 'https://console.anthropic.com/settings/admin-keys';
const LOOKBACK_DAYS = 31;
const USAGE_PAGE_LIMIT = 168;
const COST_PAGE_LIMIT = 31;
/** Cents → micro-dollars. */
const MICROS_PER_CENT = 10_000;

export const ANTHROPIC_NEEDS_ADMIN_KEY =
  `This key cannot read Anthropic's usage and cost reports: they need an Admin API key (sk-ant-admin01-…), which an ` +
  `organization admin creates in the Claude Console → Settings → Admin keys (${ADMIN_KEYS_URL}). Normal API keys ` +
  `(sk-ant-api03-…) and workspace keys cannot read them, and individual (non-organization) accounts have no Admin API.`;

export const NOTE_NO_USAGE = 'Anthropic reports no usage or costs for this organization in the period read.';
export const WEB_SEARCH_MODEL = 'web search';

/** Names survive a failed lookup, so a key keeps its label (and its stored rows) from poll to poll. */
export const anthropicNames = new NameCache();

export const anthropicAdapter: ProviderAdapter = {
  descriptor: {
    id: 'anthropic',
    displayName: 'Anthropic (organization usage and costs)',
    defaultBaseUrl: 'https://api.anthropic.com',
    credentialFields: [
      {
        name: 'apiKey',
        label: 'Admin API key',
        secret: true,
        required: true,
        placeholder: 'sk-ant-admin01-…',
        help: `An Admin API key, created by an organization admin at ${ADMIN_KEYS_URL}. Normal API keys cannot read usage or costs.`,
      },
    ],
    optionFields: [],
    reports: [
      'exact costs per day, model and workspace (from cents)',
      'spend today / week / month (UTC)',
      'hourly tokens per model, API key and workspace: uncached input, cache writes, cache reads, output; web-search requests',
      'key and workspace names',
    ],
    consoleUrl: 'https://console.anthropic.com/settings/usage',
    exactSpend: true,
  },
  async fetch(ctx) {
    const apiKey = ctx.credentials.apiKey?.trim();
    if (!apiKey) throw new ProviderError('config', `Enter an Anthropic Admin API key (create one at ${ADMIN_KEYS_URL}).`);
    const root = apiRoot(ctx.baseUrl || anthropicAdapter.descriptor.defaultBaseUrl);
    try {
      return await read(ctx, root, apiKey);
    } catch (err) {
      throw explain(err, apiKey);
    }
  },
};

function explain(err: unknown, apiKey: string): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.kind === 'auth' || err.kind === 'forbidden') {
    const said = / The provider said: "[^"]*"\./.exec(err.message)?.[0] ?? '';
    const lead = apiKey.startsWith('sk-ant-admin')
      ? `Anthropic rejected this Admin API key (${err.status ?? 'refused'}): it may have been revoked or belong to another organization. Create a new one at ${ADMIN_KEYS_URL}.`
      : `${ANTHROPIC_NEEDS_ADMIN_KEY} (Anthropic answered ${err.status ?? 'refused'}.)`;
    return new ProviderError(err.kind, redact(`${lead}${said}`, [apiKey]), { status: err.status, cause: err });
  }
  const message = redact(err.message, [apiKey]);
  return message === err.message ? err : new ProviderError(err.kind, message, { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
}

function query(params: [string, string | number][]): string {
  const q = new URLSearchParams();
  for (const [k, v] of params) q.append(k, String(v));
  return q.toString();
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function read(ctx: FetchContext, root: string, apiKey: string): Promise<ProviderReading> {
  const plan = planReport(ctx.now(), ctx.usageSince, LOOKBACK_DAYS);
  const h = { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', accept: 'application/json' };
  const page = (p: string | null): [string, string][] => (p ? [['page', p]] : []);
  const [costs, usage] = await Promise.all([
    readPages(ctx, {
      what: 'the cost report',
      headers: h,
      url: (p) =>
        `${root}/v1/organizations/cost_report?${query([['starting_at', iso(plan.costFrom)], ['bucket_width', '1d'], ['group_by[]', 'workspace_id'], ['group_by[]', 'description'], ['limit', COST_PAGE_LIMIT], ...page(p)])}`,
    }),
    readPages(ctx, {
      what: 'the messages usage report',
      headers: h,
      url: (p) =>
        `${root}/v1/organizations/usage_report/messages?${query([['starting_at', iso(plan.usageFrom)], ['bucket_width', '1h'], ['group_by[]', 'model'], ['group_by[]', 'api_key_id'], ['group_by[]', 'workspace_id'], ['limit', USAGE_PAGE_LIMIT], ...page(p)])}`,
    }),
  ]);
  const costRows = parseCostReport(costs.data);
  const usageRows = parseUsageReport(usage.data);

  const notes: string[] = [];
  for (const cut of [costs.cutShort, usage.cutShort]) if (cut) notes.push(cut);
  const lookup = await anthropicNames.get(`${ctx.account.id}\u0000${root}`, plan.now, () => readNames(ctx, root, h));
  if (lookup.problem) notes.push(`Key and workspace names could not be read, so ids are shown (${lookup.problem})`);
  const named = lookup.names;
  const workspace = (id: string | null) => (id ? (named.get(id) ?? id) : 'Default workspace');

  const buckets = new BucketSet();
  for (const r of usageRows) {
    const key = `${r.keyId ? (named.get(r.keyId) ?? r.keyId) : 'Console'} · ${workspace(r.workspaceId)}`;
    buckets.add({ ...r.bucket, key });
    if (r.webSearches > 0) buckets.add({ ...emptyBucket(r.bucket.start, 'hour', WEB_SEARCH_MODEL, key), requests: r.webSearches });
  }
  const inWindow: { start: number; cost: Money }[] = [];
  for (const c of costRows) {
    inWindow.push(c);
    if (c.start >= plan.emitFrom) buckets.add({ ...emptyBucket(c.start, 'day', c.model, `(all keys) · ${workspace(c.workspaceId)}`), cost: c.cost });
  }
  if (costRows.length === 0 && usageRows.length === 0) notes.push(NOTE_NO_USAGE);
  return {
    balance: null,
    balances: [],
    spent: spendWindows(inWindow, plan, costRows[0]?.cost.currency ?? 'USD'),
    quota: null,
    usage: buckets.list(),
    estimated: false,
    notes,
  };
}

function bad(message: string): ProviderError {
  return new ProviderError('bad-response', message);
}

function optionalId(v: unknown, field: string): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'string') throw bad(`Anthropic reported ${JSON.stringify(v)} for ${field}, which is not an id; Spendbar kept the previous figures.`);
  return v;
}

function eachResult(data: unknown[], what: string, width: 'hour' | 'day', fn: (start: number, r: Record<string, unknown>, at: string) => void): void {
  data.forEach((bucket, i) => {
    if (!isRecord(bucket) || !Array.isArray(bucket.results)) throw bad(`Anthropic sent a ${what} bucket (data[${i}]) without a results list.`);
    const start = bucketStart(bucket.starting_at, width, `data[${i}].starting_at`);
    bucket.results.forEach((r: unknown, j) => {
      if (!isRecord(r)) throw bad(`Anthropic sent a ${what} result (data[${i}].results[${j}]) that is not an object.`);
      fn(start, r, `data[${i}].results[${j}]`);
    });
  });
}

interface CostRow {
  start: number;
  model: string;
  workspaceId: string | null;
  cost: Money;
}

const COST_TYPE_MODEL: Record<string, string> = { web_search: WEB_SEARCH_MODEL, code_execution: 'code execution', session_usage: 'sessions' };

/** `amount` is a decimal string in cents: "123.78912" is $1.2378912. A number or another unit is refused. */
export function parseCostReport(data: unknown[]): CostRow[] {
  const rows: CostRow[] = [];
  eachResult(data, 'cost', 'day', (start, r, at) => {
    if (typeof r.amount !== 'string') {
      throw bad(`Anthropic reported ${JSON.stringify(r.amount)?.slice(0, 30)} for ${at}.amount, where the API sends a decimal string of cents; Spendbar kept the previous figures.`);
    }
    let cents: number;
    try {
      cents = parseDecimal(r.amount);
    } catch {
      throw bad(`Anthropic reported ${JSON.stringify(r.amount.slice(0, 30))} for ${at}.amount, which is not a number of cents; Spendbar kept the previous figures.`);
    }
    const currency = typeof r.currency === 'string' ? r.currency.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(currency)) throw bad(`Anthropic reported a cost (${at}) in ${JSON.stringify(String(r.currency)).slice(0, 20)}, which is not a currency.`);
    const micros = Math.round(cents * MICROS_PER_CENT) + 0;
    if (!Number.isSafeInteger(micros)) throw bad(`Anthropic reported ${r.amount.slice(0, 30)} cents for ${at}.amount, which is beyond any real cost.`);
    const model =
      typeof r.model === 'string' && r.model ? r.model
      : typeof r.cost_type === 'string' && COST_TYPE_MODEL[r.cost_type] ? COST_TYPE_MODEL[r.cost_type]!
      : typeof r.description === 'string' && r.description ? r.description
      : OTHER_COSTS;
    rows.push({ start, model, workspaceId: optionalId(r.workspace_id, `${at}.workspace_id`), cost: { micros, currency } });
  });
  return rows;
}

interface UsageRow {
  bucket: UsageBucket;
  keyId: string | null;
  workspaceId: string | null;
  webSearches: number;
}

/** Input = uncached + cache writes (5 m and 1 h) + cache reads; cached = the cache reads, shown inside input. */
export function parseUsageReport(data: unknown[]): UsageRow[] {
  const rows: UsageRow[] = [];
  eachResult(data, 'usage', 'hour', (start, r, at) => {
    const n = (v: unknown, field: string) => (v == null ? 0 : count(v, `${at}.${field}`));
    const creation = isRecord(r.cache_creation) ? r.cache_creation : {};
    const uncached = n(r.uncached_input_tokens, 'uncached_input_tokens');
    const written = n(creation.ephemeral_5m_input_tokens, 'cache_creation.ephemeral_5m_input_tokens') + n(creation.ephemeral_1h_input_tokens, 'cache_creation.ephemeral_1h_input_tokens');
    const read = n(r.cache_read_input_tokens, 'cache_read_input_tokens');
    const tools = isRecord(r.server_tool_use) ? r.server_tool_use : {};
    rows.push({
      bucket: {
        ...emptyBucket(start, 'hour', typeof r.model === 'string' && r.model ? r.model : '(unnamed model)', ''),
        inputTokens: uncached + written + read,
        cachedTokens: read,
        outputTokens: n(r.output_tokens, 'output_tokens'),
      },
      keyId: optionalId(r.api_key_id, `${at}.api_key_id`),
      workspaceId: optionalId(r.workspace_id, `${at}.workspace_id`),
      webSearches: n(tools.web_search_requests, 'server_tool_use.web_search_requests'),
    });
  });
  return rows;
}

const NAME_PAGES = 10;

async function readNames(ctx: FetchContext, root: string, h: Record<string, string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [path, limit] of [['/v1/organizations/api_keys', 1000], ['/v1/organizations/workspaces', 100]] as const) {
    let after: string | null = null;
    for (let n = 0; n < NAME_PAGES; n++) {
      const url = `${root}${path}?${query([['limit', limit], ...(after ? [['after_id', after] as [string, string]] : [])])}`;
      const res = await ctx.http({ method: 'GET', url, headers: h, timeoutMs: ctx.timeoutMs });
      const body = readJson(res, url, { what: path.endsWith('api_keys') ? 'API key names' : 'workspace names', now: ctx.now() });
      if (!isRecord(body) || !Array.isArray(body.data)) throw bad(`the ${path} list had no data`);
      for (const item of body.data) {
        if (isRecord(item) && typeof item.id === 'string' && typeof item.name === 'string' && item.name.trim()) out.set(item.id, item.name.trim());
      }
      const last = typeof body.last_id === 'string' ? body.last_id : null;
      if (body.has_more !== true || !last || last === after) break;
      after = last;
    }
  }
  return out;
}
