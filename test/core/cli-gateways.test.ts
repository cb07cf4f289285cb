// `spendbar poll --once --json` against the loopback fakes in the modes real gateways and routers run in: the figures a
// script gets (balance, currency, spend windows, per-key and per-model usage) for each, through the real command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startNewApiFake, type NewApiFake } from '../../electron/core/providers/fakes/newapi.ts';
import { startOpenRouterFake, type OpenRouterFake, type OpenRouterFakeKey } from '../../electron/core/providers/fakes/openrouter.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';
import { DEMO_SURFER_KEY_ID, DEMO_SURFER_PRIVATE_KEY, DEMO_SURFER_PUBLIC_KEY, startSurferCloudFake, type SurferCloudFake } from '../../electron/core/providers/fakes/surfercloud.ts';

const BIN = resolve(import.meta.dirname, '../../bin/spendbar.js');
const HOUR = 3_600_000;
const KEY = 'sk-cliModesGatewayKey0001';
const TOKEN = 'CliModesAccessToken00000000000001';

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SPENDBAR_DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const fakes: { close(): Promise<void> }[] = [];
let by: Record<string, Out> = {};
let stdout = '';
const hourAgo = Math.floor((Date.now() - HOUR) / HOUR) * HOUR;
const baseKey = { name: 'main', granted: 10_000_000, used: 2_345_678, unlimited: false, expiresAt: 0, userId: 7 };
const user = { quota: 40_000_000, used: 9_000_000, requests: 321, accessToken: TOKEN };

