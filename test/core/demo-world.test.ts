// The demo is one consistent world: every figure it shows can be checked against every other. A real core polls the
// demo's loopback fakes through the real adapters at a pinned clock, history included, and the figures must agree.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type EngineCore } from '../../electron/core/engine.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startDemo, type Demo } from '../../electron/core/demo.ts';
import { pollDemoHistory } from '../../electron/core/demo-history.ts';
import { DERIVED_MODEL, TODAY_MODEL } from '../../electron/core/derived-usage.ts';
import { ALL_MODELS } from '../../shared/domain.ts';
import { ANTHROPIC_MIX, LITELLM_MODELS, OPENAI_MIX } from '../../electron/core/demo-orgs.ts';
import { OPENAI_DEMO_PRICES } from '../../electron/core/providers/fakes/openai.ts';
import { ANTHROPIC_DEMO_PRICES } from '../../electron/core/providers/fakes/anthropic.ts';
import { Ledger, utcStart } from '../../electron/core/demo-world.ts';
import type { AccountStatus, Snapshot } from '../../shared/domain.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CENT = 10_000;
const M = 1_000_000;

interface World {
  demo: Demo;
  core: EngineCore;
  clock: { t: number };
  ledger(id: string): Ledger;
  status(id: string): AccountStatus;
  shown(id: string): Snapshot;
  /** Moves the clock, syncs the fakes and polls every account. */
  advance(ms: number): Promise<void>;
}

const open: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of open.splice(0)) await close();
});

