// The estimate through both transports of the shared API contract, each in front of a real core (real store, a
// loopback OpenRouter fake whose usage makes the default model list): HTTP to `spendbar serve` via the renderer's
// own client, and IPC via the main-side handlers (Electron mocked at the boundary only).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type EngineCore } from '../../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { startOpenRouterFake, type OpenRouterFake } from '../../../electron/core/providers/fakes/openrouter.ts';
import { createHttpApi, ApiError } from '../../../renderer/api/http.ts';
import { HTTP_ROUTES, type SpendbarApi } from '../../../shared/api.ts';
import type { EstimateResult } from '../../../shared/estimate.ts';
import { invokeMain, resetElectronMock } from '../../electron/electron-mock.ts';

vi.mock('electron', async () => (await import('../../electron/electron-mock.ts')).electronModule());

const OR_KEY = 'sk-or-v1-estimate-test-management';
const APP = 'app://spendbar/index.html';
let or: OpenRouterFake;
let core: EngineCore;
let server: RunningServer;
let http: SpendbarApi;

beforeAll(async () => {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  or = await startOpenRouterFake({
    state: {
      keys: { [OR_KEY]: { label: 'e', limit: null, limitReset: null, usage: 3, usageDaily: 1, usageWeekly: 3, usageMonthly: 3, isManagementKey: true, isFreeTier: false, expiresAt: null } },
      totalCredits: 50,
      totalUsage: 3,
      activity: [
        { date: yesterday, model: 'openai/gpt-4.1', endpoint_id: 'e1', provider_name: 'OpenAI', usage: 1.5, requests: 10, prompt_tokens: 1000, completion_tokens: 500, reasoning_tokens: 0 },
        { date: yesterday, model: 'anthropic/claude-sonnet-4.5', endpoint_id: 'e2', provider_name: 'Anthropic', usage: 1.5, requests: 4, prompt_tokens: 4000, completion_tokens: 800, reasoning_tokens: 0 },
      ],
    },
  });
  core = await createCore({
    dataDir: mkdtempSync(join(tmpdir(), 'spendbar-estimate-')),
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    configAccounts: [
      {
        account: { id: 'router', provider: 'openrouter', label: 'Router', baseUrl: or.url, pollIntervalSec: 300, source: 'config', credentials: { apiKey: { set: true, masked: 'sk-or-v1-…-ment', from: 'inline' } } },
        credentials: { apiKey: OR_KEY },
      },
    ],
    version: 'test',
  });
  // Every account polled and stored (api.refresh() of all answers before the polls finish).
  await core.pollAll();
  server = await startServer({ api: core.api, port: 0 });
  http = createHttpApi({ baseUrl: server.url });
});

afterAll(async () => {
  await server?.close();
  await core?.stop();
  await or?.close();
});

function checkDefault(r: EstimateResult) {
  expect(r.modelsFrom).toBe('used-30-days');
  expect(r.rows.map((x) => x.model).sort()).toEqual(['anthropic/claude-sonnet-4.5', 'openai/gpt-4.1']);
  const gpt = r.rows.find((x) => x.model === 'openai/gpt-4.1');
  expect(gpt).toMatchObject({ status: 'ok', method: 'exact', cost: { pricedAs: 'openrouter/openai/gpt-4.1' } });
  expect(r.rows.find((x) => x.model === 'anthropic/claude-sonnet-4.5')).toMatchObject({ method: 'estimated', family: 'Claude' });
}

describe('estimate over HTTP (spendbar serve)', () => {
  it('defaults to the models the accounts used in the last 30 days', async () => {
    checkDefault(await http.estimateCost({ input: 'What does this prompt cost on my models?' }));
  });

  it('answers bad input with 400 and the message, never a number', async () => {
    const empty = http.estimateCost({ input: '   ' });
    await expect(empty).rejects.toBeInstanceOf(ApiError);
    await expect(empty).rejects.toMatchObject({ status: 400, message: 'Nothing to estimate: the input is empty.', field: 'input' });
    await expect(http.estimateCost({ input: '{"messages": [{"role": "user"' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/messages JSON is malformed/) });
    await expect(http.estimateCost({ input: 'hi', maxOutput: -5 })).rejects.toMatchObject({ status: 400, field: 'maxOutput' });
    await expect(http.estimateCost({ input: 42 } as never)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/input must be a string/) });
  });

  it('bounds the body: input over 1 MiB is refused', async () => {
    await expect(http.estimateCost({ input: 'a'.repeat(1_048_577) })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/larger than 1 MiB/) });
    const res = await fetch(`${server.url}${HTTP_ROUTES.estimate}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'a'.repeat(2_200_000) }) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/limited to 1 MiB/);
  });
});

describe('estimate over IPC (the desktop app)', () => {
  it('reaches the same core and gives the same answer', async () => {
    resetElectronMock();
    const { ipcMain } = await import('electron');
    const { registerIpc } = await import('../../../electron/shell/ipc.ts');
    const { INVOKE_CHANNELS } = await import('../../../electron/shell/ipc-contract.ts');
    const log = { warn: () => undefined, error: () => undefined };
    const dispose = registerIpc(ipcMain, core.api, { log });
    try {
      const ok = (await invokeMain(INVOKE_CHANNELS.estimateCost, APP, { input: 'What does this prompt cost on my models?' })) as { ok: true; value: EstimateResult };
      expect(ok.ok).toBe(true);
      checkDefault(ok.value);
      expect(ok.value).toEqual(await http.estimateCost({ input: 'What does this prompt cost on my models?' }));
      expect(await invokeMain(INVOKE_CHANNELS.estimateCost, APP, { input: '' })).toEqual({ ok: false, error: { message: 'Nothing to estimate: the input is empty.', field: 'input' } });
      expect(await invokeMain(INVOKE_CHANNELS.estimateCost, APP, { input: 'x', extra: 1 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/extra: unknown field/) } });
      expect(await invokeMain(INVOKE_CHANNELS.estimateCost, APP, { input: 'x'.repeat(1_048_577) })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/larger than 1 MiB/) } });
      expect(await invokeMain(INVOKE_CHANNELS.estimateCost, 'https://evil.example/', { input: 'x' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/did not come from the Spendbar window/) } });
    } finally {
      dispose();
    }
  });
});
