// The demo's accounts: each one a ledger in the demo world and a sync() that writes the world's figures at time t into
// its fake provider's state, in the provider's own wire units. No figure is invented apart from the ledger.
import { DAY_MS, demoConfigAccount, HOUR_MS, seeded, utcStart, type DemoAccount, type DemoWorld, type Ledger } from './demo-world.ts';
import { DEMO_NEWAPI_KEY, type NewApiFake } from './providers/fakes/newapi.ts';
import type { LogRow } from './providers/fakes/newapi-routes.ts';
import { DEMO_OPENROUTER_APP_KEY, DEMO_OPENROUTER_KEY, DEMO_OPENROUTER_PLAIN_KEY, type OpenRouterFake, type OpenRouterFakeActivity } from './providers/fakes/openrouter.ts';
import { DEMO_DEEPSEEK_KEY, type DeepSeekFake } from './providers/fakes/deepseek.ts';
import { DEMO_SURFER_KEY_ID, DEMO_SURFER_PRIVATE_KEY, DEMO_SURFER_PUBLIC_KEY, type SurferCloudFake, type SurferHourUsage } from './providers/fakes/surfercloud.ts';

const M = 1_000_000;
type Opts = { pollIntervalSec?: number | undefined };

/** Major units rounded to the micro-unit, as the fakes store them. */
const major = (micros: number) => Math.round(micros) / M;

/**
 * A New-API gateway key in USD display: $20 granted at the start, topped up with $10 twelve days ago, spending about
 * $0.65 a day — so its runway is short (a card that warns). Quota units are micro-dollars × quota_per_unit / 1e6.
 */
export function gatewayAccount(world: DemoWorld, fake: NewApiFake, opts: Opts = {}): DemoAccount & { ledger: Ledger } {
  const ledger = world.ledger({ perDay: 0.65 * M, seed: 11, shape: 'office', deposits: [{ daysAgo: 1e9, micros: 20 * M }, { daysAgo: 12, micros: 10 * M }] });
  const key = fake.state.keys[DEMO_NEWAPI_KEY]!;
  const perMicro = (fake.state.quotaPerUnit ?? 500_000) / M;
  // The request log holds the same spend, per hour and model: one row per model for each hour that has passed.
  const hours = new Map<number, LogRow[]>();
  const rowsOf = (hour: number, micros: number, at: number): LogRow[] => {
    const quota = Math.round(micros * perMicro);
    let left = quota;
    return GATEWAY_MODELS.map((m, i) => {
      const q = i === GATEWAY_MODELS.length - 1 ? left : Math.round(quota * m.share);
      left -= q;
      return {
        id: 0, user_id: 1, created_at: Math.floor(at / 1000), type: 2, content: '', username: 'demo', token_name: key.name, model_name: m.model,
        quota: q, prompt_tokens: Math.round(q * m.tokensPerQuota * 0.8), completion_tokens: Math.round(q * m.tokensPerQuota * 0.2), use_time: 2, is_stream: true,
        channel: 1, channel_name: '', token_id: 1, group: 'default', ip: '', request_id: `demo-${hour}-${i}`, other: JSON.stringify({ cache_tokens: 0, model_ratio: 1 }),
      };
    }).filter((r) => r.quota > 0);
  };
  return {
    ledger,
    account: demoConfigAccount('demo-gateway', 'newapi', 'smai.ai gateway', fake.url, { apiKey: DEMO_NEWAPI_KEY }, opts),
    sync(t) {
      key.granted = Math.round(ledger.deposited(t) * perMicro);
      const current = Math.floor(t / HOUR_MS) * HOUR_MS;
      const log: LogRow[] = [];
      for (let h = current - 30 * DAY_MS; h < current; h += HOUR_MS) {
        let rows = hours.get(h);
        if (!rows) hours.set(h, (rows = rowsOf(h, ledger.hourly(h), h + HOUR_MS - 60_000)));
        log.push(...rows);
      }
      log.push(...rowsOf(current, ledger.spent(current, t), t));
      log.forEach((r, i) => (r.id = i + 1));
      fake.state.log = log;
      // Lifetime use is the log's sum (plus what was used before the log's month): one figure, two views.
      key.used = Math.round(ledger.cumulative(current - 30 * DAY_MS) * perMicro) + log.reduce((sum, r) => sum + r.quota, 0);
    },
  };
}

const GATEWAY_MODELS = [
  { model: 'gpt-4o-mini', share: 0.25, tokensPerQuota: 2 },
  { model: 'claude-sonnet-4', share: 0.55, tokensPerQuota: 0.35 },
  { model: 'deepseek-chat', share: 0.2, tokensPerQuota: 2.5 },
];

interface RouterModel {
  model: string;
  weight: number;
  /** USD per million prompt / completion tokens. */
  inPrice: number;
  outPrice: number;
  /** Completion tokens per prompt token, and the share of completion spent reasoning. */
  ratio: number;
  reasoning: number;
}

