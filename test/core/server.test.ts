// The headless server end to end: a real core polling real loopback fakes, spoken to over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { createCore, type EngineCore } from '../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startOpenRouterFake, type OpenRouterFake } from '../../electron/core/providers/fakes/openrouter.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';
import type { SpendbarEvent } from '../../shared/api.ts';

const OR_KEY = 'sk-or-v1-server-test-management-key';
const DS_KEY = 'sk-server-test-deepseek-key-0001';
const DAY = 86_400_000;
/** Event-stream clients that went away, as the server told the core (its idle trim). */
let bursts = 0;

let or: OpenRouterFake;
let ds: DeepSeekFake;
let core: EngineCore;
let server: RunningServer;
const settings = createMemorySettingsStore();
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    // Every state-changing request carries the JSON content type, body or not (same-origin rule).
    headers: body === undefined && method === 'GET' ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as any) : undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  return { status: res.status, text, json };
}

beforeAll(async () => {
  or = await startOpenRouterFake({
    state: {
      keys: {
        [OR_KEY]: { label: 'srv', limit: null, limitReset: null, usage: 0, usageDaily: 0, usageWeekly: 0, usageMonthly: 0, isManagementKey: true, isFreeTier: false, expiresAt: null },
        // The management key reads the account; this API key spends.
        'sk-or-v1-srv-app-key-0001': { label: 'app', name: 'App', limit: null, limitReset: null, usage: 12.5, usageDaily: 0.5, usageWeekly: 3, usageMonthly: 12.5, isManagementKey: false, isFreeTier: false, expiresAt: null },
      },
      totalCredits: 50,
      totalUsage: 12.5,
      activity: [
        { date: yesterday, model: 'openai/gpt-4.1', endpoint_id: 'e1', provider_name: 'OpenAI', usage: 1.5, requests: 10, prompt_tokens: 1000, completion_tokens: 500, reasoning_tokens: 0 },
        { date: yesterday, model: 'anthropic/claude-sonnet-4', endpoint_id: 'e2', provider_name: 'Anthropic', usage: 2.25, requests: 4, prompt_tokens: 4000, completion_tokens: 800, reasoning_tokens: 0 },
      ],
    },
  });
  ds = await startDeepSeekFake({ state: { keys: { [DS_KEY]: { isAvailable: true, balances: [{ currency: 'CNY', total: 88.8, granted: 0, toppedUp: 88.8 }] } } } });
  const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-server-'));
  core = await createCore({
    dataDir,
    mode: 'serve',
    settings,
    secrets: createMemorySecretStore(),
    configAccounts: [
      {
        account: { id: 'router', provider: 'openrouter', label: 'Router', baseUrl: or.url, pollIntervalSec: 300, source: 'config', credentials: { apiKey: { set: true, masked: 'sk-or-v1-…-key', from: 'inline' } } },
        credentials: { apiKey: OR_KEY },
      },
    ],
    version: 'test',
  });
  server = await startServer({ api: core.api, port: 0, redactor: core.redactor, metricsTotals: core.metricsTotals, afterBurst: () => bursts++ });
  await core.pollAll();
});

afterAll(async () => {
  await server?.close();
  await core?.stop();
  await Promise.all([or?.close(), ds?.close()]);
});

