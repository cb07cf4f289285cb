// A loopback OpenRouter for the tests and the demo. It answers under any base path (/api/v1/key, /router/v1/key,
// /key), so the same fake stands in for OpenRouter and for compatible routers mounted elsewhere. As the real API:
// /key describes only the key that asks (a management key spends nothing itself); /keys lists a workspace's API keys
// (the default workspace without workspace_id; 100 per page by offset); /workspaces pages by offset and limit;
// /credits and /activity are for management keys (/activity: completed UTC days only).
import { bearerToken, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';
import { demoActivity } from './openrouter-demo.ts';

export { demoActivity };

const DAY_MS = 86_400_000;
const ACTIVITY_DAYS = 30;

export const DEMO_OPENROUTER_KEY = 'sk-or-v1-demo-management';
export const DEMO_OPENROUTER_PLAIN_KEY = 'sk-or-v1-demo-plain';
export const DEMO_OPENROUTER_APP_KEY = 'sk-or-v1-demo-production';
export const DEFAULT_WORKSPACE = 'ws-default-0000';

export interface OpenRouterFakeKey {
  label: string;
  limit: number | null;
  limitReset: 'daily' | 'weekly' | 'monthly' | null;
  usage: number;
  usageDaily: number;
  usageWeekly: number;
  usageMonthly: number;
  isManagementKey: boolean;
  isFreeTier: boolean;
  expiresAt: string | null;
  /** Shown by /keys (default: the label). */
  name?: string;
  /** Workspace id (default: the first workspace). */
  workspace?: string;
  disabled?: boolean;
  /** ISO time; /keys lists the most recent first. */
  createdAt?: string;
  byokUsage?: number;
  /** A management key without access to /keys (and /workspaces). */
  cannotListKeys?: boolean;
}

export interface OpenRouterFakeActivity {
  date: string;
  model: string;
  endpoint_id: string;
  provider_name: string;
  usage: number;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
}

export interface OpenRouterFakeState {
  keys: Record<string, OpenRouterFakeKey>;
  totalCredits: number;
  totalUsage: number;
  activity: OpenRouterFakeActivity[];
  workspaces: { id: string; name: string; slug: string }[];
  /** How /credits answers a key that is not a management key: the spec's 403, or the HTTP 200 zeros seen in the wild. */
  creditsForPlainKeys: '403' | 'zeros' | 'zeros-unwrapped';
}

export type OpenRouterFake = FakeServer & {
  state: OpenRouterFakeState;
  /** Records a call: key usage windows, account usage and today's activity all move. */
  spend(key: string, usd: number, model: string, tokens: { prompt: number; completion: number }): void;
};

const error = (status: number, message: string): FakeResponse => ({ status, body: { error: { code: status, message } } });

export async function startOpenRouterFake(
  opts: { state?: Partial<OpenRouterFakeState>; port?: number; now?: () => number } = {},
): Promise<OpenRouterFake> {
  const now = opts.now ?? Date.now;
  // A copy, so a test's fixture object is never changed behind its back.
  const state: OpenRouterFakeState = { ...defaultState(now()), ...structuredClone(opts.state ?? {}) };
  let period = periods(now());

  // Usage windows restart at UTC day, Monday and month boundaries, as OpenRouter's do.
  function roll(): void {
    const p = periods(now());
    for (const k of Object.values(state.keys)) {
      if (p.day !== period.day) k.usageDaily = 0;
      if (p.week !== period.week) k.usageWeekly = 0;
      if (p.month !== period.month) k.usageMonthly = 0;
    }
    period = p;
  }

  function handle(req: FakeRequest): FakeResponse {
    roll();
    const route = /\/(key|keys|credits|activity|workspaces)$/.exec(req.path)?.[1];
    if (!route || req.method !== 'GET') return error(404, 'Not Found');
    const token = bearerToken(req);
    if (!token) return error(401, 'Missing Authentication header');
    const key = state.keys[token];
    if (!key) return error(401, 'User not found.');
    if (route === 'key') return { body: { data: keyBody(key) } };
    if (!key.isManagementKey) {
      if (route === 'credits' && state.creditsForPlainKeys === 'zeros') return { body: { data: { total_credits: 0, total_usage: 0 } } };
      if (route === 'credits' && state.creditsForPlainKeys === 'zeros-unwrapped') return { body: { total_credits: 0, total_usage: 0 } };
      return error(403, 'Only management keys can perform this operation');
    }
    if (route === 'credits') return { body: { data: { total_credits: state.totalCredits, total_usage: state.totalUsage } } };
    if (route === 'keys' || route === 'workspaces') {
      if (key.cannotListKeys) return error(403, 'This key does not have permission to manage API keys');
      return route === 'keys' ? listKeys(req.query) : listWorkspaces(req.query);
    }
    return activity(req.query.get('date'));
  }

  function listKeys(q: URLSearchParams): FakeResponse {
    const offset = Number(q.get('offset') ?? 0);
    if (!Number.isInteger(offset) || offset < 0) return error(400, 'offset must be a non-negative integer');
    const ws = q.get('workspace_id') ?? state.workspaces[0]?.id;
    const withDisabled = q.get('include_disabled') === 'true';
    const rows = Object.entries(state.keys)
      .filter(([, k]) => !k.isManagementKey && (k.workspace ?? state.workspaces[0]?.id) === ws && (withDisabled || !k.disabled))
      .sort(([, a], [, b]) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))
      .slice(offset, offset + 100)
      .map(([token, k]) => listedKey(token, k, ws ?? ''));
    return { body: { data: rows } };
  }

  function listWorkspaces(q: URLSearchParams): FakeResponse {
    const offset = Number(q.get('offset') ?? 0);
    const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? 50)));
    const rows = state.workspaces.slice(offset, offset + limit).map((w) => ({ ...w, created_at: '2025-01-01T00:00:00Z' }));
    return { body: { data: rows, total_count: state.workspaces.length } };
  }

  function activity(date: string | null): FakeResponse {
    const today = utcDate(now());
    const first = utcDate(now() - ACTIVITY_DAYS * DAY_MS);
    if (date !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date < first || date >= today)) {
      return error(400, 'date must be one of the last 30 completed UTC days (YYYY-MM-DD)');
    }
    const rows = state.activity
      .filter((a) => a.date >= first && a.date < today && (date === null || a.date === date))
      .map((a) => ({ ...a, model_permaslug: a.model, byok_usage_inference: 0 }));
    return { body: { data: rows } };
  }

  const server = await startFakeServer(handle, { port: opts.port });

  function spend(token: string, usd: number, model: string, tokens: { prompt: number; completion: number }): void {
    roll();
    let key = state.keys[token];
    if (!key) throw new Error('spend(): the fake has no such key');
    // A management key cannot call models: the fake books its calls on the workspace's first API key (the demo's ticker).
    if (key.isManagementKey) key = Object.values(state.keys).find((k) => !k.isManagementKey && !k.disabled) ?? key;
    key.usage = round(key.usage + usd);
    key.usageDaily = round(key.usageDaily + usd);
    key.usageWeekly = round(key.usageWeekly + usd);
    key.usageMonthly = round(key.usageMonthly + usd);
    state.totalUsage = round(state.totalUsage + usd);
    const date = utcDate(now());
    let row = state.activity.find((a) => a.date === date && a.model === model && a.endpoint_id === 'fake-live');
    if (!row) {
      row = { date, model, endpoint_id: 'fake-live', provider_name: 'Fake', usage: 0, requests: 0, prompt_tokens: 0, completion_tokens: 0, reasoning_tokens: 0 };
      state.activity.push(row);
    }
    row.usage = round(row.usage + usd);
    row.requests += 1;
    row.prompt_tokens += tokens.prompt;
    row.completion_tokens += tokens.completion;
  }

  return Object.assign(server, { state, spend });
}