async function gateway(state: Parameters<typeof startNewApiFake>[0] extends infer O ? (O extends { state?: infer S } ? S : never) : never): Promise<NewApiFake> {
  const f = await startNewApiFake({ state: { keys: { [KEY]: { ...baseKey } }, users: { 7: { ...user } }, ...state } });
  fakes.push(f);
  return f;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spendbar-cli-modes-'));
  const cny = await gateway({ displayType: 'CNY', usdExchangeRate: 7 });
  cny.spend(KEY, 500_000, { model: 'gpt-4o', prompt: 1000, completion: 100, cached: 400, at: hourAgo + 60_000 });
  cny.spend(KEY, 250_000, { model: 'claude-sonnet-4', prompt: 500, completion: 50, at: hourAgo + 120_000 });
  const tokens = await gateway({ displayType: 'TOKENS', keys: { [KEY]: { ...baseKey, granted: 150_000_000, used: 5_000_000 } } });
  const custom = await gateway({ displayType: 'CUSTOM', customSymbol: '€', customRate: 0.9 });
  const perUser = await gateway({ newApi: false, version: 'v0.6.10', stats: 'user', users: { 7: { ...user, quota: 7_654_322, used: 2_345_678 } } });
  const unlimited = await gateway({ selfAuth: 'new-api-user', keys: { [KEY]: { ...baseKey, unlimited: true } } });
  const usedUp = await gateway({ newApi: false, version: 'v0.6.10', keys: { [KEY]: { ...baseKey, used: baseKey.granted } } });

  const k = (over: Partial<OpenRouterFakeKey>): OpenRouterFakeKey => ({
    label: 'x', limit: null, limitReset: null, usage: 0, usageDaily: 0, usageWeekly: 0, usageMonthly: 0, isManagementKey: false, isFreeTier: false, expiresAt: null, ...over,
  });
  const router: OpenRouterFake = await startOpenRouterFake({
    state: {
      keys: {
        'sk-or-v1-cli-modes-mgmt': k({ isManagementKey: true }),
        'sk-or-v1-cli-modes-app': k({ name: 'App', limit: 50, limitReset: 'monthly', usage: 30, usageDaily: 1, usageWeekly: 4, usageMonthly: 12 }),
        'sk-or-v1-cli-modes-lab': k({ name: 'Lab', workspace: 'ws-lab', usage: 5, usageDaily: 0.5, usageWeekly: 1, usageMonthly: 2 }),
      },
      workspaces: [{ id: 'ws-default-0000', name: 'Default', slug: 'default' }, { id: 'ws-lab', name: 'Lab', slug: 'lab' }],
      totalCredits: 100,
      totalUsage: 36,
      activity: [],
    },
  });
  fakes.push(router);

  const china: SurferCloudFake = await startSurferCloudFake({ state: { usage: [], grid: 'china-day' } });
  const chinaDay = Math.floor((Date.now() + 8 * HOUR) / 86_400_000) * 86_400_000 - 8 * HOUR;
  china.record(chinaDay + HOUR, 'deepseek-ai/DeepSeek-V3', { in: 1000, out: 100, requests: 4 });
  china.record(chinaDay - 2 * HOUR, 'deepseek-ai/DeepSeek-V3', { in: 50, out: 5, requests: 1 });
  const logs: SurferCloudFake = await startSurferCloudFake({ state: { usage: [], tokenUsageRemoved: true } });
  logs.record(hourAgo, 'Qwen/Qwen3-32B', { in: 700, out: 70, requests: 7, cached: 100 });
  const deepseek: DeepSeekFake = await startDeepSeekFake({
    state: { keys: { 'sk-cli-modes-ds': { isAvailable: true, balances: [{ currency: 'CNY', total: 0, granted: 10, toppedUp: 20, omit: ['total_balance'] }, { currency: 'USD', total: 1, granted: 0, toppedUp: 1, omit: ['currency'] }] } } },
  });
  fakes.push(china, logs, deepseek);

  const gw = (id: string, f: NewApiFake, extra: Record<string, unknown> = {}) => ({ id, provider: 'newapi', label: id, baseUrl: f.url, apiKey: KEY, ...extra });
  const sc = { provider: 'surfercloud', publicKey: DEMO_SURFER_PUBLIC_KEY, privateKey: DEMO_SURFER_PRIVATE_KEY, keyId: DEMO_SURFER_KEY_ID };
  const config = {
    accounts: [
      gw('gw-cny', cny),
      gw('gw-tokens', tokens),
      gw('gw-custom', custom),
      gw('gw-per-user', perUser, { accessToken: TOKEN }),
      gw('gw-unlimited', unlimited, { accessToken: TOKEN, userId: '7' }),
      gw('gw-used-up', usedUp),
      { id: 'or-mgmt', provider: 'openrouter', label: 'Router', baseUrl: router.url, apiKey: 'sk-or-v1-cli-modes-mgmt' },
      { ...sc, id: 'sc-china', label: 'Surfer', baseUrl: china.url },
      { ...sc, id: 'sc-logs', label: 'Surfer logs', baseUrl: logs.url, region: 'cn-wlcb', zone: 'cn-wlcb-01' },
      { id: 'ds', provider: 'deepseek', label: 'DeepSeek', baseUrl: deepseek.url, apiKey: 'sk-cli-modes-ds' },
    ],
    preferences: { timeZone: 'UTC' },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  chmodSync(join(dir, 'config.json'), 0o600);
  const r = await run(['poll', '--once', '--json', '--config', join(dir, 'config.json'), '--data-dir', join(dir, 'data')]);
  // Only the start-up notice about desktop popups (this machine may have no notification daemon) may be there.
  expect(r.stderr.replace(/^spendbar: warning: (No notification daemon is reachable|notify-send is not installed).*\n/gm, '')).toBe('');
  expect(r.code).toBe(0);
  stdout = r.stdout;
  by = Object.fromEntries((JSON.parse(r.stdout) as Out[]).map((o) => [o.accountId, o]));
}, 60_000);

afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

const money = (amount: number, currency = 'USD') => ({ amount, currency });
const acct = (id: string): Out => by[id] ?? {};