describe('spendbar serve API: ids, budgets and the month', () => {
  it('refuses a new account id that is a word of the API, and still removes an old account called "test"', async () => {
    const input = { provider: 'deepseek', label: 'Test', id: 'test', baseUrl: ds.url, credentials: { apiKey: DS_KEY } };
    const refused = await api('POST', '/api/accounts', { input });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ field: 'id', message: expect.stringMatching(/^Account id 'test' is reserved/) });
    // A bad field is named in the form's words, with the path only as `field`.
    const slow = await api('POST', '/api/accounts', { input: { ...input, id: undefined, pollIntervalSec: 30 } });
    expect(slow.json.error).toEqual({ message: 'Poll interval must be at least 60 seconds', field: 'pollIntervalSec' });
    // Named from its label, a new account never lands on "test" either.
    const named = await api('POST', '/api/accounts', { input: { ...input, id: undefined } });
    expect(named.status).toBe(200);
    expect(named.json.account.id).toBe('test-2');
    await api('DELETE', '/api/accounts/test-2');
    // An account saved as "test" before ids were reserved is edited and removed at its own address.
    settings.set({ ...settings.get(), accounts: [...settings.get().accounts, { id: 'test', provider: 'deepseek', label: 'Old', baseUrl: ds.url, pollIntervalSec: 300 }] });
    expect((await api('DELETE', '/api/accounts/test')).status).toBe(204);
    expect(settings.get().accounts.map((a) => a.id)).not.toContain('test');
    // The connection test still answers at POST /api/accounts/test.
    expect((await api('POST', '/api/accounts/test', { ...input, id: undefined })).json.ok).toBe(true);
  });

  it('serves this month and its forecast per currency, and keeps budgets to reported currencies', async () => {
    const spend = await api('GET', '/api/spend');
    expect(spend.status).toBe(200);
    const usd = spend.json.months.find((m: { currency: string }) => m.currency === 'USD');
    expect(usd.monthToDate).toEqual({ micros: 12_500_000, currency: 'USD' });
    expect(usd.forecast.micros).toBeGreaterThanOrEqual(12_500_000);
    const bad = await api('PUT', '/api/budgets', { budgets: [{ currency: 'XYZ', amount: 5 }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('No account reports XYZ: a budget can be set in USD.');
    const ok = await api('PUT', '/api/budgets', { budgets: [{ currency: 'USD', amount: 50 }] });
    expect(ok.status).toBe(200);
    expect(ok.json.months.find((m: { currency: string }) => m.currency === 'USD').budget).toEqual({ micros: 50_000_000, currency: 'USD' });
    expect(settings.get().budgets).toEqual([{ currency: 'USD', amount: 50 }]);
    expect((await api('PUT', '/api/budgets', { budgets: [{ currency: 'USD', amount: 0 }] })).json.budgets).toEqual([]);
  });
});

describe('spendbar serve API', () => {
  it('lists accounts and statuses without a secret anywhere', async () => {
    const accounts = await api('GET', '/api/accounts');
    expect(accounts.status).toBe(200);
    expect(accounts.json.map((a: { id: string }) => a.id)).toEqual(['router']);
    const status = await api('GET', '/api/status');
    expect(status.json[0].lastSuccess.balance).toEqual({ micros: 37_500_000, currency: 'USD' });
    for (const r of [accounts, status, await api('GET', '/api/info'), await api('GET', '/metrics')]) expect(r.text).not.toContain(OR_KEY);
  });

  it('answers series and totals queries from stored usage', async () => {
    const from = Date.parse(`${yesterday}T00:00:00Z`);
    const series = await api('POST', '/api/series', { metric: 'cost', bucket: 'day', groupBy: 'model', from, to: from + DAY, timeZone: 'UTC' });
    expect(series.status).toBe(200);
    const byModel = Object.fromEntries(series.json.series.map((s: { group: string; points: { v: number }[] }) => [s.group, s.points.map((p) => p.v)]));
    expect(byModel).toEqual({ 'openai/gpt-4.1': [1_500_000], 'anthropic/claude-sonnet-4': [2_250_000] });
    const totals = await api('POST', '/api/totals', { groupBy: 'account', from, to: from + DAY });
    expect(totals.json).toEqual([expect.objectContaining({ group: 'router', requests: 14, inputTokens: 5000, outputTokens: 1300, costMicros: 3_750_000, currency: 'USD' })]);
  });

  it('rejects a bad query with a clear 400', async () => {
    const r = await api('POST', '/api/series', { metric: 'dollars', bucket: 'day', groupBy: 'model', from: 2, to: 1 });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/metric/);
    const notJson = await fetch(server.url + '/api/refresh', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(notJson.status).toBe(415);
  });

  it('serves Prometheus metrics with the latest figures', async () => {
    const r = await api('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.text).toContain('spendbar_balance{account="router",provider="openrouter",currency="USD"} 37.5');
    expect(r.text).toContain('spendbar_spent{account="router",provider="openrouter",window="today",currency="USD"} 0.5');
    expect(r.text).toContain('spendbar_requests_total{account="router",provider="openrouter",model="anthropic/claude-sonnet-4"} 4');
    expect(r.text).toMatch(/spendbar_last_success_timestamp_seconds\{account="router",provider="openrouter"\} \d{10}/);
    expect(r.text).toContain('spendbar_up{account="router",provider="openrouter"} 1');
  });

  it('pushes a new snapshot over server-sent events', async () => {
    const events: SpendbarEvent[] = [];
    const got = new Promise<void>((resolve, reject) => {
      const req = request(server.url + '/api/events', (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        let buf = '';
        res.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (data) events.push(JSON.parse(data.slice(6)) as SpendbarEvent);
            if (events.some((e) => e.type === 'snapshot')) {
              req.destroy();
              resolve();
            }
          }
        });
      });
      req.on('error', (err) => (events.some((e) => e.type === 'snapshot') ? resolve() : reject(err)));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    or.spend(OR_KEY, 0.25, 'openai/gpt-4.1', { prompt: 10, completion: 10 });
    await api('POST', '/api/refresh', { accountId: 'router' });
    await got;
    const snap = events.find((e) => e.type === 'snapshot');
    expect(snap?.type === 'snapshot' && snap.snapshot.spent.today).toEqual({ micros: 750_000, currency: 'USD' });
    expect(JSON.stringify(events)).not.toContain(OR_KEY);
  });

  it('adding an account with a wrong key shows the provider error and saves nothing', async () => {
    const r = await api('POST', '/api/accounts', { input: { provider: 'deepseek', label: 'DS', baseUrl: ds.url, credentials: { apiKey: 'sk-wrong-key-for-deepseek-000' } } });
    expect(r.status).toBe(422);
    expect(r.json.error.message).toMatch(/401|rejected/i);
    expect(r.text).not.toContain('sk-wrong-key-for-deepseek-000');
    expect((await api('GET', '/api/accounts')).json).toHaveLength(1);
  });

  it('tells the core when an event-stream client goes away (what was queued for it can be given back)', async () => {
    const before = bursts;
    await new Promise<void>((resolve, reject) => {
      const req = request(server.url + '/api/events', (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
    for (let i = 0; i < 50 && bursts === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(bursts).toBe(before + 1);
  });

  it('adds, masks, edits and removes an account', async () => {
    const added = await api('POST', '/api/accounts', { input: { provider: 'deepseek', label: 'DeepSeek CN', baseUrl: ds.url, credentials: { apiKey: DS_KEY } } });
    expect(added.status).toBe(200);
    expect(added.json.account).toMatchObject({ id: 'deepseek-cn', provider: 'deepseek', credentials: { apiKey: { set: true, masked: 'sk-…0001' } } });
    expect(added.json.test.snapshot.balance).toEqual({ micros: 88_800_000, currency: 'CNY' });
    expect(added.text).not.toContain(DS_KEY);
    // Editing without a key keeps the stored one.
    const edited = await api('PUT', '/api/accounts/deepseek-cn', { input: { provider: 'deepseek', label: 'DeepSeek (renamed)', baseUrl: ds.url, pollIntervalSec: 600 } });
    expect(edited.status).toBe(200);
    expect(edited.json.account).toMatchObject({ label: 'DeepSeek (renamed)', pollIntervalSec: 600 });
    const tooFast = await api('PUT', '/api/accounts/deepseek-cn', { input: { provider: 'deepseek', label: 'x', pollIntervalSec: 5 } });
    expect(tooFast.status).toBe(400);
    expect(tooFast.json.error.message).toMatch(/60 seconds/);
    expect((await api('GET', '/api/accounts')).text).not.toContain(DS_KEY);
    expect((await api('DELETE', '/api/accounts/deepseek-cn')).status).toBe(204);
    expect((await api('GET', '/api/accounts')).json).toHaveLength(1);
    const configOne = await api('DELETE', '/api/accounts/router');
    expect(configOne.status).toBe(400);
    expect(configOne.json.error.message).toMatch(/config file/);
  });

  it('refuses foreign Host headers (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve) => {
      const req = request(server.url + '/api/accounts', { headers: { host: 'evil.example:80' } }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('spendbar serve on a non-loopback host', () => {
  it('refuses to start without a token', async () => {
    await expect(startServer({ api: core.api, host: '0.0.0.0', port: 0 })).rejects.toThrow(/token/);
  });

  it('requires the bearer token on the API and /metrics', async () => {
    const guarded = await startServer({ api: core.api, host: '0.0.0.0', port: 0, token: 'team-token-123' });
    try {
      const url = `http://127.0.0.1:${guarded.port}`;
      expect((await fetch(url + '/api/accounts')).status).toBe(401);
      expect((await fetch(url + '/metrics')).status).toBe(401);
      expect((await fetch(url + '/api/accounts', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(url + '/api/accounts', { headers: { authorization: 'Bearer team-token-123' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
