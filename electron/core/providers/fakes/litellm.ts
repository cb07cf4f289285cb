// A loopback LiteLLM proxy's management routes as a virtual key and the master key see them: /key/info (the
// calling key), /team/info and /user/info (own only for a virtual key), /user/daily/activity (filtered to the
// key's user; everything for the master key), and the Enterprise-only /global/spend/report (HTTP 400).
import { bearerToken, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';

export const DEMO_LITELLM_MASTER_KEY = 'sk-demo-litellm-master-000000000';
export const DEMO_LITELLM_KEY = 'sk-demo-litellm-virtual-00000000';

export interface LiteLlmFakeKey {
  alias: string | null;
  spend: number;
  maxBudget: number | null;
  budgetDuration: string | null;
  budgetResetAt: string | null;
  expires: string | null;
  userId: string | null;
  teamId: string | null;
}

export interface LiteLlmFakeDay {
  date: string;
  model: string;
  userId: string | null;
  spend: number;
  prompt: number;
  completion: number;
  cacheRead: number;
  requests: number;
}

export interface LiteLlmFakeState {
  masterKey: string;
  keys: Record<string, LiteLlmFakeKey>;
  teams: Record<string, { alias: string; spend: number; maxBudget: number | null; budgetResetAt: string | null }>;
  users: Record<string, { spend: number; maxBudget: number | null }>;
  activity: LiteLlmFakeDay[];
  /** Older proxies have no daily activity route. */
  noActivity: boolean;
  noDatabase: boolean;
}

export type LiteLlmFake = FakeServer & { state: LiteLlmFakeState; spend(key: string, usd: number, model: string, tokens: { prompt: number; completion: number }): void };

const authError = (): FakeResponse => ({
  status: 401,
  body: { error: { message: 'Authentication Error, Invalid proxy server token passed. Received API Key = sk-...', type: 'auth_error', param: 'None', code: '401' } },
});
const detail = (status: number, error: string): FakeResponse => ({ status, body: { detail: { error } } });
const round = (n: number) => Math.round(n * 1e6) / 1e6;

export async function startLiteLlmFake(opts: { state?: Partial<LiteLlmFakeState>; port?: number; now?: () => number } = {}): Promise<LiteLlmFake> {
  const now = opts.now ?? Date.now;
  const state: LiteLlmFakeState = { ...defaultLiteLlmState(now()), ...structuredClone(opts.state ?? {}) };
  const handle = (req: FakeRequest): FakeResponse => {
    const token = bearerToken(req);
    const master = token === state.masterKey;
    const key = token && !master ? state.keys[token] : undefined;
    if (!master && !key) return authError();
    if (state.noDatabase) return detail(500, 'Database not connected');
    switch (req.path) {
      case '/key/info': {
        if (master) return detail(404, 'Key not found in database.');
        const k = key!;
        return {
          body: {
            key: token,
            info: {
              key_name: `sk-...${token!.slice(-4)}`, key_alias: k.alias, spend: k.spend, max_budget: k.maxBudget, budget_duration: k.budgetDuration, budget_reset_at: k.budgetResetAt,
              soft_budget_cooldown: false, expires: k.expires, models: [], tpm_limit: null, rpm_limit: null, max_parallel_requests: null, user_id: k.userId, team_id: k.teamId,
              model_spend: {}, model_max_budget: {}, metadata: {}, permissions: {}, blocked: null, allowed_routes: [], litellm_budget_table: null, organization_id: null,
            },
          },
        };
      }
      case '/team/info': {
        const id = req.query.get('team_id') ?? '';
        const t = state.teams[id];
        if (!master && key!.teamId !== id) return { status: 403, body: { error: { message: `key not allowed to access this team's info. Key team_id=${key!.teamId}`, type: 'auth_error', code: '403' } } };
        if (!t) return detail(404, `Team not found, passed team_id=${id}`);
        return { body: { team_id: id, team_info: { team_id: id, team_alias: t.alias, max_budget: t.maxBudget, spend: t.spend, budget_duration: '30d', budget_reset_at: t.budgetResetAt, models: [], members_with_roles: [] } } };
      }
      case '/user/info': {
        const id = req.query.get('user_id') ?? '';
        if (!master && key!.userId !== id) return { status: 403, body: { error: { message: "key not allowed to access this user's info", type: 'auth_error', code: '403' } } };
        const u = state.users[id];
        if (!u) return detail(404, `User not found, passed user_id=${id}`);
        return { body: { user_id: id, user_info: { user_id: id, user_alias: null, max_budget: u.maxBudget, spend: u.spend, budget_duration: null, budget_reset_at: null }, keys: [], teams: [] } };
      }
      case '/user/daily/activity':
        return activity(req, master ? null : (key!.userId ?? '(none)'));
      case '/global/spend/report':
        return detail(400, '/spend/report endpoint is only available for LiteLLM Enterprise users');
      default:
        return detail(404, 'Not Found');
    }
  };

  function activity(req: FakeRequest, userId: string | null): FakeResponse {
    if (state.noActivity) return detail(404, 'Not Found');
    const start = req.query.get('start_date');
    const end = req.query.get('end_date');
    if (!start || !end) return detail(400, 'Please provide start_date and end_date');
    const page = Number(req.query.get('page') ?? 1);
    const size = Math.min(1000, Number(req.query.get('page_size') ?? 50));
    const rows = state.activity.filter((a) => a.date >= start && a.date <= end && (userId === null || a.userId === userId));
    const days = [...new Set(rows.map((r) => r.date))].sort();
    const shown = days.slice((page - 1) * size, page * size);
    const metrics = (list: LiteLlmFakeDay[]) => ({
      spend: round(list.reduce((s, r) => s + r.spend, 0)), prompt_tokens: list.reduce((s, r) => s + r.prompt, 0), completion_tokens: list.reduce((s, r) => s + r.completion, 0),
      cache_read_input_tokens: list.reduce((s, r) => s + r.cacheRead, 0), cache_creation_input_tokens: 0, total_tokens: list.reduce((s, r) => s + r.prompt + r.completion, 0),
      successful_requests: list.reduce((s, r) => s + r.requests, 0), failed_requests: 0, api_requests: list.reduce((s, r) => s + r.requests, 0),
    });
    const results = shown.map((date) => {
      const ofDay = rows.filter((r) => r.date === date);
      const models = Object.fromEntries([...new Set(ofDay.map((r) => r.model))].map((m) => [m, { metrics: metrics(ofDay.filter((r) => r.model === m)), metadata: {} }]));
      return { date, metrics: metrics(ofDay), breakdown: { models, providers: {}, api_keys: {}, model_groups: {}, entities: {} } };
    });
    const totalPages = Math.max(1, Math.ceil(days.length / size));
    return { body: { results, metadata: { total_spend: round(rows.reduce((s, r) => s + r.spend, 0)), page, total_pages: totalPages, has_more: page < totalPages } } };
  }

  const server = await startFakeServer(handle, { port: opts.port });
  const spend = (token: string, usd: number, model: string, tokens: { prompt: number; completion: number }) => {
    const k = state.keys[token];
    if (!k) throw new Error('spend(): no such key');
    k.spend = round(k.spend + usd);
    if (k.teamId && state.teams[k.teamId]) state.teams[k.teamId]!.spend = round(state.teams[k.teamId]!.spend + usd);
    const date = new Date(now()).toISOString().slice(0, 10);
    let row = state.activity.find((a) => a.date === date && a.model === model && a.userId === k.userId);
    if (!row) state.activity.push((row = { date, model, userId: k.userId, spend: 0, prompt: 0, completion: 0, cacheRead: 0, requests: 0 }));
    row.spend = round(row.spend + usd);
    row.prompt += tokens.prompt;
    row.completion += tokens.completion;
    row.requests += 1;
  };
  return Object.assign(server, { state, spend });
}

export function defaultLiteLlmState(now: number): LiteLlmFakeState {
  const activity: LiteLlmFakeDay[] = [];
  const models = [['gpt-4o', 2.5, 10], ['claude-3-5-sonnet', 3, 15], ['llama-3.1-70b', 0.6, 0.6]] as const;
  for (let d = 21; d >= 0; d--) {
    const date = new Date(now - d * 86_400_000).toISOString().slice(0, 10);
    models.forEach(([model, inP, outP], i) => {
      const requests = 20 + ((d * 7 + i * 13) % 30);
      const prompt = requests * 1200;
      const completion = requests * 300;
      activity.push({ date, model, userId: 'user-demo', spend: round((prompt * inP + completion * outP) / 1e6), prompt, completion, cacheRead: Math.round(prompt * 0.2), requests });
    });
  }
  const month = new Date(now);
  const reset = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1)).toISOString();
  return {
    masterKey: DEMO_LITELLM_MASTER_KEY,
    keys: { [DEMO_LITELLM_KEY]: { alias: 'team-app', spend: 61.4, maxBudget: 150, budgetDuration: '30d', budgetResetAt: reset, expires: null, userId: 'user-demo', teamId: 'team-demo' } },
    teams: { 'team-demo': { alias: 'Platform', spend: 212.35, maxBudget: 300, budgetResetAt: reset } },
    users: { 'user-demo': { spend: 61.4, maxBudget: null } },
    activity,
    noActivity: false,
    noDatabase: false,
  };
}
