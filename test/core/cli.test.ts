// Runs the real `spendbar` command against the loopback fakes, as a user would from a shell.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startNewApiFake, type NewApiFake } from '../../electron/core/providers/fakes/newapi.ts';
import { startOpenRouterFake, type OpenRouterFake } from '../../electron/core/providers/fakes/openrouter.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';
import { startSurferCloudFake, type SurferCloudFake } from '../../electron/core/providers/fakes/surfercloud.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';
import { leakedFragment } from './leak-helpers.ts';

const BIN = resolve(import.meta.dirname, '../../bin/spendbar.js');
const DAY = 86_400_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, SPENDBAR_DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const GW_KEY = 'sk-cli-test-gateway-key-0001';
const OR_KEY = 'sk-or-v1-cli-test-management';
const DS_KEY = 'sk-cli-test-deepseek-0001';
const SC_PUB = 'cli-test-public-key';
const SC_PRIV = 'cli-test-private-key-0000';

let gw: NewApiFake;
let or: OpenRouterFake;
let ds: DeepSeekFake;
let sc: SurferCloudFake;
let dir: string;
const now = Date.now();
const today = new Date(now).toISOString().slice(0, 10);
const yesterday = new Date(now - DAY).toISOString().slice(0, 10);
const yesterdayStart = Date.parse(`${yesterday}T00:00:00Z`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spendbar-cli-'));
  gw = await startNewApiFake({
    state: { keys: { [GW_KEY]: { name: 'ci', granted: 10_000_000, used: 2_500_000, unlimited: false, expiresAt: 0 } } },
  });
  or = await startOpenRouterFake({
    state: {
      keys: {
        [OR_KEY]: { label: 'ci', limit: null, limitReset: null, usage: 0, usageDaily: 0, usageWeekly: 0, usageMonthly: 0, isManagementKey: true, isFreeTier: false, expiresAt: null },
        'sk-or-v1-cli-test-app-key': { label: 'ci', name: 'CI app', limit: 100, limitReset: 'monthly', usage: 25.5, usageDaily: 1.25, usageWeekly: 8.5, usageMonthly: 25.5, isManagementKey: false, isFreeTier: false, expiresAt: null },
      },
      totalCredits: 100.5,
      totalUsage: 25.75,
      activity: [
        { date: yesterday, model: 'openai/gpt-4.1', endpoint_id: 'e1', provider_name: 'OpenAI', usage: 0.015, requests: 5, prompt_tokens: 50, completion_tokens: 125, reasoning_tokens: 25 },
        { date: yesterday, model: 'openai/gpt-4.1', endpoint_id: 'e2', provider_name: 'Azure', usage: 0.005, requests: 2, prompt_tokens: 20, completion_tokens: 30, reasoning_tokens: 0 },
      ],
    },
  });
  ds = await startDeepSeekFake({
    state: { keys: { [DS_KEY]: { isAvailable: true, balances: [{ currency: 'CNY', total: 110, granted: 10, toppedUp: 100 }, { currency: 'USD', total: 5.5, granted: 0, toppedUp: 5.5 }] } } },
  });
  sc = await startSurferCloudFake({ state: { pairs: { [SC_PUB]: SC_PRIV }, usage: [], maxWindowS: 10 * 86_400 } });
  sc.record(yesterdayStart + 3_600_000, 'deepseek-ai/DeepSeek-V3', { in: 12_000, out: 3_230, requests: 42 }, 'uk-ci');
  sc.record(yesterdayStart + 5 * 3_600_000, 'deepseek-ai/DeepSeek-V3', { in: 1_000, out: 70, requests: 3 }, 'uk-ci');

  const config = {
    accounts: [
      { id: 'gw', provider: 'newapi', label: 'Gateway', baseUrl: gw.url, apiKeyEnv: 'CLI_TEST_GW_KEY' },
      { id: 'or', provider: 'openrouter', label: 'OpenRouter', baseUrl: or.url, apiKey: OR_KEY },
      { id: 'ds', provider: 'deepseek', label: 'DeepSeek', baseUrl: ds.url, apiKey: DS_KEY },
      { id: 'sc', provider: 'surfercloud', label: 'Surfer', baseUrl: sc.url, publicKey: SC_PUB, privateKey: SC_PRIV, keyId: 'uk-ci', models: ['deepseek-ai/DeepSeek-V3'] },
    ],
  };
  writeFileSync(join(dir, 'good.json'), JSON.stringify(config));
  chmodSync(join(dir, 'good.json'), 0o600);
  const bad = {
    accounts: [
      ...config.accounts,
      { id: 'wrong-key', provider: 'openrouter', label: 'Wrong key', baseUrl: or.url, apiKey: 'sk-or-v1-this-key-is-wrong-1234' },
      { id: 'mystery', provider: 'mystery-ai', label: 'Unknown', apiKey: 'x' },
    ],
  };
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
  chmodSync(join(dir, 'bad.json'), 0o600);
});

