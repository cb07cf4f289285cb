// A loopback Anthropic Admin API: usage_report/messages, cost_report (amounts as decimal strings in cents), API key
// and workspace lists, with bracketed array parameters, the documented limits and Anthropic's error shape. Normal
// and workspace keys are refused as the real API refuses them.
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';
import { WIDTH_MS, reportPage, seeded, type PagingMode, type ReportRecord } from './report.ts';

export const DEMO_ANTHROPIC_ADMIN_KEY = 'sk-ant-admin01-demo-000000000000';
export const DEMO_ANTHROPIC_API_KEY = 'sk-ant-api03-demo-0000000000000';

export interface AnthropicFakeUsage {
  time: number;
  model: string;
  /** null = Console (Workbench) usage. */
  apiKeyId: string | null;
  /** null = the default workspace. */
  workspaceId: string | null;
  uncached: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  output: number;
  webSearches: number;
}

export interface AnthropicFakeState {
  adminKeys: string[];
  /** Normal API keys: refused with `normalKeyStatus`. */
  apiKeys: string[];
  normalKeyStatus: 401 | 403;
  /** Keys scoped to a workspace: 403 permission_error. */
  workspaceKeys: string[];
  keys: { id: string; name: string; workspaceId: string | null }[];
  workspaces: { id: string; name: string }[];
  usage: AnthropicFakeUsage[];
  /** USD per million tokens. */
  prices: Record<string, { input: number; output: number; cacheWrite: number; cacheRead: number; label: string }>;
  /** USD per web search. */
  webSearchPrice: number;
  paging: PagingMode;
  namesFail: number | null;
}

export type AnthropicFake = FakeServer & { state: AnthropicFakeState; record(u: Omit<AnthropicFakeUsage, 'time'> & { time?: number }): void };

const TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 429: 'rate_limit_error', 500: 'api_error' };
export const anthropicError = (status: number, message: string): FakeResponse => ({
  status,
  body: { type: 'error', error: { type: TYPES[status] ?? 'api_error', message }, request_id: 'req_fake0001' },
});

const USAGE_GROUPS = ['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window'];
const COST_GROUPS = ['workspace_id', 'description'];

