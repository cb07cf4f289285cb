// A hostile provider echoes the keys back in every shape it can: without the prefix, in another case, cut by the
// 200-character clip, quoted in a number field's error, inside model names. None of it may leave Spendbar: not the
// API, the event stream, a 422, /metrics, exports, the stored rows, webhook payloads, popups or the log.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type EngineCore } from '../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { createNodeNotifier } from '../../electron/core/notify/node-notifier.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';
import { startOpenRouterFake, type OpenRouterFake } from '../../electron/core/providers/fakes/openrouter.ts';
import { leakedFragment } from './leak-helpers.ts';

const DS_KEY = 'sk-4b7e1a9c3f6d0b8e2a5c7f1d9b3e6a0c';
const OR_KEY = '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';
const NEW_KEY = 'sk-8d3f6b1e9a4c7d2f5b0e8a3c6f1d9b4e';
const HOOK_SECRET = 'T0KEN-5e8b2d7f1a4c';
const body = (k: string) => k.replace(/^sk-(or-v1-)?/, '');
const DAY = 86_400_000;

let ds: DeepSeekFake;
let or: OpenRouterFake;
let core: EngineCore;
let server: RunningServer;
let rx: Server;
let rxUrl = '';
let dataDir = '';
const received: string[] = [];
const events: string[] = [];
const logs: string[] = [];
let clock = Date.now();
let eventsReq: ReturnType<typeof request> | undefined;

beforeAll(async () => {
  // A notify-send that fails the way it does without a session bus: the popup path's log must not carry the alert.
  const bin = mkdtempSync(join(tmpdir(), 'spendbar-bin-'));
  writeFileSync(join(bin, 'notify-send'), '#!/bin/sh\necho "Cannot autolaunch D-Bus without X11 $DISPLAY" >&2\nexit 1\n');
  chmodSync(join(bin, 'notify-send'), 0o755);
  process.env.PATH = `${bin}:${process.env.PATH}`;
  for (const level of ['error', 'warn', 'log', 'info'] as const) {
    if (level !== 'info') vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
  }

  rx = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push(text);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  rxUrl = `http://127.0.0.1:${(rx.address() as AddressInfo).port}`;

  const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
  ds = await startDeepSeekFake({ state: { keys: { [DS_KEY]: { isAvailable: true, balances: [{ currency: 'CNY', total: 20, granted: 0, toppedUp: 20 }] } } } });
  or = await startOpenRouterFake({
    state: {
      keys: { [OR_KEY]: { label: 'x', limit: null, limitReset: null, usage: 1, usageDaily: 0, usageWeekly: 1, usageMonthly: 1, isManagementKey: true, isFreeTier: false, expiresAt: null } },
      totalCredits: 10,
      totalUsage: 1,
      activity: [
        // Model names a hostile router made out of the key: without prefix, upper-cased, and a bare fragment.
        { date: yesterday, model: `ft:${body(OR_KEY)}`, endpoint_id: 'e1', provider_name: 'X', usage: 0.5, requests: 1, prompt_tokens: 1, completion_tokens: 1, reasoning_tokens: 0 },
        { date: yesterday, model: `org/${OR_KEY.toUpperCase()}`, endpoint_id: 'e2', provider_name: 'X', usage: 0.5, requests: 1, prompt_tokens: 1, completion_tokens: 1, reasoning_tokens: 0 },
        { date: yesterday, model: `=HYPERLINK("${body(OR_KEY).slice(10, 40)}")`, endpoint_id: 'e3', provider_name: 'X', usage: 0.5, requests: 1, prompt_tokens: 1, completion_tokens: 1, reasoning_tokens: 0 },
      ],
    },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'spendbar-leaks-'));
  core = await createCore({
    dataDir,
    mode: 'serve',
    now: () => clock,
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    notifier: createNodeNotifier(),
    configAccounts: [
      { account: { id: 'ds', provider: 'deepseek', label: 'DS', baseUrl: ds.url, pollIntervalSec: 300, source: 'config' }, credentials: { apiKey: DS_KEY } },
      { account: { id: 'or', provider: 'openrouter', label: 'OR', baseUrl: or.url, pollIntervalSec: 300, source: 'config' }, credentials: { apiKey: OR_KEY } },
    ],
    configAlerts: {
      rules: [{ type: 'provider-failing', account: 'ds', minutes: 1 }],
      channels: [
        { id: 'hook', type: 'webhook', format: 'json', url: `${rxUrl}/hook/${HOOK_SECRET}` },
        { id: 'slack', type: 'webhook', format: 'slack', url: `${rxUrl}/slack/${HOOK_SECRET}` },
        { id: 'popup', type: 'popup' },
      ],
    },
  });
  server = await startServer({ api: core.api, port: 0, redactor: core.redactor });
  await new Promise<void>((resolve) => {
    eventsReq = request(`${server.url}/api/events`, (res) => {
      res.on('data', (c: Buffer) => events.push(c.toString()));
      resolve();
    });
    eventsReq.end();
  });
});

