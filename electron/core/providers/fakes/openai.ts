// A loopback OpenAI organization API: /v1/organization/costs, /usage/completions, projects and their API keys,
// with the documented parameters, limits and errors (admin keys only; a project key gets 401). Costs are derived
// from the recorded usage at fixed prices, per line item ("gpt-4o, input"), project and key.
import { bearerToken, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';
import { WIDTH_MS, reportPage, seeded, type PagingMode, type ReportRecord } from './report.ts';

export const DEMO_OPENAI_ADMIN_KEY = 'sk-admin-demo-openai-000000000000';
export const DEMO_OPENAI_PROJECT_KEY = 'sk-proj-demo-openai-000000000000';

const DAY = 86_400_000;

export interface OpenAiFakeUsage {
  time: number;
  model: string;
  projectId: string;
  keyId: string | null;
  requests: number;
  /** Includes cached tokens, as OpenAI counts them. */
  input: number;
  cached: number;
  output: number;
}

/** A cost that is not token usage (web search calls, storage): its own line item. */
export interface OpenAiFakeCost {
  time: number;
  lineItem: string;
  projectId: string | null;
  keyId: string | null;
  usd: number;
}

export interface OpenAiFakeState {
  adminKeys: string[];
  /** Valid keys that are not admin keys: 401 on every organization endpoint. */
  projectKeys: string[];
  projects: { id: string; name: string }[];
  keys: { id: string; name: string; projectId: string }[];
  usage: OpenAiFakeUsage[];
  costs: OpenAiFakeCost[];
  /** USD per million tokens. */
  prices: Record<string, { input: number; cached: number; output: number }>;
  paging: PagingMode;
  /** Name lookups fail with this status. */
  namesFail: number | null;
}

export type OpenAiFake = FakeServer & {
  state: OpenAiFakeState;
  record(u: Omit<OpenAiFakeUsage, 'time'> & { time?: number }): void;
};

const err = (status: number, message: string, type = 'invalid_request_error', code: string | null = null): FakeResponse => ({
  status,
  body: { error: { message, type, param: null, code } },
});

const COST_GROUPS = ['project_id', 'line_item', 'api_key_id'];
const USAGE_GROUPS = ['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier'];
const USAGE_LIMITS: Record<string, { def: number; max: number }> = { '1d': { def: 7, max: 31 }, '1h': { def: 24, max: 168 }, '1m': { def: 60, max: 1440 } };

export async function startOpenAiFake(opts: { state?: Partial<OpenAiFakeState>; port?: number; now?: () => number } = {}): Promise<OpenAiFake> {
  const now = opts.now ?? Date.now;
  const state: OpenAiFakeState = { ...defaultOpenAiState(now()), ...structuredClone(opts.state ?? {}) };

  function handle(req: FakeRequest): FakeResponse {
    if (req.method !== 'GET') return err(405, 'Method not allowed');
    const token = bearerToken(req);
    if (!token) return err(401, "You didn't provide an API key.", 'invalid_request_error', 'missing_api_key');
    if (state.projectKeys.includes(token)) {
      return err(401, 'You have insufficient permissions for this operation. Missing scopes: api.usage.read. Check that you have the correct role in your organization (Owner), and if you\'re using a restricted API key, that it has the necessary scopes.');
    }
    if (!state.adminKeys.includes(token)) return err(401, `Incorrect API key provided: ${token.slice(0, 3)}*****${token.slice(-4)}.`, 'invalid_request_error', 'invalid_api_key');
    if (req.path === '/v1/organization/costs') return costs(req);
    if (req.path === '/v1/organization/usage/completions') return usage(req);
    if (req.path === '/v1/organization/projects') {
      if (state.namesFail) return err(state.namesFail, 'names are unavailable right now', 'server_error');
      return list(req, state.projects.map((p) => ({ object: 'organization.project', id: p.id, name: p.name, created_at: 1_700_000_000, archived_at: null, status: 'active' })));
    }
    const keysOf = /^\/v1\/organization\/projects\/([^/]+)\/api_keys$/.exec(req.path);
    if (keysOf) {
      if (state.namesFail) return err(state.namesFail, 'names are unavailable right now', 'server_error');
      const projectId = decodeURIComponent(keysOf[1]!);
      if (!state.projects.some((p) => p.id === projectId)) return err(404, `No such project: ${projectId}`);
      const keys = state.keys.filter((k) => k.projectId === projectId);
      return list(req, keys.map((k) => ({ object: 'organization.project.api_key', id: k.id, name: k.name, redacted_value: 'sk-proj-***xyz', created_at: 1_700_000_000, last_used_at: null, owner: { type: 'user' } })));
    }
    return err(404, `Invalid URL (GET ${req.path})`);
  }

  function window(req: FakeRequest, width: string): { startMs: number; endMs: number } | FakeResponse {
    const start = req.query.get('start_time');
    if (start === null || !/^\d+$/.test(start)) return err(400, "Missing or invalid required parameter: 'start_time'.");
    const end = req.query.get('end_time');
    if (end !== null && !/^\d+$/.test(end)) return err(400, "Invalid 'end_time'.");
    const w = WIDTH_MS[width]!;
    const startMs = Number(start) * 1000;
    return { startMs, endMs: end === null ? Math.ceil((now() + 1) / w) * w : Number(end) * 1000 };
  }

  function common(req: FakeRequest, allowed: string[], limits: Record<string, { def: number; max: number }>) {
    const width = req.query.get('bucket_width') ?? '1d';
    if (!limits[width]) return err(400, `Invalid value for 'bucket_width': expected one of ${Object.keys(limits).join(', ')}.`);
    const groupBy = [...req.query.getAll('group_by'), ...req.query.getAll('group_by[]')];
    const unknown = groupBy.find((g) => !allowed.includes(g));
    if (unknown) return err(400, `Invalid value for 'group_by': '${unknown}'.`);
    const limitRaw = req.query.get('limit');
    const { def, max } = limits[width]!;
    const limit = limitRaw === null ? def : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > max) return err(400, `Invalid 'limit': must be between 1 and ${max} for bucket_width ${width}.`);
    const w = window(req, width);
    if (!('startMs' in w)) return w;
    return { width, groupBy, limit, ...w, page: req.query.get('page') };
  }

  function paged(q: Exclude<ReturnType<typeof common>, FakeResponse>, records: ReportRecord[], groups: string[], toResult: (g: Record<string, string | null>, v: Record<string, number>) => Record<string, unknown>): FakeResponse {
    const page = reportPage(records, { startMs: q.startMs, endMs: q.endMs, width: q.width, limit: q.limit, groupBy: q.groupBy, page: q.page }, toResult, groups, state.paging);
    if (!page) return err(400, "Invalid 'page' cursor.");
    return {
      body: {
        object: 'page',
        data: page.buckets.map((b) => ({ object: 'bucket', start_time: b.startMs / 1000, end_time: b.endMs / 1000, results: b.results })),
        has_more: page.hasMore,
        next_page: page.nextPage,
      },
    };
  }

  function costs(req: FakeRequest): FakeResponse {
    const q = common(req, COST_GROUPS, { '1d': { def: 7, max: 180 } });
    if (!('groupBy' in q)) return q;
    return paged(q, costRecords(state), COST_GROUPS, (g, v) => ({
      object: 'organization.costs.result',
      amount: { value: v.usd ?? 0, currency: 'usd' },
      line_item: g.line_item ?? null,
      project_id: g.project_id ?? null,
      api_key_id: g.api_key_id ?? null,
      quantity: v.quantity ?? null,
      quantity_unit: g.line_item ? 'tokens' : null,
    }));
  }

  function usage(req: FakeRequest): FakeResponse {
    const q = common(req, USAGE_GROUPS, USAGE_LIMITS);
    if (!('groupBy' in q)) return q;
    const records: ReportRecord[] = state.usage.map((u) => ({
      time: u.time,
      group: { model: u.model, project_id: u.projectId, api_key_id: u.keyId, user_id: null, batch: null, service_tier: null },
      values: { requests: u.requests, input: u.input, cached: u.cached, output: u.output },
    }));
    return paged(q, records, USAGE_GROUPS, (g, v) => ({
      object: 'organization.usage.completions.result',
      input_tokens: v.input ?? 0,
      input_cached_tokens: v.cached ?? 0,
      input_cache_write_tokens: 0,
      input_uncached_tokens: (v.input ?? 0) - (v.cached ?? 0),
      output_tokens: v.output ?? 0,
      input_audio_tokens: 0,
      output_audio_tokens: 0,
      num_model_requests: v.requests ?? 0,
      project_id: g.project_id,
      user_id: g.user_id,
      api_key_id: g.api_key_id,
      model: g.model,
      batch: g.batch,
      service_tier: g.service_tier,
    }));
  }

  const server = await startFakeServer(handle, { port: opts.port });
  const record = (u: Omit<OpenAiFakeUsage, 'time'> & { time?: number }) => void state.usage.push({ ...u, time: u.time ?? now() });
  return Object.assign(server, { state, record });
}