function sinceReset(k: OpenRouterFakeKey): number {
  return k.limitReset === 'daily' ? k.usageDaily : k.limitReset === 'weekly' ? k.usageWeekly : k.limitReset === 'monthly' ? k.usageMonthly : k.usage;
}

/** A /keys entry: the key's hash and name, never the key (the label shows a few of its characters). */
function listedKey(token: string, k: OpenRouterFakeKey, workspace: string): Record<string, unknown> {
  let h = 0;
  for (const c of token) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  const byok = k.byokUsage ?? 0;
  return {
    hash: h.toString(16).padStart(8, '0').repeat(8),
    name: k.name ?? k.label,
    label: `${token.slice(0, 12)}...${token.slice(-4)}`,
    disabled: k.disabled ?? false,
    limit: k.limit,
    limit_remaining: k.limit === null ? null : round(k.limit - sinceReset(k)),
    limit_reset: k.limitReset,
    include_byok_in_limit: false,
    usage: k.usage,
    usage_daily: k.usageDaily,
    usage_weekly: k.usageWeekly,
    usage_monthly: k.usageMonthly,
    byok_usage: byok,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: byok,
    created_at: k.createdAt ?? '2025-06-01T00:00:00Z',
    updated_at: null,
    expires_at: k.expiresAt,
    creator_user_id: 'user_fake',
    workspace_id: workspace,
  };
}

