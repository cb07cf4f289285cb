// The demo's organization-API and budget accounts (OpenAI, Anthropic, xAI, LiteLLM, a custom reseller and a custom
// token plan), each a ledger in the demo world like demo-accounts.ts's. Money becomes tokens at the very prices the
// fakes charge, so a model's cost in the breakdown is its tokens × its price, and the sum of the costs is the ledger's.
import { DAY_MS, HOUR_MS, seeded, utcStart, type DemoAccount, type DemoWorld, type Ledger } from './demo-world.ts';
import { OPENAI_DEMO_PRICES, type OpenAiFake, type OpenAiFakeUsage } from './providers/fakes/openai.ts';
import { ANTHROPIC_DEMO_PRICES, type AnthropicFake, type AnthropicFakeUsage } from './providers/fakes/anthropic.ts';
import type { XaiFake } from './providers/fakes/xai.ts';
import type { LiteLlmFake, LiteLlmFakeDay } from './providers/fakes/litellm.ts';
import type { CustomFake } from './providers/fakes/custom.ts';
import type { ConfigAccount } from './accounts.ts';

const M = 1_000_000;
/** How far back the fakes' reports reach: the adapters read 31 days. */
const REPORT_DAYS = 32;

export type WorldAccount = DemoAccount & { ledger: Ledger };

/** Splits `total` by weights into integers that sum to it exactly (the last part takes the rounding). */
export function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  let left = total;
  return weights.map((w, i) => {
    const part = i === weights.length - 1 ? left : Math.round((total * w) / sum);
    left -= part;
    return part;
  });
}

/** Per-hour records for the last REPORT_DAYS, cached per whole hour; the current hour holds what has passed of it. */
function hourly<T>(ledger: Ledger, make: (hour: number, micros: number) => T[]): (t: number) => T[] {
  const cache = new Map<number, T[]>();
  return (t) => {
    const current = Math.floor(t / HOUR_MS) * HOUR_MS;
    const out: T[] = [];
    for (let h = current - REPORT_DAYS * DAY_MS; h < current; h += HOUR_MS) {
      let rows = cache.get(h);
      if (!rows) cache.set(h, (rows = make(h, ledger.hourly(h))));
      out.push(...rows);
    }
    // The clock jumps while the history is polled: forget whatever hours fell out of the report.
    if (cache.size > REPORT_DAYS * 24 + 48) for (const h of cache.keys()) if (h < current - REPORT_DAYS * DAY_MS) cache.delete(h);
    out.push(...make(current, ledger.spent(current, t)));
    return out;
  };
}

/** Hour-to-hour variety in how the spend is shared, from the hour and a seed. */
const jittered = (hour: number, seed: number, shares: readonly number[]) => shares.map((s, i) => s * (0.6 + 0.8 * seeded(Math.floor(hour / HOUR_MS) * 13 + seed + i)));

export const OPENAI_MIX = [
  { keyId: 'key_demo_web', projectId: 'proj_demo_prod', model: 'gpt-4.1-mini-2025-04-14', share: 0.4, cached: 0.3, out: 0.25, perRequest: 1500 },
  { keyId: 'key_demo_batch', projectId: 'proj_demo_prod', model: 'gpt-4.1-2025-04-14', share: 0.4, cached: 0.1, out: 0.2, perRequest: 4000 },
  { keyId: 'key_demo_lab', projectId: 'proj_demo_lab', model: 'o4-mini-2025-04-16', share: 0.2, cached: 0.05, out: 0.6, perRequest: 2500 },
] as const;

/**
 * An OpenAI organization (postpaid: no balance) spending about $6 a day in office hours over three keys and models.
 * Each hour's spend becomes tokens at OPENAI_DEMO_PRICES (USD per million tokens = micro-dollars per token), which
 * the fake prices back into its daily costs per line item.
 */
