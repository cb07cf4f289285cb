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
import { Ledger, utcStart } from '../../electron/core/demo-world.ts';
import type { AccountStatus, Snapshot } from '../../shared/domain.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CENT = 10_000;

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
    // The accounts of the one world (demo-admin.ts's accounts still move by their own random walk).
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
  core.importSnapshots(await pollDemoHistory(demo, { days: historyDays }));
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
/** Every demo account with a balance that moves with the world (the organization-API ones move on their own). */
const BALANCE_ACCOUNTS = ['demo-gateway', 'demo-openrouter', 'demo-deepseek', 'demo-moonshot', 'demo-siliconflow'];

describe('the demo world', () => {
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
      [DERIVED_MODEL, 'demo-siliconflow', 'USD'],
      [TODAY_MODEL, 'demo-openrouter', 'USD'],
    ]);
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
  });

  it('today and this month agree on the 1st of the month, just after midnight', async () => {
    const w = await world('2026-04-01T00:20:00Z', 3);
    for (const id of BALANCE_ACCOUNTS) {
      const spent = w.shown(id).spent;
      expect(micros(spent.today), id).toBe(micros(spent.month));
      // Twenty minutes into the day: a twenty-minute spend, not yesterday's.
      expect(micros(spent.today)).toBeLessThanOrEqual(w.ledger(id).spent(Date.parse('2026-04-01T00:00:00Z') - 60_000, w.clock.t) + CENT);
    }
    const summary = await w.core.api.getSpendSummary();
    for (const m of summary.months) {
      const reported = BALANCE_ACCOUNTS.map((id) => w.shown(id).spent.month).filter((x) => x?.currency === m.currency);
      expect(m.monthToDate.micros).toBe(reported.reduce((s, x) => s + x!.micros, 0));
      expect(m.monthStart).toBe(Date.parse('2026-04-01T00:00:00Z'));
      expect(m.forecast.micros).toBeGreaterThan(m.monthToDate.micros);
    }
    // A day of hourly polls later, "today" is only the new day and "this month" holds both.
    for (let h = 0; h < 24; h++) await w.advance(HOUR);
    for (const id of BALANCE_ACCOUNTS) {
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
});