/** Token usage priced per line item, plus the non-token costs. */
function costRecords(state: OpenAiFakeState): ReportRecord[] {
  const out: ReportRecord[] = [];
  for (const u of state.usage) {
    const p = state.prices[u.model];
    if (!p) continue;
    const group = (kind: string) => ({ line_item: `${u.model}, ${kind}`, project_id: u.projectId, api_key_id: u.keyId });
    out.push({ time: u.time, group: group('input'), values: { usd: ((u.input - u.cached) * p.input) / 1e6, quantity: u.input - u.cached } });
    if (u.cached) out.push({ time: u.time, group: group('cached input'), values: { usd: (u.cached * p.cached) / 1e6, quantity: u.cached } });
    out.push({ time: u.time, group: group('output'), values: { usd: (u.output * p.output) / 1e6, quantity: u.output } });
  }
  for (const c of state.costs) out.push({ time: c.time, group: { line_item: c.lineItem, project_id: c.projectId, api_key_id: c.keyId }, values: { usd: c.usd } });
  return out;
}

function list(req: FakeRequest, items: { id: string }[]): FakeResponse {
  const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 20) || 20));
  const after = req.query.get('after');
  const from = after ? items.findIndex((i) => i.id === after) + 1 : 0;
  const page = items.slice(from, from + limit);
  return { body: { object: 'list', data: page, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: from + limit < items.length } };
}