function keyBody(k: OpenRouterFakeKey): Record<string, unknown> {
  return {
    label: k.label,
    limit: k.limit,
    limit_remaining: k.limit === null ? null : Math.max(0, round(k.limit - sinceReset(k))),
    limit_reset: k.limitReset,
    usage: k.usage,
    usage_daily: k.usageDaily,
    usage_weekly: k.usageWeekly,
    usage_monthly: k.usageMonthly,
    byok_usage: 0,
    is_free_tier: k.isFreeTier,
    is_management_key: k.isManagementKey,
    is_provisioning_key: k.isManagementKey,
    include_byok_in_limit: false,
    creator_user_id: 'user_fake',
    rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
    expires_at: k.expiresAt,
  };
}

function defaultState(now: number): OpenRouterFakeState {
  const activity = demoActivity(now);
  const p = periods(now);
  const sum = (pred: (dayIndex: number) => boolean) =>
    round(activity.filter((a) => pred(Date.parse(`${a.date}T00:00:00Z`) / DAY_MS)).reduce((s, a) => s + a.usage, 0));
  const today = 0.42;
  const week = round(sum((d) => weekOf(d) === p.week) + today);
  const month = round(sum((d) => monthOf(d) === p.month) + today);
  const totalUsage = round(sum(() => true) + today + 18.37 + 31.8);
  const key = (over: Partial<OpenRouterFakeKey>): OpenRouterFakeKey => ({
    label: '', limit: null, limitReset: null, usage: 0, usageDaily: 0, usageWeekly: 0, usageMonthly: 0, isManagementKey: false, isFreeTier: false, expiresAt: null, ...over,
  });
  return {
    keys: {
      // The management key reads the account; it spends nothing itself.
      [DEMO_OPENROUTER_KEY]: key({ label: 'sk-or-v1-dem...ment', isManagementKey: true }),
      [DEMO_OPENROUTER_APP_KEY]: key({
        label: 'sk-or-v1-dem...tion', name: 'Production app', usage: round(totalUsage - 31.8), usageDaily: today, usageWeekly: week, usageMonthly: month,
        createdAt: '2025-05-01T00:00:00Z',
      }),
      [DEMO_OPENROUTER_PLAIN_KEY]: key({
        label: 'sk-or-v1-dem...lain', name: 'Experiments', limit: 25, limitReset: 'monthly', usage: 31.8, usageDaily: 0.35, usageWeekly: 2.9, usageMonthly: 9.65,
        createdAt: '2025-07-01T00:00:00Z',
      }),
    },
    totalCredits: 100 + 31.8 + 18.37,
    totalUsage,
    activity,
    workspaces: [{ id: DEFAULT_WORKSPACE, name: 'Default', slug: 'default' }],
    creditsForPlainKeys: '403',
  };
}

/** Float dollars kept to the micro-dollar, so sums in the fake do not drift. */
function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

// 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
const weekOf = (dayIndex: number): number => Math.floor((dayIndex + 3) / 7);
const monthOf = (dayIndex: number): number => {
  const d = new Date(dayIndex * DAY_MS);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

function periods(now: number): { day: number; week: number; month: number } {
  const day = Math.floor(now / DAY_MS);
  return { day, week: weekOf(day), month: monthOf(day) };
}