export const ROUTER_MODELS: RouterModel[] = [
  { model: 'anthropic/claude-sonnet-4', weight: 1, inPrice: 3, outPrice: 15, ratio: 0.15, reasoning: 0 },
  { model: 'openai/gpt-4.1-mini', weight: 0.5, inPrice: 0.4, outPrice: 1.6, ratio: 0.2, reasoning: 0 },
  { model: 'google/gemini-2.5-flash', weight: 0.35, inPrice: 0.3, outPrice: 2.5, ratio: 0.25, reasoning: 0.3 },
  { model: 'deepseek/deepseek-r1', weight: 0.25, inPrice: 0.55, outPrice: 2.19, ratio: 0.5, reasoning: 0.6 },
];

/**
 * One UTC day of the router's activity: the day's spend from the ledger split across models (the shares sum to the
 * whole, to the micro-dollar), with tokens and requests that price out to each model's cost.
 */
export function routerDay(ledger: Ledger, dayStart: number): OpenRouterFakeActivity[] {
  const total = ledger.spent(dayStart, dayStart + DAY_MS);
  const day = Math.floor(dayStart / DAY_MS);
  const weights = ROUTER_MODELS.map((m, i) => m.weight * (0.5 + seeded(day * 31 + i)));
  const sum = weights.reduce((a, b) => a + b, 0);
  let left = total;
  return ROUTER_MODELS.map((m, i) => {
    const micros = i === ROUTER_MODELS.length - 1 ? left : Math.round((total * weights[i]!) / sum);
    left -= micros;
    const prompt = Math.round(micros / (m.inPrice + m.ratio * m.outPrice));
    const completion = Math.round(prompt * m.ratio);
    return {
      date: new Date(dayStart).toISOString().slice(0, 10),
      model: m.model,
      endpoint_id: `${m.model}@demo`,
      provider_name: 'Demo',
      usage: major(micros),
      requests: Math.max(1, Math.round(prompt / 1800)),
      prompt_tokens: prompt,
      completion_tokens: completion,
      reasoning_tokens: Math.round(completion * m.reasoning),
    };
  }).filter((row) => row.usage > 0);
}

/**
 * An OpenRouter account with a management key: $60 of credits, $40 more twenty days ago, about $1.60 a day, all of it
 * on the production API key, whose daily / weekly / monthly counters are the ledger's spend since the UTC day, Monday
 * and month start; the activity of each completed UTC day is that day's spend split by model.
 */
export function routerAccount(world: DemoWorld, fake: OpenRouterFake, opts: Opts = {}): DemoAccount & { ledger: Ledger } {
  const ledger = world.ledger({ perDay: 1.6 * M, seed: 23, shape: 'office', deposits: [{ daysAgo: 1e9, micros: 60 * M }, { daysAgo: 20, micros: 40 * M }] });
  // A management key spends nothing itself: the account's spend is its API keys', here all on the production key.
  const app = fake.state.keys[DEMO_OPENROUTER_APP_KEY]!;
  const idle = [DEMO_OPENROUTER_KEY, DEMO_OPENROUTER_PLAIN_KEY].map((k) => fake.state.keys[k]).filter((k) => k !== undefined);
  const days = new Map<number, OpenRouterFakeActivity[]>();
  return {
    ledger,
    // Its activity brings 30 days of per-model spend on the first live poll; a week of balances is the runway's window.
    historyDays: 7,
    account: demoConfigAccount('demo-openrouter', 'openrouter', 'OpenRouter', fake.url, { apiKey: DEMO_OPENROUTER_KEY }, opts),
    sync(t) {
      const total = major(ledger.cumulative(t));
      fake.state.totalCredits = major(ledger.deposited(t));
      fake.state.totalUsage = total;
      app.usage = total;
      app.usageDaily = major(ledger.spent(utcStart('day', t), t));
      app.usageWeekly = major(ledger.spent(utcStart('week', t), t));
      app.usageMonthly = major(ledger.spent(utcStart('month', t), t));
      for (const k of idle) Object.assign(k, { usage: 0, usageDaily: 0, usageWeekly: 0, usageMonthly: 0 });
      const today = utcStart('day', t);
      const activity: OpenRouterFakeActivity[] = [];
      for (let d = today - 30 * DAY_MS; d < today; d += DAY_MS) {
        let rows = days.get(d);
        if (!rows) days.set(d, (rows = routerDay(ledger, d)));
        activity.push(...rows);
      }
      fake.state.activity = activity;
    },
  };
}

/**
 * A DeepSeek account in CNY: ¥10 granted and ¥100 topped up at the start, ¥50 more fifteen days ago, about ¥2.50 a day,
 * spent from the granted balance first as DeepSeek does; a USD balance that is not used. Amounts are served to the cent.
 */