export function openaiAccount(world: DemoWorld, fake: OpenAiFake, account: ConfigAccount): WorldAccount {
  const ledger = world.ledger({ perDay: 6 * M, seed: 71, shape: 'office', deposits: [] });
  const records = hourly<OpenAiFakeUsage>(ledger, (hour, micros) =>
    split(micros, jittered(hour, 71, OPENAI_MIX.map((m) => m.share))).flatMap((money, i) => {
      const m = OPENAI_MIX[i]!;
      const p = OPENAI_DEMO_PRICES[m.model];
      const input = Math.round(money / ((1 - m.cached) * p.input + m.cached * p.cached + m.out * p.output));
      if (input <= 0) return [];
      return [{ time: hour, model: m.model, projectId: m.projectId, keyId: m.keyId, requests: Math.max(1, Math.round(input / m.perRequest)), input, cached: Math.round(input * m.cached), output: Math.round(input * m.out) }];
    }),
  );
  fake.state.costs = [];
  return { ledger, account, historyDays: 0, sync: (t) => void (fake.state.usage = records(t)) };
}

export const ANTHROPIC_MIX = [
  { apiKeyId: 'apikey_demo_support', workspaceId: 'wrkspc_demo_prod', model: 'claude-sonnet-4-5-20250929', share: 0.45, cached: 0.6, out: 0.15, searches: true },
  { apiKeyId: 'apikey_demo_agents', workspaceId: 'wrkspc_demo_prod', model: 'claude-sonnet-4-5-20250929', share: 0.4, cached: 0.8, out: 0.08, searches: false },
  { apiKeyId: 'apikey_demo_eval', workspaceId: null, model: 'claude-haiku-4-5-20251001', share: 0.15, cached: 0.2, out: 0.3, searches: false },
] as const;

/**
 * An Anthropic organization spending about $4 a day: tokens (uncached input, cache reads, output; no cache writes) at
 * ANTHROPIC_DEMO_PRICES, and a few web searches on the support key at the fake's price per search, paid from the same
 * hour's spend.
 */
export function anthropicAccount(world: DemoWorld, fake: AnthropicFake, account: ConfigAccount): WorldAccount {
  const ledger = world.ledger({ perDay: 4 * M, seed: 73, shape: 'office', deposits: [] });
  const searchMicros = Math.round(fake.state.webSearchPrice * M);
  const records = hourly<AnthropicFakeUsage>(ledger, (hour, micros) =>
    split(micros, jittered(hour, 73, ANTHROPIC_MIX.map((m) => m.share))).flatMap((money, i) => {
      const m = ANTHROPIC_MIX[i]!;
      const p = ANTHROPIC_DEMO_PRICES[m.model];
      // Whole hours only: a search is a whole number, and the current hour's share grows smoothly without them.
      const whole = micros === ledger.hourly(hour);
      const webSearches = m.searches && whole ? Math.min(Math.floor(seeded(hour / HOUR_MS + 5) * 3), Math.floor((money * 0.2) / searchMicros)) : 0;
      const tokensMoney = money - webSearches * searchMicros;
      const input = Math.round(tokensMoney / ((1 - m.cached) * p.input + m.cached * p.cacheRead + m.out * p.output));
      if (input <= 0 && webSearches === 0) return [];
      const cacheRead = Math.round(input * m.cached);
      return [{ time: hour, model: m.model, apiKeyId: m.apiKeyId, workspaceId: m.workspaceId, uncached: input - cacheRead, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead, output: Math.round(input * m.out), webSearches }];
    }),
  );
  return { ledger, account, historyDays: 0, sync: (t) => void (fake.state.usage = records(t)) };
}

/**
 * An xAI team with prepaid credits ($80, $40 more fourteen days ago), spending about $2.40 a day. xAI posts charges when
 * a billing cycle (a UTC month) closes: its ledger holds the deposits less the spend of closed months, and usage
 * analytics this month's days; the adapter subtracts them, which gives the world's balance.
 */
export function xaiAccount(world: DemoWorld, fake: XaiFake, account: ConfigAccount, team: string): WorldAccount {
  const ledger = world.ledger({ perDay: 2.4 * M, seed: 79, shape: 'office', deposits: [{ daysAgo: 1e9, micros: 80 * M }, { daysAgo: 14, micros: 40 * M }] });
  const state = fake.state.teams[team]!;
  return {
    ledger,
    account,
    historyDays: 7,
    sync(t) {
      const today = utcStart('day', t);
      const daily: Record<string, number> = {};
      for (let d = today - REPORT_DAYS * DAY_MS; d <= today; d += DAY_MS) daily[new Date(d).toISOString().slice(0, 10)] = ledger.spent(d, Math.min(t, d + DAY_MS)) / M;
      state.daily = daily;
      state.ledgerCents = -Math.round((ledger.deposited(t) - ledger.cumulative(utcStart('month', t))) / 10_000);
    },
  };
}