export async function startAnthropicFake(opts: { state?: Partial<AnthropicFakeState>; port?: number; now?: () => number } = {}): Promise<AnthropicFake> {
  const now = opts.now ?? Date.now;
  const state: AnthropicFakeState = { ...defaultAnthropicState(now()), ...structuredClone(opts.state ?? {}) };

  function handle(req: FakeRequest): FakeResponse {
    if (req.method !== 'GET') return anthropicError(405, 'Method not allowed');
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || !key) return anthropicError(401, 'x-api-key header is required');
    if (req.headers['anthropic-version'] !== '2023-06-01') return anthropicError(400, 'anthropic-version header is required');
    if (state.apiKeys.includes(key)) return anthropicError(state.normalKeyStatus, state.normalKeyStatus === 401 ? 'invalid x-api-key' : 'This endpoint requires an Admin API key.');
    if (state.workspaceKeys.includes(key)) return anthropicError(403, 'Workspace-scoped keys cannot access organization reports.');
    if (!state.adminKeys.includes(key)) return anthropicError(401, 'invalid x-api-key');
    switch (req.path) {
      case '/v1/organizations/usage_report/messages':
        return report(req, USAGE_GROUPS, { '1d': { def: 7, max: 31 }, '1h': { def: 24, max: 168 }, '1m': { def: 60, max: 1440 } }, usageRecords(), usageResult);
      case '/v1/organizations/cost_report':
        return report(req, COST_GROUPS, { '1d': { def: 7, max: 31 } }, costRecords(), costResult);
      case '/v1/organizations/api_keys':
        if (state.namesFail) return anthropicError(state.namesFail, 'names are unavailable');
        return list(req, state.keys.map((k) => ({ type: 'api_key', id: k.id, name: k.name, partial_key_hint: 'sk-ant-api03-R2D...igAA', status: 'active', workspace_id: k.workspaceId, created_at: '2026-01-01T00:00:00Z', created_by: { id: 'user_1', type: 'user' } })));
      case '/v1/organizations/workspaces':
        if (state.namesFail) return anthropicError(state.namesFail, 'names are unavailable');
        return list(req, state.workspaces.map((w) => ({ type: 'workspace', id: w.id, name: w.name, created_at: '2026-01-01T00:00:00Z', archived_at: null })));
      default:
        return anthropicError(404, `Not found: ${req.path}`);
    }
  }

  function report(
    req: FakeRequest,
    groups: string[],
    limits: Record<string, { def: number; max: number }>,
    records: ReportRecord[],
    toResult: (g: Record<string, string | null>, v: Record<string, number>) => Record<string, unknown>,
  ): FakeResponse {
    const start = Date.parse(req.query.get('starting_at') ?? '');
    if (Number.isNaN(start)) return anthropicError(400, 'starting_at: Field required (RFC 3339 date-time)');
    const endRaw = req.query.get('ending_at');
    const end = endRaw === null ? null : Date.parse(endRaw);
    if (end !== null && Number.isNaN(end)) return anthropicError(400, 'ending_at: invalid date-time');
    const width = req.query.get('bucket_width') ?? '1d';
    if (!limits[width]) return anthropicError(400, `bucket_width: Input should be ${Object.keys(limits).map((w) => `'${w}'`).join(' or ')}`);
    // Arrays come with brackets; a bare `group_by` is not how this API takes them.
    if (req.query.has('group_by')) return anthropicError(400, 'group_by: use group_by[]=… for each value');
    const groupBy = req.query.getAll('group_by[]');
    const unknown = groupBy.find((g) => !groups.includes(g));
    if (unknown) return anthropicError(400, `group_by[]: '${unknown}' is not one of ${groups.join(', ')}`);
    const { def, max } = limits[width]!;
    const limit = req.query.get('limit') === null ? def : Number(req.query.get('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > max) return anthropicError(400, `limit: must be between 1 and ${max} for bucket_width ${width}`);
    const w = WIDTH_MS[width]!;
    const endMs = end ?? Math.ceil((now() + 1) / w) * w;
    const page = reportPage(records, { startMs: start, endMs, width, limit, groupBy, page: req.query.get('page') }, toResult, groups, state.paging);
    if (!page) return anthropicError(400, 'page: invalid cursor');
    const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    return {
      body: {
        data: page.buckets.map((b) => ({ starting_at: at(b.startMs), ending_at: at(b.endMs), results: b.results })),
        has_more: page.hasMore,
        next_page: page.nextPage,
      },
    };
  }

  function usageRecords(): ReportRecord[] {
    return state.usage.map((u) => ({
      time: u.time,
      group: { api_key_id: u.apiKeyId, workspace_id: u.workspaceId, model: u.model, service_tier: 'standard', context_window: '0-200k' },
      values: { uncached: u.uncached, w5: u.cacheWrite5m, w1: u.cacheWrite1h, read: u.cacheRead, output: u.output, web: u.webSearches },
    }));
  }

  function costRecords(): ReportRecord[] {
    const out: ReportRecord[] = [];
    for (const u of state.usage) {
      const p = state.prices[u.model];
      if (!p) continue;
      const add = (tokenType: string, kind: string, tokens: number, price: number) => {
        if (tokens) out.push({ time: u.time, group: { workspace_id: u.workspaceId, description: `${p.label} Usage - ${kind}|tokens|${u.model}|${tokenType}` }, values: { cents: (tokens * price) / 1e4 } });
      };
      add('uncached_input_tokens', 'Input Tokens', u.uncached, p.input);
      add('cache_creation.ephemeral_5m_input_tokens', 'Input Tokens, Cache Write 5m', u.cacheWrite5m, p.cacheWrite);
      add('cache_creation.ephemeral_1h_input_tokens', 'Input Tokens, Cache Write 1h', u.cacheWrite1h, p.cacheWrite * 1.6);
      add('cache_read_input_tokens', 'Input Tokens, Cache Hit', u.cacheRead, p.cacheRead);
      add('output_tokens', 'Output Tokens', u.output, p.output);
      if (u.webSearches) out.push({ time: u.time, group: { workspace_id: u.workspaceId, description: `Web Search|web_search||` }, values: { cents: u.webSearches * state.webSearchPrice * 100 } });
    }
    return out;
  }

  const server = await startFakeServer(handle, { port: opts.port });
  const record = (u: Omit<AnthropicFakeUsage, 'time'> & { time?: number }) => void state.usage.push({ ...u, time: u.time ?? now() });
  return Object.assign(server, { state, record });
}

function usageResult(g: Record<string, string | null>, v: Record<string, number>): Record<string, unknown> {
  return {
    uncached_input_tokens: v.uncached ?? 0,
    cache_creation: { ephemeral_1h_input_tokens: v.w1 ?? 0, ephemeral_5m_input_tokens: v.w5 ?? 0 },
    cache_read_input_tokens: v.read ?? 0,
    output_tokens: v.output ?? 0,
    server_tool_use: { web_search_requests: v.web ?? 0 },
    api_key_id: g.api_key_id,
    workspace_id: g.workspace_id,
    model: g.model,
    service_tier: g.service_tier,
    context_window: g.context_window,
  };
}

/** The grouping value carries "description|cost_type|model|token_type"; ungrouped, all four are null. */
function costResult(g: Record<string, string | null>, v: Record<string, number>): Record<string, unknown> {
  const [description, costType, model, tokenType] = g.description ? g.description.split('|') : [null, null, null, null];
  return {
    currency: 'USD',
    amount: cents(v.cents ?? 0),
    workspace_id: g.workspace_id,
    description,
    cost_type: costType ?? null,
    context_window: model ? '0-200k' : null,
    model: model || null,
    service_tier: model ? 'standard' : null,
    token_type: tokenType || null,
  };
}

/** "123.78912": a decimal string of cents, no float noise. */
function cents(n: number): string {
  return n.toFixed(6).replace(/\.?0+$/, '') || '0';
}

function list(req: FakeRequest, items: { id: string }[]): FakeResponse {
  const limit = Number(req.query.get('limit') ?? 20) || 20;
  const after = req.query.get('after_id');
  const from = after ? items.findIndex((i) => i.id === after) + 1 : 0;
  const page = items.slice(from, from + limit);
  return { body: { data: page, has_more: from + limit < items.length, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null } };
}

/** USD per million tokens (= micro-dollars per token), as the demo organization is charged. */
export const ANTHROPIC_DEMO_PRICES = {
  'claude-sonnet-4-5-20250929': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3, label: 'Claude Sonnet 4.5' },
  'claude-haiku-4-5-20251001': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1, label: 'Claude Haiku 4.5' },
};