export function deepseekAccount(world: DemoWorld, fake: DeepSeekFake, opts: Opts = {}): DemoAccount & { ledger: Ledger } {
  const granted = 10 * M;
  const ledger = world.ledger({ perDay: 2.5 * M, seed: 37, shape: 'asia', deposits: [{ daysAgo: 1e9, micros: 110 * M }, { daysAgo: 15, micros: 50 * M }] });
  const account = fake.state.keys[DEMO_DEEPSEEK_KEY]!;
  const cents = (micros: number) => Math.round(micros / 10_000) / 100;
  return {
    ledger,
    account: demoConfigAccount('demo-deepseek', 'deepseek', 'DeepSeek', fake.url, { apiKey: DEMO_DEEPSEEK_KEY }, opts),
    sync(t) {
      const spent = ledger.cumulative(t);
      const cny = account.balances.find((b) => b.currency === 'CNY')!;
      cny.granted = cents(Math.max(0, granted - spent));
      cny.toppedUp = cents(ledger.deposited(t) - granted - Math.max(0, spent - granted));
      cny.total = Math.round((cny.granted + cny.toppedUp) * 100) / 100;
      account.isAvailable = account.balances.some((b) => b.total > 0);
    },
  };
}

const SURFER_MODELS = [
  { model: 'deepseek-ai/DeepSeek-V3', share: 0.55, outRatio: 0.3, perCall: 2400, images: 0 },
  { model: 'Qwen/Qwen3-32B', share: 0.3, outRatio: 0.25, perCall: 1600, images: 0 },
  { model: 'deepseek-ai/DeepSeek-R1', share: 0.15, outRatio: 0.9, perCall: 3000, images: 0 },
  { model: 'black-forest-labs/FLUX.1-schnell', share: 0, outRatio: 0, perCall: 0, images: 6 },
];

/**
 * A SurferCloud key that reports tokens and requests per hour and model (no money): about 2.4M tokens a day in
 * Asian working hours, and an image model that counts image generations. The current hour holds the part of the
 * hour that has passed.
 */
export function surferAccount(world: DemoWorld, fake: SurferCloudFake, opts: Opts = {}): DemoAccount & { ledger: Ledger } {
  // Micro-units of tokens: the ledger's rate machinery, counting tokens instead of money.
  const ledger = world.ledger({ perDay: 2_400_000 * M, seed: 53, shape: 'asia', deposits: [] });
  const hours = new Map<number, SurferHourUsage[]>();
  const hourRows = (hour: number, fraction: number): SurferHourUsage[] => {
    const tokens = (ledger.hourly(hour) / M) * fraction;
    return SURFER_MODELS.map((m, i) => {
      const images = Math.floor(m.images * fraction * seeded(hour / HOUR_MS + i) * (tokens > 0 ? 1 : 0));
      const input = Math.round((tokens * m.share) / (1 + m.outRatio));
      const requests = m.perCall ? Math.round(input / m.perCall) : images;
      return { keyId: DEMO_SURFER_KEY_ID, model: m.model, hour, in: input, out: Math.round(input * m.outRatio), requests, images };
    }).filter((r) => r.in > 0 || r.images > 0);
  };
  return {
    ledger,
    historyDays: 0,
    account: demoConfigAccount(
      'demo-surfer',
      'surfercloud',
      'SurferCloud',
      fake.url,
      { publicKey: DEMO_SURFER_PUBLIC_KEY, privateKey: DEMO_SURFER_PRIVATE_KEY },
      { ...opts, options: { keyId: DEMO_SURFER_KEY_ID } },
    ),
    sync(t) {
      const current = Math.floor(t / HOUR_MS) * HOUR_MS;
      const usage: SurferHourUsage[] = [];
      for (let h = current - 30 * DAY_MS; h < current; h += HOUR_MS) {
        let rows = hours.get(h);
        if (!rows) hours.set(h, (rows = hourRows(h, 1)));
        usage.push(...rows);
      }
      usage.push(...hourRows(current, (t - current) / HOUR_MS));
      fake.state.usage = usage;
    },
  };
}

/**
 * A balance-only account whose fake holds a granted (voucher) part spent first and a paid (cash) part: Moonshot (CNY,
 * amounts to 1e-5) and SiliconFlow (USD, to the cent). Its balance is the ledger's at t, so the derived spend, the
 * runway and the history agree like the other demo accounts'.
 */
export function grantedFirst(
  world: DemoWorld,
  spec: { perDay: number; seed: number; granted: number; paid: number; topUp: { daysAgo: number; micros: number } },
  write: (granted: number, paid: number) => void,
): { ledger: Ledger; sync(t: number): void } {
  const ledger = world.ledger({ perDay: spec.perDay, seed: spec.seed, shape: 'asia', deposits: [{ daysAgo: 1e9, micros: spec.granted + spec.paid }, spec.topUp] });
  return {
    ledger,
    sync(t) {
      const spent = ledger.cumulative(t);
      write(Math.max(0, spec.granted - spent), ledger.deposited(t) - spec.granted - Math.max(0, spent - spec.granted));
    },
  };
}