export const OPENAI_DEMO_PRICES = {
  'gpt-4.1-2025-04-14': { input: 2, cached: 0.5, output: 8 },
  'gpt-4.1-mini-2025-04-14': { input: 0.4, cached: 0.1, output: 1.6 },
  'o4-mini-2025-04-16': { input: 1.1, cached: 0.275, output: 4.4 },
};

/** Three weeks of plausible hourly usage for two projects and three keys; seeded by the hour, so stable. */
export function defaultOpenAiState(now: number): OpenAiFakeState {
  const usage: OpenAiFakeUsage[] = [];
  const keys = [
    { id: 'key_demo_web', name: 'web-app', projectId: 'proj_demo_prod' },
    { id: 'key_demo_batch', name: 'nightly-batch', projectId: 'proj_demo_prod' },
    { id: 'key_demo_lab', name: 'notebooks', projectId: 'proj_demo_lab' },
  ];
  const models = Object.keys(OPENAI_DEMO_PRICES);
  const firstHour = Math.floor((now - 21 * DAY) / 3_600_000);
  const lastHour = Math.floor(now / 3_600_000);
  for (let h = firstHour; h <= lastHour; h++) {
    const rand = seeded(h * 17 + 3);
    const hour = new Date(h * 3_600_000).getUTCHours();
    const busy = hour >= 7 && hour <= 20 ? 1 : 0.25;
    keys.forEach((k, ki) => {
      const model = models[(ki + (h % 3)) % models.length]!;
      const requests = Math.round(busy * (2 + rand() * 10));
      if (requests === 0) return;
      const input = requests * Math.round(600 + rand() * 1800);
      usage.push({ time: h * 3_600_000 + 60_000, model, projectId: k.projectId, keyId: k.id, requests, input, cached: Math.round(input * rand() * 0.4), output: requests * Math.round(120 + rand() * 500) });
    });
  }
  return {
    adminKeys: [DEMO_OPENAI_ADMIN_KEY],
    projectKeys: [DEMO_OPENAI_PROJECT_KEY],
    projects: [
      { id: 'proj_demo_prod', name: 'Production' },
      { id: 'proj_demo_lab', name: 'Research lab' },
    ],
    keys,
    usage,
    costs: [],
    prices: { ...OPENAI_DEMO_PRICES },
    paging: {},
    namesFail: null,
  };
}