afterAll(async () => {
  await Promise.all([gw?.close(), or?.close(), ds?.close(), sc?.close()]);
});

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const POPUP_NOTICE = /^spendbar: warning: (No notification daemon is reachable|notify-send is not installed).*\n/gm;

describe('spendbar poll --once --json', () => {
  it('prints normalised figures from every provider and exits 0', async () => {
    const data = join(dir, 'data-good');
    const r = await run(['poll', '--once', '--json', '--config', join(dir, 'good.json'), '--data-dir', data], { CLI_TEST_GW_KEY: GW_KEY });
    // Only the start-up notice about desktop popups (this machine may have no notification daemon) may be there.
    expect(r.stderr.replace(POPUP_NOTICE, '')).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Out[];
    const by = Object.fromEntries(out.map((o) => [o.accountId, o]));
    expect(Object.keys(by).sort()).toEqual(['ds', 'gw', 'or', 'sc']);

    // newapi: 10,000,000 granted − 2,500,000 used raw quota at 500,000 per $1.
    expect(by.gw).toMatchObject({ provider: 'newapi', ok: true, error: null, balance: { amount: 15, currency: 'USD' } });
    expect(by.gw.spent.total).toEqual({ amount: 5, currency: 'USD' });
    expect(by.gw.quota).toMatchObject({ limit: 20, used: 5, remaining: 15, unit: 'USD' });

    // openrouter (management key): credits − usage; windows summed over the account's keys (/keys), each key with its
    // name and cap; lifetime spend from /credits; the two endpoints of one model and day summed into one bucket.
    expect(by.or.balance).toEqual({ amount: 74.75, currency: 'USD' });
    expect(by.or.spent).toEqual({
      today: { amount: 1.25, currency: 'USD' },
      week: { amount: 8.5, currency: 'USD' },
      month: { amount: 25.5, currency: 'USD' },
      total: { amount: 25.75, currency: 'USD' },
    });
    expect(by.or.quota).toBeNull();
    expect(by.or.keys).toEqual([
      {
        name: 'CI app', workspace: 'Default',
        spent: { today: { amount: 1.25, currency: 'USD' }, week: { amount: 8.5, currency: 'USD' }, month: { amount: 25.5, currency: 'USD' }, total: { amount: 25.5, currency: 'USD' } },
        limit: { amount: 100, currency: 'USD' }, remaining: { amount: 74.5, currency: 'USD' }, resets: 'monthly', expiresAt: null,
      },
    ]);
    const orUsage = by.or.usage.filter((u: Out) => u.start.startsWith(yesterday));
    expect(orUsage).toHaveLength(1);
    expect(orUsage[0]).toMatchObject({ model: 'openai/gpt-4.1', requests: 7, inputTokens: 70, outputTokens: 155, reasoningTokens: 25, cost: { amount: 0.02, currency: 'USD' } });

    // deepseek: one balance per currency, never added together.
    expect(by.ds.balance).toEqual({ amount: 110, currency: 'CNY' });
    expect(by.ds.balances).toEqual([{ amount: 110, currency: 'CNY' }, { amount: 5.5, currency: 'USD' }]);

    // surfercloud: hourly usages summed into one daily bucket per model and key; tokens only.
    const scDay = by.sc.usage.filter((u: Out) => u.start.startsWith(yesterday));
    expect(scDay).toEqual([
      { model: 'deepseek-ai/DeepSeek-V3', key: 'uk-ci', start: `${yesterday}T00:00:00.000Z`, end: `${today}T00:00:00.000Z`, requests: 45, inputTokens: 13_000, outputTokens: 3_300, cachedTokens: 0, reasoningTokens: 0, cost: null },
    ]);
    expect(by.sc.balance).toBeNull();

    // Snapshots were stored.
    expect(existsSync(join(data, 'spendbar.db'))).toBe(true);
  });

  it('re-polling revised buckets never double counts', async () => {
    const data = join(dir, 'data-repoll');
    const args = ['poll', '--once', '--ndjson', '--config', join(dir, 'good.json'), '--data-dir', data];
    const first = await run(args, { CLI_TEST_GW_KEY: GW_KEY });
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(4);
    sc.record(yesterdayStart + 7 * 3_600_000, 'deepseek-ai/DeepSeek-V3', { in: 500, out: 50, requests: 1 }, 'uk-ci');
    const second = await run(args, { CLI_TEST_GW_KEY: GW_KEY });
    expect(second.code).toBe(0);
    const store = SnapshotStore.open(join(data, 'spendbar.db'));
    try {
      const totals = store.totals({ groupBy: 'account', from: yesterdayStart, to: yesterdayStart + DAY, accountIds: ['sc'] });
      expect(totals).toHaveLength(1);
      expect(totals[0]).toMatchObject({ group: 'sc', requests: 46, inputTokens: 13_500, outputTokens: 3_350 });
    } finally {
      store.close();
    }
  });

  it('reports each bad account alone, keeps the others, exits 2 and never prints a key', async () => {
    const r = await run(['poll', '--once', '--json', '--config', join(dir, 'bad.json'), '--data-dir', join(dir, 'data-bad')], {});
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as Out[];
    const by = Object.fromEntries(out.map((o) => [o.accountId, o]));
    expect(by.or.ok).toBe(true);
    expect(by.ds.ok).toBe(true);
    expect(by.gw.ok).toBe(false);
    expect(by.gw.error).toMatch(/CLI_TEST_GW_KEY/);
    expect(by['wrong-key'].ok).toBe(false);
    expect(by['wrong-key'].error).toMatch(/401/);
    expect(by.mystery.ok).toBe(false);
    expect(by.mystery.error).toMatch(/mystery-ai/);
    for (const secret of ['sk-or-v1-this-key-is-wrong-1234', OR_KEY, DS_KEY, SC_PRIV]) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }
  });

  it('never prints a key the provider echoed, in any case or clipped', async () => {
    const file = join(dir, 'echo.json');
    writeFileSync(file, JSON.stringify({ accounts: [{ id: 'ds', provider: 'deepseek', label: 'DeepSeek', baseUrl: ds.url, apiKey: DS_KEY }] }));
    chmodSync(file, 0o600);
    ds.fail({ path: '/user/balance', times: 1, response: { status: 503, body: { error: { message: `${'x'.repeat(180)}${DS_KEY.slice(3).toUpperCase()}` } } } });
    const r = await run(['poll', '--once', '--json', '--config', file, '--data-dir', join(dir, 'data-echo')]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)[0].error).toMatch(/server error \(503\)/);
    expect(leakedFragment(r.stdout + r.stderr, DS_KEY)).toBeNull();
  });

  it('says at start when no notification daemon is reachable for popups', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'notify-send'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'notify-send'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: join(dir, 'no-runtime') };
    const r = await run(['poll', '--once', '--config', join(dir, 'good.json'), '--data-dir', join(dir, 'data-popup')], { ...env, CLI_TEST_GW_KEY: GW_KEY });
    expect(r.stderr).toMatch(/warning: No notification daemon is reachable: there is no D-Bus session bus/);
    expect(r.stderr).toMatch(/webhook/);
  });

  it('explains a missing config file and exits 1', async () => {
    const r = await run(['poll', '--once', '--json', '--config', join(dir, 'nope.json'), '--data-dir', join(dir, 'data-none')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.json/);
    expect(r.stdout).toBe('');
  });

  it('rejects unknown flags with a pointer to --help', async () => {
    const r = await run(['poll', '--once', '--jsn']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--help/);
  });
});