export const LITELLM_MODELS = [
  { model: 'gpt-4o', input: 2.5, output: 10, share: 0.5, out: 0.25 },
  { model: 'claude-3-5-sonnet', input: 3, output: 15, share: 0.35, out: 0.2 },
  { model: 'llama-3.1-70b', input: 0.6, output: 0.6, share: 0.15, out: 0.3 },
] as const;

/** A LiteLLM day's spend as the proxy keeps it: dollars to the micro. */
const dollars = (micros: number) => Math.round(micros) / M;

/**
 * A LiteLLM virtual key with a $150 budget that resets at each UTC month start, spending about $3 a day across three
 * models. The key's (and its team's and user's) spend is the sum of this month's daily activity, so the budget,
 * the balance left and the per-model spend agree; each model's spend is its tokens × LITELLM_MODELS' prices.
 */
export function litellmAccount(world: DemoWorld, fake: LiteLlmFake, account: ConfigAccount, token: string): WorldAccount {
  const ledger = world.ledger({ perDay: 3 * M, seed: 83, shape: 'office', deposits: [] });
  const key = fake.state.keys[token]!;
  key.budgetDuration = '1mo';
  const day = (start: number, micros: number): LiteLlmFakeDay[] =>
    split(micros, LITELLM_MODELS.map((m, i) => m.share * (0.7 + 0.6 * seeded(start / DAY_MS + 7 * i)))).flatMap((money, i) => {
      const m = LITELLM_MODELS[i]!;
      const prompt = Math.round(money / (m.input + m.out * m.output));
      if (prompt <= 0) return [];
      const completion = Math.round(prompt * m.out);
      const date = new Date(start).toISOString().slice(0, 10);
      return [{ date, model: m.model, userId: key.userId, spend: dollars(prompt * m.input + completion * m.output), prompt, completion, cacheRead: 0, requests: Math.max(1, Math.round(prompt / 1500)) }];
    });
  const days = new Map<number, LiteLlmFakeDay[]>();
  return {
    ledger,
    account,
    historyDays: 7,
    sync(t) {
      const today = utcStart('day', t);
      const activity: LiteLlmFakeDay[] = [];
      for (let d = today - REPORT_DAYS * DAY_MS; d < today; d += DAY_MS) {
        let rows = days.get(d);
        if (!rows) days.set(d, (rows = day(d, ledger.spent(d, d + DAY_MS))));
        activity.push(...rows);
      }
      activity.push(...day(today, ledger.spent(today, t)));
      fake.state.activity = activity;
      const month = new Date(utcStart('month', t)).toISOString().slice(0, 10);
      const spend = dollars(activity.filter((a) => a.date >= month).reduce((s, a) => s + Math.round(a.spend * M), 0));
      const next = new Date(t);
      key.spend = spend;
      key.budgetResetAt = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 1)).toISOString();
      if (key.teamId && fake.state.teams[key.teamId]) Object.assign(fake.state.teams[key.teamId]!, { spend, budgetResetAt: key.budgetResetAt });
      if (key.userId && fake.state.users[key.userId]) fake.state.users[key.userId]!.spend = spend;
    },
  };
}

/** A One-API-style reseller in dollars: $50 granted, $25 more ten days ago, about $0.90 a day; used = lifetime spend. */
export function resellerAccount(world: DemoWorld, fake: CustomFake, account: ConfigAccount): WorldAccount {
  const ledger = world.ledger({ perDay: 0.9 * M, seed: 89, shape: 'steady', deposits: [{ daysAgo: 1e9, micros: 50 * M }, { daysAgo: 10, micros: 25 * M }] });
  return {
    ledger,
    account,
    historyDays: 7,
    sync(t) {
      fake.state.granted = dollars(ledger.deposited(t));
      fake.state.used = dollars(ledger.cumulative(t));
    },
  };
}

/** assisters.dev's plan: tokens used this month (about 120k a day; micro-units of tokens in the ledger). */
export function assistersAccount(world: DemoWorld, fake: CustomFake, account: ConfigAccount): WorldAccount {
  const ledger = world.ledger({ perDay: 120_000 * M, seed: 97, shape: 'office', deposits: [] });
  return { ledger, account, historyDays: 0, sync: (t) => void (fake.state.tokensUsed = Math.round(ledger.spent(utcStart('month', t), t) / M)) };
}
