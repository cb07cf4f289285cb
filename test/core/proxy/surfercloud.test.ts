// SurferCloud accounts sign UCloud's management API, so the proxy cannot send calls to their base URL; with the
// optional inference base URL (UModelVerse's OpenAI-compatible endpoint) they are metered like any OpenAI-style API,
// the stored inference key inserted for the proxy token. Tested against a loopback LLM fake standing in for it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type EngineCore } from '../../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { startLlmFake, type LlmFake } from '../../../electron/core/providers/fakes/llm-api.ts';
import type { ConfigAccount } from '../../../electron/core/accounts.ts';

const TOKEN = 'spendbar-proxy-surfer-token-abcdefghijk';
const INFERENCE_KEY = 'sk-umodelverse-inference-key-0042';
let fake: LlmFake;
let core: EngineCore;
let server: RunningServer;
let dataDir: string;

function surfer(id: string, options: Record<string, string>, inferenceKey?: string): ConfigAccount {
  return {
    account: { id, provider: 'surfercloud', label: id, pollIntervalSec: 86_400, source: 'config', options: { keyId: 'uminferapikey-1', ...options } },
    credentials: { publicKey: 'surfer-public-key-0001', privateKey: 'surfer-private-key-0001', ...(inferenceKey ? { inferenceKey } : {}) },
  };
}

beforeAll(async () => {
  fake = await startLlmFake();
  dataDir = mkdtempSync(join(tmpdir(), 'spendbar-surfer-proxy-'));
  core = await createCore({
    dataDir,
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    configAccounts: [
      surfer('uv', { inferenceBaseUrl: `${fake.url}/v1` }, INFERENCE_KEY),
      surfer('uv-nokey', { inferenceBaseUrl: `${fake.url}/v1` }),
      surfer('uv-unset', {}, INFERENCE_KEY),
      surfer('uv-bad', { inferenceBaseUrl: 'ftp://models.example' }, INFERENCE_KEY),
    ],
    proxyToken: TOKEN,
    proxyFlushMs: 5,
    configPreferences: { timeZone: 'UTC' },
  });
  server = await startServer({ api: core.api, port: 0, proxy: core.meter.handler(), redactor: core.redactor });
});
afterAll(async () => {
  await server?.close();
  await core?.stop();
  await fake?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const chat = { model: 'deepseek-ai/DeepSeek-V3', messages: [{ role: 'user', content: 'hi' }] };
const post = (path: string, auth = TOKEN) =>
  fetch(`${server.url}/proxy${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify(chat) });

describe('SurferCloud through the proxy', () => {
  it('with an inference base URL: forwarded there with the stored inference key, and recorded with exact usage', async () => {
    const res = await post('/uv/v1/chat/completions');
    expect(res.status).toBe(200);
    const up = fake.requests.at(-1)!;
    expect(up.path).toBe('/v1/chat/completions');
    expect(up.headers.authorization).toBe(`Bearer ${INFERENCE_KEY}`);
    await core.meter.recorder.flush();
    const row = (await core.api.listRequests({ accountId: 'uv' })).rows[0];
    expect(row).toMatchObject({ status: 200, inputTokens: 120, outputTokens: 42, estimated: false, key: 'sk-…0042' });
    const info = (await core.api.meterSummary()).proxy.accounts.find((a) => a.accountId === 'uv');
    expect(info).toMatchObject({ upstream: `${fake.url}/v1`, canInsertKey: true });
  });

  it('without an inference key: the client sends its own, and the proxy token gets a 400 that says what to store', async () => {
    const own = await post('/uv-nokey/v1/chat/completions', 'sk-client-own-umodelverse-key-77');
    expect(own.status).toBe(200);
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-client-own-umodelverse-key-77');
    const res = await post('/uv-nokey/v1/chat/completions');
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/store a UModelVerse API key as the account's inference key, or send your own/);
  });

  it('without an inference base URL it cannot be metered, and says which option to set', async () => {
    const before = fake.requests.length;
    const res = await post('/uv-unset/v1/chat/completions');
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/set the account's inference base URL \(option inferenceBaseUrl/);
    expect(fake.requests.length).toBe(before);
    expect((await core.api.meterSummary()).proxy.accounts.find((a) => a.accountId === 'uv-unset')?.upstream).toBe('(cannot be metered)');
  });

  it('an inference base URL that is not http(s) is a clear 400', async () => {
    const res = await post('/uv-bad/v1/chat/completions');
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/'ftp:\/\/models\.example' is not an http\(s\) address/);
  });
});