export function defaultAnthropicState(now: number): AnthropicFakeState {
  const keys = [
    { id: 'apikey_demo_support', name: 'support-bot', workspaceId: 'wrkspc_demo_prod' },
    { id: 'apikey_demo_agents', name: 'coding-agents', workspaceId: 'wrkspc_demo_prod' },
    { id: 'apikey_demo_eval', name: 'evals', workspaceId: null },
  ];
  const models = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001'];
  const usage: AnthropicFakeUsage[] = [];
  const firstHour = Math.floor((now - 21 * 86_400_000) / 3_600_000);
  for (let h = firstHour; h <= Math.floor(now / 3_600_000); h++) {
    const rand = seeded(h * 31 + 7);
    const busy = new Date(h * 3_600_000).getUTCHours() >= 8 ? 1 : 0.2;
    keys.forEach((k, i) => {
      const calls = Math.round(busy * rand() * 8);
      if (!calls) return;
      usage.push({
        time: h * 3_600_000 + 120_000, model: models[i % 2]!, apiKeyId: k.id, workspaceId: k.workspaceId,
        uncached: calls * Math.round(300 + rand() * 1500), cacheWrite5m: calls * Math.round(rand() * 400), cacheWrite1h: 0,
        cacheRead: calls * Math.round(rand() * 2500), output: calls * Math.round(150 + rand() * 700), webSearches: i === 0 && rand() > 0.7 ? 1 : 0,
      });
    });
  }
  return {
    adminKeys: [DEMO_ANTHROPIC_ADMIN_KEY],
    apiKeys: [DEMO_ANTHROPIC_API_KEY],
    normalKeyStatus: 401,
    workspaceKeys: [],
    keys,
    workspaces: [{ id: 'wrkspc_demo_prod', name: 'Production' }],
    usage,
    prices: structuredClone(ANTHROPIC_DEMO_PRICES),
    webSearchPrice: 0.01,
    paging: {},
    namesFail: null,
  };
}
