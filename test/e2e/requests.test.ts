// The metering proxy end to end: the real `spendbar serve` (a child process) proxies an OpenAI-style stream and an
// Anthropic-style message to a loopback LLM fake, with the token `spendbar proxy-token` prints; the Requests view in
// Chromium shows them with exact tokens, cost and headroom.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startLlmFake, type LlmFake } from '../../electron/core/providers/fakes/llm-api.ts';
import type { RequestPage } from '../../shared/metering.ts';
import { ARTIFACTS, ROOT, browserAvailable, buildDashboard, eventually, launchBrowser, serveWith, type Browser, type Served } from './harness.ts';

const KEY = 'sk-e2e-llm-stored-key-000042';
const hasBrowser = browserAvailable();

describe.skipIf(!hasBrowser)('metering proxy end to end', () => {
  let fake: LlmFake;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let token: string;

  beforeAll(async () => {
    buildDashboard();
    fake = await startLlmFake();
    const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-e2e-proxy-'));
    const config = join(dataDir, 'config.json');
    writeFileSync(config, JSON.stringify({ accounts: [{ id: 'llm', provider: 'newapi', label: 'LLM gateway', baseUrl: fake.url, apiKey: KEY }] }), { mode: 0o600 });
    served = await serveWith(['--config', config], dataDir);
    token = execFileSync(process.execPath, [join(ROOT, 'bin/spendbar.js'), 'proxy-token', '--data-dir', dataDir], { encoding: 'utf8' }).trim();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err));
  });

  afterAll(async () => {
    await browser?.stop();
    await served?.stop();
    await fake?.close();
  });

  it('records a stream and a message with exact figures and shows them in the Requests view', async () => {
    expect(token).toMatch(/^spendbar-proxy-/);
    const stream = await fetch(`${served.url}/proxy/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-spendbar-app': 'e2e-chat' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(stream.status).toBe(200);
    expect(await stream.text()).toContain('data: [DONE]');
    const message = await fetch(`${served.url}/proxy/llm/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': token, 'content-type': 'application/json', 'x-spendbar-app': 'e2e-batch; kind=internal' },
      body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(message.status).toBe(200);
    // (The poller also calls the fake for balances, and fails: it is an inference API only.)
    const proxied = fake.requests.filter((r) => /\/(chat\/completions|messages)$/.test(r.path));
    expect(proxied.map((r) => r.headers.authorization ?? r.headers['x-api-key'])).toEqual([`Bearer ${KEY}`, KEY]);

    const page1 = await eventually(async () => {
      const p = await served.api<RequestPage>('/api/requests');
      expect(p.rows).toHaveLength(2);
      return p;
    });
    expect(page1.rows.map((r) => [r.app, r.kind, r.model, r.inputTokens, r.outputTokens, r.cost?.amount])).toEqual([
      ['e2e-batch', 'internal', 'claude-sonnet-4-20250514', 120, 42, 0.000944],
      ['e2e-chat', 'service', 'gpt-4o-2024-08-06', 120, 42, 0.000695],
    ]);

    await page.goto(`${served.url}/?view=requests`);
    await eventually(async () => expect(await page.getByTestId('request-row').count()).toBe(2), 30_000);
    expect(await page.getByTestId('request-row').first().getByTestId('request-cost').textContent()).toBe('$0.0009');
    expect(await page.getByTestId('app-row').count()).toBe(2);
    await eventually(async () => expect(await page.getByTestId('headroom-row').count()).toBe(1));
    expect(await page.getByTestId('headroom-requests').textContent()).toMatch(/^499 of 500 left/);
    await eventually(async () => expect(JSON.parse((await page.getByTestId('trend-chart').getAttribute('data-series')) ?? '[]').length).toBeGreaterThan(0), 30_000);
    const html = await page.content();
    expect(html).not.toContain(KEY);
    expect(html).not.toContain(token);
    await page.screenshot({ path: join(ARTIFACTS, 'requests.png'), fullPage: true });
  });
});
