// `spendbar poll --once --json` against the loopback fakes of the admin-API, balance, proxy and custom providers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startOpenAiFake, type OpenAiFake } from '../../electron/core/providers/fakes/openai.ts';
import { startAnthropicFake, type AnthropicFake } from '../../electron/core/providers/fakes/anthropic.ts';
import { startXaiFake, type XaiFake } from '../../electron/core/providers/fakes/xai.ts';
import { startMoonshotFake, type MoonshotFake } from '../../electron/core/providers/fakes/moonshot.ts';
import { startSiliconFlowFake, type SiliconFlowFake } from '../../electron/core/providers/fakes/siliconflow.ts';
import { startLiteLlmFake, type LiteLlmFake } from '../../electron/core/providers/fakes/litellm.ts';
import { DEMO_BALANCE_KEY, startCustomFake, type CustomFake } from '../../electron/core/providers/fakes/custom.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';

const BIN = resolve(import.meta.dirname, '../../bin/spendbar.js');
const HOUR = 3_600_000;
const DAY = 86_400_000;

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, SPENDBAR_DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const OA = 'sk-admin-cli-test-00000000001';
const AN = 'sk-ant-admin01-cli-test-00001';
const XAI = 'xai-mgmt-cli-test-0000000001';
const MS = 'sk-cli-moonshot-000000000001';
const SF = 'sk-cli-siliconflow-0000000001';
const LL = 'sk-cli-litellm-00000000000001';

const now = Date.now();
const today = Math.floor(now / DAY) * DAY;
// Two hours ago, but never before today's midnight, so "today" holds it whatever the hour.
const earlier = Math.max(today, Math.floor(now / HOUR) * HOUR - 2 * HOUR);
const todayDate = new Date(today).toISOString().slice(0, 10);

let oa: OpenAiFake;
let an: AnthropicFake;
let xai: XaiFake;
let ms: MoonshotFake;
let sf: SiliconFlowFake;
let ll: LiteLlmFake;
let cu: CustomFake;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spendbar-cli-providers-'));
  [oa, an, xai, ms, sf, ll, cu] = await Promise.all([
    startOpenAiFake({
      state: {
        adminKeys: [OA], projectKeys: [], projects: [{ id: 'proj_1', name: 'Main' }], keys: [{ id: 'key_1', name: 'ci' }].map((k) => ({ ...k, projectId: 'proj_1' })),
        prices: { 'gpt-4o': { input: 2.5, cached: 1.25, output: 10 } },
        usage: [{ time: earlier + 60_000, model: 'gpt-4o', projectId: 'proj_1', keyId: 'key_1', requests: 4, input: 10_000, cached: 4_000, output: 1_000 }],
        costs: [], paging: {}, namesFail: null,
      },
    }),
    startAnthropicFake({
      state: {
        adminKeys: [AN], apiKeys: [], workspaceKeys: [], normalKeyStatus: 401, keys: [{ id: 'apikey_1', name: 'bot', workspaceId: null }], workspaces: [],
        prices: { 'claude-sonnet-4': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3, label: 'Claude Sonnet 4' } }, webSearchPrice: 0.01,
        usage: [{ time: earlier + 60_000, model: 'claude-sonnet-4', apiKeyId: 'apikey_1', workspaceId: null, uncached: 1000, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 2000, output: 100, webSearches: 0 }],
        paging: {}, namesFail: null,
      },
    }),
    startXaiFake({ state: { keys: { [XAI]: 't-cli' }, inferenceKeys: [], teams: { 't-cli': { ledgerCents: -5000, postpaid: null, daily: { [todayDate]: 0.75 } } }, validation: true, usageForbidden: false, limitReached: false } }),
    startMoonshotFake({ keys: { [MS]: { voucher: 10, cash: -2.5 } } }),
    startSiliconFlowFake({ state: { keys: { [SF]: { granted: 0.88, paid: 88 } }, retired: false } }),
    startLiteLlmFake({
      state: {
        masterKey: 'sk-unused-master-000000', keys: { [LL]: { alias: 'cli', spend: 20, maxBudget: 50, budgetDuration: '30d', budgetResetAt: null, expires: null, userId: 'u1', teamId: null } },
        teams: {}, users: {}, activity: [{ date: todayDate, model: 'gpt-4o', userId: 'u1', spend: 1.5, prompt: 900, completion: 100, cacheRead: 0, requests: 3 }], noActivity: false, noDatabase: false,
      },
    }),
    startCustomFake({ state: { balance: '123.45' } }),
  ]);
  const accounts = [
    { id: 'oa', provider: 'openai', label: 'OpenAI', baseUrl: oa.url, apiKey: OA },
    { id: 'an', provider: 'anthropic', label: 'Anthropic', baseUrl: an.url, apiKeyEnv: 'CLI_ANTHROPIC_KEY' },
    { id: 'xai', provider: 'xai', label: 'xAI', baseUrl: xai.url, apiKey: XAI },
    { id: 'ms', provider: 'moonshot', label: 'Moonshot', baseUrl: ms.url, apiKey: MS, currency: 'CNY' },
    { id: 'sf', provider: 'siliconflow', label: 'SiliconFlow', baseUrl: sf.url, apiKey: SF, currency: 'CNY' },
    { id: 'll', provider: 'litellm', label: 'LiteLLM', baseUrl: ll.url, apiKey: LL },
    {
      id: 'cu', provider: 'custom', label: 'Wallet', baseUrl: cu.url, apiKeyEnv: 'CLI_CUSTOM_KEY',
      request: { method: 'GET', path: '/api/v2/account', headers: { 'X-Api-Key': '{apiKey}' } },
      figures: { balance: 'account.wallet.amount', currency: '/account/wallet/currency', errorWhen: 'ok == `false` && error' },
    },
    { id: 'cu-bad', provider: 'custom', label: 'Wrong path', baseUrl: cu.url, apiKeyEnv: 'CLI_CUSTOM_KEY', request: { path: '/api/v2/account', headers: { 'X-Api-Key': '{apiKey}' } }, figures: { balance: '/account/purse', currency: 'CNY' } },
    { id: 'cu-leak', provider: 'custom', label: 'Leaky header', baseUrl: cu.url, request: { path: '/x', headers: { Authorization: 'Bearer sk-written-out-0000000001' } }, figures: { balance: '/a', currency: 'USD' } },
  ];
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ accounts }));
  chmodSync(join(dir, 'config.json'), 0o600);
});

