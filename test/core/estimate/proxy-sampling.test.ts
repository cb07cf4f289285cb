// The observed ratio in the running service: requests through `spendbar serve`'s /proxy route (a real core, the real
// HTTP server, a loopback LLM API) are sampled into estimate_observed, and the estimate shows the ratio per model.
// Metering alone never loads a tokenizer: families counted exactly are sampled only once their encoding is loaded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createCore, type EngineCore } from '../../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { startLlmFake, type LlmFake } from '../../../electron/core/providers/fakes/llm-api.ts';
import { loadedEncodings } from '../../../electron/core/estimate/tokenizer.ts';

const KEY = 'sk-estimate-sampling-stored-0001';
const TOKEN = 'spendbar-proxy-estimate-sampling-token-01';
let llm: LlmFake;
let core: EngineCore;
let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  llm = await startLlmFake({ usage: { input: 60, output: 7, cached: 0, cacheWrite: 0 } });
  dataDir = mkdtempSync(join(tmpdir(), 'spendbar-estimate-sampling-'));
  core = await createCore({
    dataDir,
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    configAccounts: [
      { account: { id: 'oa', provider: 'newapi', label: 'OA', baseUrl: llm.url, pollIntervalSec: 300, source: 'config', credentials: { apiKey: { set: true, from: 'inline' } } }, credentials: { apiKey: KEY } },
      { account: { id: 'an', provider: 'newapi', label: 'AN', baseUrl: `${llm.url}/anthropic`, pollIntervalSec: 300, source: 'config', credentials: { apiKey: { set: true, from: 'inline' } } }, credentials: { apiKey: KEY } },
    ],
    proxyToken: TOKEN,
    proxyFlushMs: 5,
  });
  server = await startServer({ api: core.api, port: 0, proxy: core.meter.handler(), redactor: core.redactor });
});

afterAll(async () => {
  await server?.close();
  await core?.stop();
  await llm?.close();
});

async function send(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${server.url}/proxy${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  await res.text();
}

function observed(): Record<string, number> {
  const db = new DatabaseSync(join(dataDir, 'spendbar.db'), { readOnly: true });
  try {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'estimate_observed'").get();
    if (!has) return {};
    return Object.fromEntries((db.prepare('SELECT model, requests FROM estimate_observed').all() as { model: string; requests: number }[]).map((r) => [r.model, r.requests]));
  } finally {
    db.close();
  }
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
}

const claude = { model: 'claude-sonnet-4-5', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'Name three rivers in Europe.' }] };
const gpt = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Name three rivers in Europe.' }] };

describe('sampling metered requests for the observed ratio', () => {
  it('samples estimated families through the proxy and shows the ratio in the estimate', async () => {
    for (let i = 0; i < 4; i++) {
      await send('/an/v1/messages', claude);
      await send('/oa/v1/chat/completions', gpt);
      await new Promise((r) => setTimeout(r, 30));
    }
    await until(() => (observed()['claude-sonnet-4-5'] ?? 0) >= 4);
    const rows = observed();
    // Requests that arrive while the sampler loads wait for it: every one is sampled.
    expect(rows['claude-sonnet-4-5']).toBe(4);
    // gpt-4o is counted exactly: not sampled while no estimate has loaded its encoding, so metering loads no tokenizer.
    expect(rows['gpt-4o']).toBeUndefined();
    expect(loadedEncodings()).not.toContain('o200k_base');

    const r = await core.api.estimateCost({ input: 'Name three rivers in Europe.', models: ['claude-sonnet-4-5', 'gpt-4o'] });
    const row = r.rows.find((x) => x.model === 'claude-sonnet-4-5');
    expect(row?.observed?.requests).toBe(rows['claude-sonnet-4-5']);
    // The fake reports 60 input tokens for each request; the ratio is Spendbar's estimate over that.
    expect(row?.observed?.ratio).toBeGreaterThan(0);
    expect(row?.observed?.ratio).toBeLessThan(1);

    // Now that the estimate loaded o200k_base, gpt-4o requests are sampled too.
    await send('/oa/v1/chat/completions', gpt);
    await until(() => (observed()['gpt-4o'] ?? 0) >= 1);
    expect(observed()['gpt-4o']).toBe(1);
  });
});
