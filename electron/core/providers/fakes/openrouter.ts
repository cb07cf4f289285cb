// A loopback OpenRouter for the tests and the demo. It answers under any base path (/api/v1/key, /router/v1/key,
// /key), so the same fake stands in for OpenRouter and for compatible routers mounted elsewhere.
import { bearerToken, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';

const DAY_MS = 86_400_000;
const ACTIVITY_DAYS = 30;

export const DEMO_OPENROUTER_KEY = 'sk-or-v1-demo-management';
export const DEMO_OPENROUTER_PLAIN_KEY = 'sk-or-v1-demo-plain';

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
    const route = /\/(key|credits|activity)$/.exec(req.path)?.[1];
    if (!route || req.method !== 'GET') return error(404, 'Not Found');
    const token = bearerToken(req);
    if (!token) return error(401, 'No auth credentials found');
    const key = state.keys[token];
    if (!key) return error(401, 'User not found.');
    if (route === 'key') return { body: { data: keyBody(key) } };
    if (!key.isManagementKey) return error(403, 'Only management keys can perform this operation');
    if (route === 'credits') return { body: { data: { total_credits: state.totalCredits, total_usage: state.totalUsage } } };
    return activity(req.query.get('date'));
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
    const key = state.keys[token];
    if (!key) throw new Error('spend(): the fake has no such key');
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

function keyBody(k: OpenRouterFakeKey): Record<string, unknown> {
  const sinceReset =
    k.limitReset === 'daily' ? k.usageDaily : k.limitReset === 'weekly' ? k.usageWeekly : k.limitReset === 'monthly' ? k.usageMonthly : k.usage;
  return {
    label: k.label,
    limit: k.limit,
    limit_remaining: k.limit === null ? null : Math.max(0, round(k.limit - sinceReset)),
    limit_reset: k.limitReset,
    usage: k.usage,
    usage_daily: k.usageDaily,
    usage_weekly: k.usageWeekly,
    usage_monthly: k.usageMonthly,
    byok_usage: 0,
    is_free_tier: k.isFreeTier,
    is_management_key: k.isManagementKey,
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
  const totalUsage = round(sum(() => true) + today + 18.37);
  return {
    keys: {
      [DEMO_OPENROUTER_KEY]: {
        label: 'sk-or-v1-dem...ment', limit: null, limitReset: null, usage: totalUsage, usageDaily: today, usageWeekly: week,
        usageMonthly: month, isManagementKey: true, isFreeTier: false, expiresAt: null,
      },
      [DEMO_OPENROUTER_PLAIN_KEY]: {
        label: 'sk-or-v1-dem...lain', limit: 25, limitReset: 'monthly', usage: 31.8, usageDaily: 0.35, usageWeekly: 2.9,
        usageMonthly: 9.65, isManagementKey: false, isFreeTier: false, expiresAt: null,
      },
    },
    totalCredits: 100,
    totalUsage,
    activity,
  };
}

interface DemoModel {
  model: string;
  providers: string[];
  /** Relative traffic share. */
  weight: number;
  /** USD per million prompt / completion tokens. */
  inPrice: number;
  outPrice: number;
  /** Share of completion tokens spent reasoning (OpenRouter counts them inside completion_tokens). */
  reasoning: number;
}

const DEMO_MODELS: DemoModel[] = [
  { model: 'anthropic/claude-sonnet-4', providers: ['Anthropic', 'Google Vertex'], weight: 1, inPrice: 3, outPrice: 15, reasoning: 0 },
  { model: 'openai/gpt-4.1-mini', providers: ['OpenAI'], weight: 2.5, inPrice: 0.4, outPrice: 1.6, reasoning: 0 },
  { model: 'google/gemini-2.5-flash', providers: ['Google AI Studio'], weight: 1.5, inPrice: 0.3, outPrice: 2.5, reasoning: 0.3 },
  { model: 'deepseek/deepseek-r1', providers: ['DeepSeek', 'Together'], weight: 0.6, inPrice: 0.55, outPrice: 2.19, reasoning: 0.6 },
];

/**
 * A plausible month of per-model activity for the `days` completed UTC days before `now`: weekdays busier than
 * weekends, some models served by two providers (two rows for one date and model). Seeded by the date, so a
 * given day always has the same figures whatever `now` is.
 */
export function demoActivity(now: number, days = ACTIVITY_DAYS): OpenRouterFakeActivity[] {
  const todayIndex = Math.floor(now / DAY_MS);
  const rows: OpenRouterFakeActivity[] = [];
  for (let d = todayIndex - days; d < todayIndex; d++) {
    const weekday = new Date(d * DAY_MS).getUTCDay();
    const busy = weekday === 0 || weekday === 6 ? 0.3 : 1;
    DEMO_MODELS.forEach((m, mi) => {
      const rand = mulberry32(d * 131 + mi * 7919);
      const requests = Math.round(m.weight * busy * (30 + rand() * 50));
      m.providers.forEach((provider, pi) => {
        const share = m.providers.length === 1 ? 1 : pi === 0 ? 0.7 : 0.3;
        const n = Math.round(requests * share);
        if (n === 0) return;
        const prompt = Math.round(n * (800 + rand() * 2200));
        const completion = Math.round(n * (150 + rand() * 450));
        const reasoning = Math.round(completion * m.reasoning);
        rows.push({
          date: utcDate(d * DAY_MS),
          model: m.model,
          endpoint_id: `${m.model}@${provider.toLowerCase().replace(/\s+/g, '-')}`,
          provider_name: provider,
          usage: round((prompt * m.inPrice + completion * m.outPrice) / 1e6),
          requests: n,
          prompt_tokens: prompt,
          completion_tokens: completion,
          reasoning_tokens: reasoning,
        });
      });
    });
  }
  return rows;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