afterAll(async () => {
  await Promise.all([oa, an, xai, ms, sf, ll, cu].map((f) => f?.close()));
});

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('spendbar poll --once --json, new providers', () => {
  it('prints normalised figures for each, reports bad accounts alone, and never prints a key', async () => {
    const data = join(dir, 'data');
    const r = await run(['poll', '--once', '--json', '--config', join(dir, 'config.json'), '--data-dir', data], { CLI_ANTHROPIC_KEY: AN, CLI_CUSTOM_KEY: DEMO_BALANCE_KEY });
    expect(r.code).toBe(2);
    const by = Object.fromEntries((JSON.parse(r.stdout) as Out[]).map((o) => [o.accountId, o]));

    // OpenAI: float dollars per line item; cached input inside input, never added on top.
    // 6,000 uncached × $2.5/M + 4,000 cached × $1.25/M + 1,000 out × $10/M = $0.03.
    expect(by.oa).toMatchObject({ ok: true, provider: 'openai', estimated: false });
    expect(by.oa.spent.today).toEqual({ amount: 0.03, currency: 'USD' });
    const oaHour = by.oa.usage.filter((u: Out) => u.requests > 0);
    expect(oaHour).toEqual([expect.objectContaining({ model: 'gpt-4o', key: 'ci · Main', requests: 4, inputTokens: 10_000, cachedTokens: 4_000, outputTokens: 1_000, cost: null })]);
    expect(by.oa.usage.find((u: Out) => u.cost)).toMatchObject({ model: 'gpt-4o', key: 'ci · Main', cost: { amount: 0.03, currency: 'USD' } });

    // Anthropic: cents → dollars; input = uncached + cache reads. 1000×$3 + 2000×$0.30 + 100×$15 per M = $0.0051.
    expect(by.an.spent.today).toEqual({ amount: 0.0051, currency: 'USD' });
    expect(by.an.usage.find((u: Out) => u.inputTokens > 0)).toMatchObject({ model: 'claude-sonnet-4', key: 'bot · Default workspace', inputTokens: 3000, cachedTokens: 2000 });

    // xAI: −(−5000) cents = $50 posted, less $0.75 this month.
    expect(by.xai).toMatchObject({ ok: true, balance: { amount: 49.25, currency: 'USD' }, estimated: true });
    expect(by.xai.spent.today).toEqual({ amount: 0.75, currency: 'USD' });

    // Moonshot: a cash debt leaves only the vouchers; CNY as configured.
    expect(by.ms.balance).toEqual({ amount: 10, currency: 'CNY' });
    expect(by.sf.balance).toEqual({ amount: 88.88, currency: 'CNY' });

    // LiteLLM: remaining budget as the balance, the budget as the quota, daily spend per model.
    expect(by.ll.balance).toEqual({ amount: 30, currency: 'USD' });
    expect(by.ll.quota).toMatchObject({ limit: 50, used: 20, remaining: 30, unit: 'USD', resets: 'monthly' });
    expect(by.ll.usage).toEqual([expect.objectContaining({ model: 'gpt-4o', requests: 3, inputTokens: 900, cost: { amount: 1.5, currency: 'USD' } })]);

    // custom, from the config file's request and figures objects.
    expect(by.cu).toMatchObject({ ok: true, balance: { amount: 123.45, currency: 'CNY' } });
    expect(by['cu-bad']).toMatchObject({ ok: false, errorKind: 'bad-response' });
    expect(by['cu-bad'].error).toMatch(/figures\.balance \("\/account\/purse"\) matches nothing/);
    expect(by['cu-leak']).toMatchObject({ ok: false, errorKind: 'config' });
    expect(by['cu-leak'].error).toMatch(/\{apiKey\}/);

    for (const secret of [OA, AN, XAI, MS, SF, LL, DEMO_BALANCE_KEY, 'sk-written-out-0000000001']) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }

    // A second poll revises the same buckets: the stored totals do not grow.
    const again = await run(['poll', '--once', '--json', '--config', join(dir, 'config.json'), '--data-dir', data], { CLI_ANTHROPIC_KEY: AN, CLI_CUSTOM_KEY: DEMO_BALANCE_KEY });
    expect(again.code).toBe(2);
    const store = SnapshotStore.open(join(data, 'spendbar.db'));
    try {
      // Tokens (hourly, no cost) and cost (daily, no tokens) come back as two rows: summed, each counted once.
      const rows = store.totals({ groupBy: 'account', from: today - DAY, to: today + DAY, accountIds: ['oa'] });
      const sum = (k: 'requests' | 'inputTokens' | 'cachedTokens') => rows.reduce((s, row) => s + row[k], 0);
      expect([sum('requests'), sum('inputTokens'), sum('cachedTokens')]).toEqual([4, 10_000, 4_000]);
      expect(rows.find((row) => row.currency === 'USD')?.costMicros).toBe(30_000);
    } finally {
      store.close();
    }
  });
});