async function world(start: string, historyDays = 8): Promise<World> {
  const clock = { t: Date.parse(start) };
  const demo = await startDemo({ now: () => clock.t, tickMs: 3_600_000 });
  const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-demo-world-'));
  const core = await createCore({
    dataDir,
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    // Every demo account: each is a ledger of the one world.
    configAccounts: demo.demoAccounts.map((d) => d.account),
    configPreferences: { timeZone: 'UTC' },
    demo: true,
    now: () => clock.t,
  });
  open.push(async () => {
    await core.stop();
    await demo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await pollDemoHistory(demo, { days: historyDays, save: (batch) => core.importSnapshots(batch) });
  demo.sync();
  await core.pollAll();
  let statuses = await core.api.getStatus();
  const ledgers = new Map(demo.demoAccounts.map((d) => [d.account.account.id, (d as unknown as { ledger: Ledger }).ledger]));
  return {
    demo,
    core,
    clock,
    ledger: (id) => ledgers.get(id)!,
    status: (id) => statuses.find((s) => s.accountId === id)!,
    shown: (id) => statuses.find((s) => s.accountId === id)!.lastSuccess!,
    async advance(ms) {
      clock.t += ms;
      demo.sync();
      await core.pollAll();
      statuses = await core.api.getStatus();
    },
  };
}

const micros = (m: { micros: number } | null | undefined) => m?.micros ?? NaN;
/** Every demo account with a balance that moves with the world. */
const BALANCE_ACCOUNTS = ['demo-gateway', 'demo-openrouter', 'demo-deepseek', 'demo-moonshot', 'demo-siliconflow', 'demo-xai', 'demo-litellm', 'demo-reseller'];
/** Every demo account that reports money spent: the balance ones and the postpaid organizations. */
const SPEND_ACCOUNTS = [...BALANCE_ACCOUNTS, 'demo-openai', 'demo-anthropic'];

// Building a world polls a week or more of history for every account through the real adapters: on a busy shared
// host that alone can pass the default 20 s, so these tests get longer (they assert figures, never speed).
describe('the demo world', { timeout: 120_000 }, () => {
  // One world for the first two checks: building one polls a week of history.
  let shared: Promise<World> | null = null;
  const midMarch = () => (shared ??= world('2026-03-18T15:20:00Z'));

  it('live balances fall at the pace of the history, and the runway says so', async () => {
    const w = await midMarch();
    for (const id of BALANCE_ACCOUNTS) {
      const runway = w.status(id).runway!;
      expect(runway, id).toBeTruthy();
      expect(runway.basisMs).toBeGreaterThan(6.9 * DAY);
      // The served burn is the ledger's spend over the same 7 days (to the cent per reading for DeepSeek's rounding).
      const ledger = w.ledger(id);
      const spent = ledger.spent(runway.at - runway.basisMs, runway.at);
      expect(Math.abs((runway.burnPerDay.micros * runway.basisMs) / DAY - spent)).toBeLessThan(3 * CENT);
      expect(runway.days).toBeCloseTo(micros(runway.balance) / runway.burnPerDay.micros, 3);
    }
    // An hour later each balance has dropped by that hour's spend: nothing runs faster than the history did.
    const before = new Map(BALANCE_ACCOUNTS.map((id) => [id, micros(w.shown(id).balance)]));
    const from = w.clock.t;
    await w.advance(HOUR);
    for (const [id, was] of before) {
      const drop = was - micros(w.shown(id).balance);
      expect(Math.abs(drop - w.ledger(id).spent(from, w.clock.t)), id).toBeLessThanOrEqual(CENT);
      const runway = w.status(id).runway!;
      expect(drop).toBeLessThan((runway.burnPerDay.micros / 24) * 6);
    }
  });

  it('usage cost equals the balance drop where both are shown', async () => {
    const w = await midMarch();
    const to = w.clock.t + 1;
    for (const id of BALANCE_ACCOUNTS) {
      // The last 7 days, from a UTC midnight so OpenRouter's per-day activity is whole: no top-up falls in them.
      const from = utcStart('day', w.clock.t) - 6 * DAY;
      const cost = (await w.core.api.queryTotals({ groupBy: 'account', from, to, accountIds: [id] })).reduce((s, r) => s + (r.costMicros ?? 0), 0);
      const balances = (await w.core.api.querySeries({ metric: 'balance', bucket: 'hour', groupBy: 'account', from: from - HOUR, to, accountIds: [id], timeZone: 'UTC' })).series.find((s) => s.currency === w.shown(id).balance!.currency)!;
      const atFrom = balances.points.filter((p) => p.t < from).at(-1)!.v;
      const drop = atFrom - micros(w.shown(id).balance);
      expect(Math.abs(cost - drop), id).toBeLessThanOrEqual(3 * CENT);
      expect(Math.abs(cost - w.ledger(id).spent(from - 1000, w.clock.t)), id).toBeLessThanOrEqual(3 * CENT);
    }
    // The router's cost is its per-model activity plus today so far, never an estimate from balance changes.
    const models = (await w.core.api.queryTotals({ groupBy: 'model', from: w.clock.t - 7 * DAY, to, accountIds: ['demo-openrouter'] })).map((r) => r.group);
    expect(models).toContain(TODAY_MODEL);
    expect(models).not.toContain(DERIVED_MODEL);
    // Estimated rows stay apart per account and say whose they are (the gateway's request log gives it real models);
    // money is ordered within its currency.
    const all = await w.core.api.queryTotals({ groupBy: 'model', from: w.clock.t - 7 * DAY, to });
    const wide = all.filter((r) => r.group === DERIVED_MODEL || r.group === TODAY_MODEL).map((r) => [r.group, r.accountId, r.currency]);
    expect(wide.sort()).toEqual([
      [DERIVED_MODEL, 'demo-deepseek', 'CNY'],
      [DERIVED_MODEL, 'demo-moonshot', 'CNY'],
      [DERIVED_MODEL, 'demo-reseller', 'USD'],
      [DERIVED_MODEL, 'demo-siliconflow', 'USD'],
      [TODAY_MODEL, 'demo-openrouter', 'USD'],
    ]);
    // xAI reports its spend per day without models: one row that says so and whose it is, never a model row.
    expect(all.filter((r) => r.group === ALL_MODELS).map((r) => [r.accountId, r.currency])).toEqual([['demo-xai', 'USD']]);
    const priced = all.filter((r) => r.costMicros !== null);
    expect(priced.map((r) => r.currency)).toEqual([...priced.map((r) => r.currency)].sort());
    const today = (await w.core.api.queryTotals({ groupBy: 'model', from: utcStart('day', w.clock.t), to, accountIds: ['demo-openrouter'] }))[0]!;
    expect(today.costMicros).toBe(micros(w.shown('demo-openrouter').spent.today));
  });

  it('caps and lifetime spend agree, in the history too', async () => {
    const w = await world('2026-03-18T15:20:00Z', 14);
    const gw = w.shown('demo-gateway');
    expect(micros(gw.quota!.used)).toBe(micros(gw.spent.total));
    expect(micros(gw.quota!.limit)).toBe(micros(gw.balance) + micros(gw.spent.total));
    // The request log's rows are whole quota units: their sum is the ledger's to the cent.
    expect(Math.abs(micros(gw.spent.total) - w.ledger('demo-gateway').cumulative(w.clock.t))).toBeLessThanOrEqual(CENT);
    const history = await w.core.api.querySeries({ metric: 'balance', bucket: 'hour', groupBy: 'account', from: w.clock.t - 14 * DAY, to: w.clock.t + 1, accountIds: ['demo-gateway'], timeZone: 'UTC' });
    const points = history.series[0]!.points;
    // Hourly for the last week, every other hour before it.
    expect(points.length).toBeGreaterThan(7 * 24 + 6 * 12 - 5);
    // Never above the cap of its time: $20 before the top-up twelve days ago, $30 after.
    for (const p of points) expect(p.v).toBeLessThanOrEqual(w.ledger('demo-gateway').deposited(p.t + HOUR));
    expect(Math.max(...points.map((p) => p.v))).toBeLessThanOrEqual(micros(gw.quota!.limit));
    const router = w.shown('demo-openrouter');
    expect(micros(router.balance) + micros(router.spent.total)).toBe(w.ledger('demo-openrouter').deposited(w.clock.t));
    // The reseller's grant is every deposit; its use, the lifetime spend.
    const reseller = w.shown('demo-reseller');
    expect(micros(reseller.quota!.limit)).toBe(w.ledger('demo-reseller').deposited(w.clock.t));
    expect(micros(reseller.quota!.used)).toBe(w.ledger('demo-reseller').cumulative(w.clock.t));
    expect(micros(reseller.balance)).toBe(micros(reseller.quota!.limit) - micros(reseller.quota!.used));
    // LiteLLM's budget resets each month: what it has used is this month's spend, the sum of this month's activity.
    const litellm = w.shown('demo-litellm');
    expect(micros(litellm.quota!.limit)).toBe(150_000_000);
    expect(micros(litellm.quota!.used)).toBe(micros(litellm.spent.month));
    expect(Math.abs(micros(litellm.quota!.used) - w.ledger('demo-litellm').spent(utcStart('month', w.clock.t), w.clock.t))).toBeLessThanOrEqual(CENT);
    expect(micros(litellm.balance)).toBe(150_000_000 - micros(litellm.quota!.used));
  });

  it('today and this month agree on the 1st of the month, just after midnight', async () => {
    const w = await world('2026-04-01T00:20:00Z', 3);
    for (const id of SPEND_ACCOUNTS) {
      const spent = w.shown(id).spent;
      expect(micros(spent.today), id).toBe(micros(spent.month));
      // Twenty minutes into the day: a twenty-minute spend, not yesterday's.
      expect(micros(spent.today)).toBeLessThanOrEqual(w.ledger(id).spent(Date.parse('2026-04-01T00:00:00Z') - 60_000, w.clock.t) + CENT);
    }
    const summary = await w.core.api.getSpendSummary();
    for (const m of summary.months) {
      const reported = SPEND_ACCOUNTS.map((id) => w.shown(id).spent.month).filter((x) => x?.currency === m.currency);
      expect(m.monthToDate.micros).toBe(reported.reduce((s, x) => s + x!.micros, 0));
      expect(m.monthStart).toBe(Date.parse('2026-04-01T00:00:00Z'));
      expect(m.forecast.micros).toBeGreaterThan(m.monthToDate.micros);
    }
    // A day of hourly polls later, "today" is only the new day and "this month" holds both.
    for (let h = 0; h < 24; h++) await w.advance(HOUR);
    for (const id of SPEND_ACCOUNTS) {
      const spent = w.shown(id).spent;
      expect(micros(spent.month), id).toBeGreaterThan(micros(spent.today));
    }
  });

  it("this month's chart adds up to this month's spend", async () => {
    const w = await world('2026-03-09T10:00:00Z', 9);
    const monthStart = Date.parse('2026-03-01T00:00:00Z');
    const summary = await w.core.api.getSpendSummary();
    const series = await w.core.api.querySeries({ metric: 'cost', bucket: 'day', groupBy: 'account', from: monthStart, to: w.clock.t + 1, timeZone: 'UTC' });
    for (const m of summary.months) {
      const charted = series.series.filter((s) => s.currency === m.currency).reduce((s, x) => s + x.points.reduce((a, p) => a + p.v, 0), 0);
      expect(Math.abs(charted - m.monthToDate.micros), m.currency).toBeLessThanOrEqual(5 * CENT);
    }
    // SurferCloud's image model is counted, this month including today.
    const images = summary.images.find((i) => i.accountId === 'demo-surfer')!;
    expect(images.month).toBeGreaterThan(images.today);
  });

  it('the organization accounts answer from the ledger: one row per model, its cost its tokens × its price', async () => {
    const w = await midMarch();
    const from = utcStart('day', w.clock.t) - 6 * DAY;
    const to = w.clock.t + 1;
    const rows = async (id: string) => w.core.api.queryTotals({ groupBy: 'model', from, to, accountIds: [id] });
    const near = (a: number, b: number, tol: number, what: string) => expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(tol);
    // Prices are USD per million tokens, which is micro-dollars per token. A day's line item is rounded to the micro.
    const openai = await rows('demo-openai');
    expect(openai.map((r) => r.group).sort()).toEqual(OPENAI_MIX.map((m) => m.model).sort());
    for (const r of openai) {
      const p = OPENAI_DEMO_PRICES[r.group as keyof typeof OPENAI_DEMO_PRICES];
      expect(r.currency).toBe('USD');
      expect(r.inputTokens).toBeGreaterThan(0);
      near(r.costMicros!, (r.inputTokens - r.cachedTokens) * p.input + r.cachedTokens * p.cached + r.outputTokens * p.output, 7 * 3, r.group);
    }
    const anthropic = await rows('demo-anthropic');
    expect(anthropic.map((r) => r.group).sort()).toEqual([...new Set(ANTHROPIC_MIX.map((m) => m.model)), 'web search'].sort());
    for (const r of anthropic) {
      expect(r.currency).toBe('USD');
      if (r.group === 'web search') {
        expect(r.requests).toBeGreaterThan(0);
        expect(r.costMicros).toBe(r.requests * 10_000);
        continue;
      }
      const p = ANTHROPIC_DEMO_PRICES[r.group as keyof typeof ANTHROPIC_DEMO_PRICES];
      near(r.costMicros!, (r.inputTokens - r.cachedTokens) * p.input + r.cachedTokens * p.cacheRead + r.outputTokens * p.output, 7 * 4, r.group);
    }
    const litellm = await rows('demo-litellm');
    expect(litellm.map((r) => r.group).sort()).toEqual(LITELLM_MODELS.map((m) => m.model).sort());
    for (const r of litellm) {
      const m = LITELLM_MODELS.find((x) => x.model === r.group)!;
      near(r.costMicros!, r.inputTokens * m.input + r.outputTokens * m.output, 7, r.group);
    }
    // The costs add up to the ledger's spend, and the spend windows are the same spend.
    for (const id of ['demo-openai', 'demo-anthropic', 'demo-litellm', 'demo-xai']) {
      const cost = (await rows(id)).reduce((s, r) => s + (r.costMicros ?? 0), 0);
      near(cost, w.ledger(id).spent(from, w.clock.t), 2 * CENT, id);
      near(micros(w.shown(id).spent.today), w.ledger(id).spent(utcStart('day', w.clock.t), w.clock.t), CENT, `${id} today`);
      near(micros(w.shown(id).spent.month), w.ledger(id).spent(utcStart('month', w.clock.t), w.clock.t), 3 * CENT, `${id} month`);
      // The history's days are the ledger's days.
      const daily = (await w.core.api.querySeries({ metric: 'cost', bucket: 'day', groupBy: 'account', from, to, accountIds: [id], timeZone: 'UTC' })).series;
      expect(daily.map((x) => x.currency), id).toEqual(['USD']);
      for (const p of daily[0]!.points) near(p.v, w.ledger(id).spent(p.t, Math.min(p.t + DAY, w.clock.t)), CENT, `${id} on ${new Date(p.t).toISOString().slice(0, 10)}`);
    }
    // No account mixes currencies, and no model is two rows (tokens apart from cost) in the breakdown.
    const all = await w.core.api.queryTotals({ groupBy: 'model', from, to });
    const seen = new Set<string>();
    for (const r of all) {
      const k = `${r.group}\u0000${r.accountId ?? ''}`;
      expect(seen.has(k), `${r.group} twice`).toBe(false);
      seen.add(k);
    }
    for (const r of await w.core.api.queryTotals({ groupBy: 'account', from, to })) {
      if (r.group === 'demo-surfer') expect(r.currency).toBeUndefined();
      else expect(r.currency, r.group).toBe(['demo-deepseek', 'demo-moonshot'].includes(r.group) ? 'CNY' : 'USD');
    }
    // assisters.dev counts this month's tokens.
    const plan = w.shown('demo-assisters').quota!;
    expect(plan.used.currency).toBe('TOKENS');
    near(plan.used.micros, w.ledger('demo-assisters').spent(utcStart('month', w.clock.t), w.clock.t), M, 'assisters tokens');
    // An hour on, the organizations' spend today has grown by that hour's spend: live at the history's pace.
    const before = new Map(['demo-openai', 'demo-anthropic', 'demo-litellm', 'demo-xai'].map((id) => [id, micros(w.shown(id).spent.today)]));
    const at = w.clock.t;
    await w.advance(HOUR);
    for (const [id, was] of before) near(micros(w.shown(id).spent.today) - was, w.ledger(id).spent(at, w.clock.t), CENT, `${id} an hour on`);
  });
});