describe('spendbar poll --once --json: gateways in every display mode', () => {
  it('CNY display: CNY at the gateway rate, estimated; per-model hourly usage and spend windows from the request log', () => {
    // 10,000,000 − 3,095,678 quota left at 500,000 per $1 × 7 CNY per USD.
    expect(acct('gw-cny')).toMatchObject({ ok: true, balance: money(96.660508, 'CNY'), estimated: true });
    expect(acct('gw-cny').usage).toEqual([
      { model: 'claude-sonnet-4', key: 'main', start: new Date(hourAgo).toISOString(), end: new Date(hourAgo + HOUR).toISOString(), requests: 1, inputTokens: 500, outputTokens: 50, cachedTokens: 0, reasoningTokens: 0, cost: money(3.5, 'CNY') },
      { model: 'gpt-4o', key: 'main', start: new Date(hourAgo).toISOString(), end: new Date(hourAgo + HOUR).toISOString(), requests: 1, inputTokens: 1000, outputTokens: 100, cachedTokens: 400, reasoningTokens: 0, cost: money(7, 'CNY') },
    ]);
    // Windows in the configured zone (UTC), summed from the log: 10.5 CNY in each window that holds the hour.
    const at = new Date(hourAgo);
    const inToday = at.toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10);
    const inMonth = at.toISOString().slice(0, 7) === new Date().toISOString().slice(0, 7);
    expect(acct('gw-cny').spent.today).toEqual(money(inToday ? 10.5 : 0, 'CNY'));
    expect(acct('gw-cny').spent.month).toEqual(money(inMonth ? 10.5 : 0, 'CNY'));
    expect(acct('gw-cny').spent.total).toEqual(money(43.339492, 'CNY'));
  });

  it('TOKENS display: raw quota converted at quota_per_unit, never "unlimited" however large', () => {
    expect(acct('gw-tokens').balance).toEqual(money(290));
    expect(acct('gw-tokens').quota).toMatchObject({ limit: 300, remaining: 290, unit: 'USD' });
  });

  it('CUSTOM display: dollars, with what the gateway shows in its own currency', () => {
    expect(acct('gw-custom').balance).toEqual(money(15.308644));
    expect(acct('gw-custom').notes.join(' ')).toContain('€13.78');
  });

  it('One-API per-user stats with the access token: the wallet, exact', () => {
    expect(acct('gw-per-user')).toMatchObject({ ok: true, balance: money(15.308644), estimated: false });
    expect(acct('gw-per-user').quota).toMatchObject({ limit: 20, used: 4.691356, remaining: 15.308644 });
  });

  it('an unlimited key with the access token and user id: the wallet is the balance', () => {
    expect(acct('gw-unlimited').balance).toEqual(money(80));
    expect(acct('gw-unlimited').quota).toMatchObject({ limit: null, remaining: null });
    expect(acct('gw-unlimited').notes.join(' ')).toContain('321 requests');
  });

  it('a used-up key: its own state (zero, cannot pay), not a failed poll', () => {
    expect(acct('gw-used-up')).toMatchObject({ ok: true, error: null, balance: money(0), available: false });
    expect(acct('gw-used-up').notes.join(' ')).toContain('used up');
  });
});

describe('spendbar poll --once --json: routers, SurferCloud and DeepSeek', () => {
  it('an OpenRouter management key: windows summed over every workspace, each key named with its cap', () => {
    const or = acct('or-mgmt');
    expect(or.balance).toEqual(money(64));
    expect(or.spent).toEqual({ today: money(1.5), week: money(5), month: money(14), total: money(36) });
    expect(or.keys.map((k: Out) => [k.name, k.workspace, k.limit, k.remaining])).toEqual([
      ['App', 'Default', money(50), money(38)],
      ['Lab', 'Lab', null, null],
    ]);
    expect(or.notes.join(' ')).toContain('no per-model breakdown until after 00:00 UTC');
  });

  it('SurferCloud China-time days: kept at 16:00 UTC, whole', () => {
    const day = acct('sc-china').usage.find((u: Out) => u.requests === 4);
    expect(day).toMatchObject({ model: 'deepseek-ai/DeepSeek-V3', inputTokens: 1000, outputTokens: 100, cost: null });
    expect(new Date(day.start).getUTCHours()).toBe(16);
    expect(Date.parse(day.end) - Date.parse(day.start)).toBe(24 * HOUR);
  });

  it('SurferCloud without the token-usage action: hourly usage from the request logs', () => {
    expect(acct('sc-logs').usage).toEqual([
      { model: 'Qwen/Qwen3-32B', key: DEMO_SURFER_KEY_ID, start: new Date(hourAgo).toISOString(), end: new Date(hourAgo + HOUR).toISOString(), requests: 7, inputTokens: 700, outputTokens: 70, cachedTokens: 100, reasoningTokens: 0, cost: null },
    ]);
  });

  it('DeepSeek entries with missing fields: the usable ones, with a note', () => {
    expect(acct('ds').balances).toEqual([money(30, 'CNY')]);
    expect(acct('ds').notes.join(' ')).toContain('without a currency');
  });

  it('never prints a key or token', () => {
    for (const secret of [KEY, KEY.slice(3), TOKEN, DEMO_SURFER_PRIVATE_KEY, 'sk-or-v1-cli-modes-app']) expect(stdout).not.toContain(secret);
  });
});