afterAll(async () => {
  eventsReq?.destroy();
  await server?.close();
  await core?.stop();
  await Promise.all([ds?.close(), or?.close(), new Promise((r) => rx?.close(r))]);
  vi.restoreAllMocks();
});

async function call(method: string, path: string, payload?: unknown): Promise<string> {
  const res = await fetch(server.url + path, {
    method,
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  return res.text();
}

describe('a provider that echoes keys back', () => {
  it('never gets a key, or 8 characters of one, out of Spendbar', async () => {
    await call('POST', '/api/refresh', {});
    await waitFor(() => core.api.getStatus().then((s) => s.every((x) => x.latest !== null && !x.polling)));
    clock += 2 * 60_000;
    // The server error's text, cut by the 200-character clip in the middle of the (upper-cased, prefix-less) key.
    ds.fail({ path: '/user/balance', times: 1, response: { status: 500, body: { error: { message: `${'x'.repeat(175)} key ${body(DS_KEY).toUpperCase()}` } } } });
    await call('POST', '/api/refresh', { accountId: 'ds' });
    clock += 60_000;
    // A number field holding the key: the field error quotes 30 characters of it.
    ds.fail({ path: '/user/balance', times: 1, response: { body: { is_available: true, balance_infos: [{ currency: 'CNY', total_balance: body(DS_KEY), granted_balance: '0', topped_up_balance: '0' }] } } });
    await call('POST', '/api/refresh', { accountId: 'ds' });
    await waitFor(async () => received.length >= 2);
    // A connection test whose key the provider echoes lower-cased and JSON-escaped into its message.
    ds.fail({ path: '/user/balance', times: 1, response: { status: 500, body: { error: { message: `bad token "${NEW_KEY.toUpperCase()}"` } } } });
    const rejected = await call('POST', '/api/accounts', { input: { provider: 'deepseek', label: 'New', baseUrl: ds.url, credentials: { apiKey: NEW_KEY } } });
    expect(rejected).toMatch(/server error/);
    await new Promise((r) => setTimeout(r, 300));

    const from = Date.now() - 40 * DAY;
    const texts: Record<string, string> = {
      '422 answer': rejected,
      '/api/status': await call('GET', '/api/status'),
      '/api/filters': await call('GET', '/api/filters'),
      '/metrics': await call('GET', '/metrics'),
      'series (export)': await call('POST', '/api/series', { metric: 'cost', bucket: 'day', groupBy: 'model', from, to: Date.now() + DAY }),
      'totals (export)': await call('POST', '/api/totals', { groupBy: 'model', from, to: Date.now() + DAY }),
      'alert history': await call('GET', '/api/alerts/history'),
      'event stream': events.join(''),
      'webhook payloads': received.join('\n'),
      'log lines': logs.join('\n'),
      'spendbar.db': readFileSync(join(dataDir, 'spendbar.db'), 'latin1'),
      'spendbar.db-wal': existsSync(join(dataDir, 'spendbar.db-wal')) ? readFileSync(join(dataDir, 'spendbar.db-wal'), 'latin1') : '',
    };
    // The attacks reached Spendbar: the data is there, only the secrets are not.
    expect(texts['/api/filters']).toMatch(/ft:/);
    expect(texts['alert history']).toMatch(/no fresh figures/);
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(texts['log lines']).toMatch(/desktop notification|popup/i);
    if (process.env.LEAK_DEBUG) console.info(texts['/api/status'], texts['alert history'], texts['422 answer']);
    const found: string[] = [];
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of [DS_KEY, OR_KEY, NEW_KEY, HOOK_SECRET]) {
        const piece = leakedFragment(text, secret);
        if (piece) found.push(`${where}: "${piece}" of ${secret.slice(0, 6)}…`);
      }
    }
    expect(found).toEqual([]);
  });
});

async function waitFor(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
