// The done-when of the metering proxy: OpenAI- and Anthropic-style requests, streaming and not, through the proxy
// against loopback fakes, recorded with exact tokens, cost and rate-limit headroom; bytes reach the client unchanged
// except for the usage-only chunk Spendbar itself asked for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, dataLines, KEYS, PROXY_TOKEN, startHarness, type Harness } from './harness.ts';
import type { RequestRow } from '../../../shared/metering.ts';
import { estimate } from '../../../electron/core/estimate/estimate.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.openai.requests.length = 0;
  h.router.requests.length = 0;
  h.gateway.requests.length = 0;
});

async function lastRow(): Promise<RequestRow> {
  await h.settle();
  const page = await h.core.api.listRequests({ limit: 1 });
  return page.rows[0] as RequestRow;
}

const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }] };

describe('OpenAI style', () => {
  it('non-stream: the stored key replaces the proxy token, the body passes unchanged, the row is exact', async () => {
    const before = Date.now();
    const res = await call(h, '/oa/v1/chat/completions', chat, { 'X-Spendbar-App': 'notes-app; kind=internal' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.choices[0].message.content).toBe('Hello there!');
    const up = h.openai.requests[0]!;
    expect(up.path).toBe('/v1/chat/completions');
    expect(up.headers.authorization).toBe(`Bearer ${KEYS.oa}`);
    expect(up.headers['x-spendbar-app']).toBeUndefined();
    expect(up.json).toEqual(chat);
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('499');
    const row = await lastRow();
    expect(row).toMatchObject({
      accountId: 'oa',
      app: 'notes-app',
      kind: 'internal',
      model: 'gpt-4o-2024-08-06',
      modelRequested: 'gpt-4o',
      endpoint: '/v1/chat/completions',
      stream: false,
      status: 200,
      inputTokens: 120,
      outputTokens: 42,
      cachedTokens: 20,
      reasoningTokens: 5,
      // gpt-4o list price: 100 × $2.50 + 20 cached × $1.25 + 42 × $10 per million tokens.
      cost: { amount: 0.000695, currency: 'USD' },
      costSource: 'price-table',
      estimated: false,
      key: 'sk-…0001',
    });
    expect(row.rateLimit?.requests).toMatchObject({ limit: 500, remaining: 499 });
    expect(row.rateLimit?.requests?.resetAt).toBeGreaterThanOrEqual(before + 179_560);
    expect(row.rateLimit?.tokens).toMatchObject({ limit: 30000, remaining: 29000 });
  });

  it('stream: include_usage is added upstream and its usage-only chunk kept from the client', async () => {
    const res = await call(h, '/oa/v1/chat/completions', { ...chat, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(h.openai.requests[0]!.json?.stream_options).toEqual({ include_usage: true });
    const data = dataLines(res.text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0]?.delta.content).join('')).toBe('Hello there!');
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    const row = await lastRow();
    expect(row).toMatchObject({ stream: true, inputTokens: 120, outputTokens: 42, cachedTokens: 20, estimated: false, costSource: 'price-table' });
    expect(row.ttfbMs).not.toBeNull();
  });

  it("a client's own include_usage gets its usage chunk; an explicit false is respected and the row estimated", async () => {
    const own = await call(h, '/oa/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } });
    expect(dataLines(own.text).some((d) => d.includes('"choices":[]'))).toBe(true);
    const off = await call(h, '/oa/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: false } });
    expect(h.openai.requests[1]!.json?.stream_options).toEqual({ include_usage: false });
    expect(dataLines(off.text).some((d) => d.includes('usage'))).toBe(false);
    const row = await lastRow();
    // The input is what the Estimate view gives for this request body and model; the reply ("Hel", "lo", " there",
    // "!") is counted with the same o200k_base encoding, piece by piece as it streamed.
    const view = await estimate({ input: JSON.stringify(chat) }, { models: [{ model: 'gpt-4o' }], modelsFrom: 'caller' });
    expect(view.rows[0]?.inputTokens).toBe(8);
    expect(row).toMatchObject({ estimated: true, inputTokens: view.rows[0]?.inputTokens, outputTokens: 4 });
  });

  it('Responses API and embeddings are metered too', async () => {
    await call(h, '/oa/v1/responses', { model: 'gpt-4o', input: 'hi', stream: true });
    expect(await lastRow()).toMatchObject({ endpoint: '/v1/responses', inputTokens: 120, outputTokens: 42, cachedTokens: 20, reasoningTokens: 5, estimated: false });
    await call(h, '/oa/v1/embeddings', { model: 'text-embedding-3-small', input: ['a'] });
    expect(await lastRow()).toMatchObject({ endpoint: '/v1/embeddings', inputTokens: 120, outputTokens: 0, costSource: 'price-table' });
  });

  it('a gzip-compressed body reaches the client compressed and is still metered', async () => {
    h.openai.fail({ kind: 'gzip' });
    const res = await fetch(`${h.server.url}/proxy/oa/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PROXY_TOKEN}`, 'accept-encoding': 'gzip' },
      body: JSON.stringify(chat),
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect((await res.json()).model).toBe('gpt-4o-2024-08-06');
    expect(await lastRow()).toMatchObject({ inputTokens: 120, outputTokens: 42, estimated: false });
  });
});

describe('other calls', () => {
  it('a GET without a body is forwarded and recorded as consuming nothing (no cost, not "unpriced")', async () => {
    const res = await fetch(`${h.server.url}/proxy/oa/v1/models`, { headers: { authorization: `Bearer ${PROXY_TOKEN}` } });
    expect(res.status).toBe(404);
    expect(h.openai.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(h.openai.requests[0]!.headers.authorization).toBe(`Bearer ${KEYS.oa}`);
    expect(await lastRow()).toMatchObject({ endpoint: '/v1/models', status: 404, inputTokens: 0, outputTokens: 0, estimated: false, costSource: 'none', cost: null });
  });
});

describe('OpenRouter-compatible routers', () => {
  it('usage.include is added when unset and the router’s own cost is kept as reported', async () => {
    const res = await call(h, '/or/chat/completions', { model: 'openai/gpt-4o', messages: [], stream: true });
    expect(h.router.requests[0]!.path).toBe('/api/v1/chat/completions');
    expect(h.router.requests[0]!.json?.usage).toEqual({ include: true });
    expect(h.router.requests[0]!.headers.authorization).toBe(`Bearer ${KEYS.or}`);
    expect(dataLines(res.text).some((d) => d.includes('"cost"'))).toBe(false);
    expect(await lastRow()).toMatchObject({ accountId: 'or', cost: { amount: 0.00123, currency: 'USD' }, costSource: 'provider', inputTokens: 120 });
  });
});

describe('Anthropic style', () => {
  it('stream: x-api-key proxy token → stored key; cumulative message_delta usage is overwritten, not added', async () => {
    h.openai.fail({ kind: 'usage-on-every-chunk' });
    const res = await call(h, '/an/v1/messages', { model: 'claude-sonnet-4-20250514', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { authorization: '', 'x-api-key': PROXY_TOKEN, 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(200);
    const up = h.openai.requests[0]!;
    expect(up.path).toBe('/anthropic/v1/messages');
    expect(up.headers['x-api-key']).toBe(KEYS.an);
    expect(up.headers['anthropic-version']).toBe('2023-06-01');
    // Nothing is added to an Anthropic body.
    expect(up.json).toEqual({ model: 'claude-sonnet-4-20250514', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.text).toContain('event: message_stop');
    const row = await lastRow();
    expect(row).toMatchObject({ model: 'claude-sonnet-4-20250514', inputTokens: 120, outputTokens: 42, cachedTokens: 20, cacheWriteTokens: 10, estimated: false, costSource: 'price-table' });
    // Claude Sonnet 4: 90 × $3 + 20 × $0.30 + 10 × $3.75 + 42 × $15 per million = $0.0009435, kept in whole micro-units.
    expect(row.cost).toEqual({ amount: 0.000944, currency: 'USD' });
    expect(row.rateLimit?.requests).toMatchObject({ limit: 500, remaining: 499 });
    expect(row.rateLimit?.requests?.resetAt).toBeGreaterThan(Date.now());
  });

  it('non-stream message', async () => {
    await call(h, '/an/v1/messages', { model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: [] }, { authorization: '', 'x-api-key': PROXY_TOKEN });
    expect(await lastRow()).toMatchObject({ stream: false, inputTokens: 120, outputTokens: 42, estimated: false });
  });
});

describe('keys and headroom', () => {
  it("the client's own key goes upstream as it is; the row keeps only its masked form", async () => {
    const own = 'sk-client-own-key-that-is-not-stored-9z9z';
    await call(h, '/gw/v1/chat/completions', chat, { authorization: `Bearer ${own}` });
    expect(h.gateway.requests[0]!.headers.authorization).toBe(`Bearer ${own}`);
    const row = await lastRow();
    expect(row.key).toBe('sk-…9z9z');
    const db = readFileSync(join(h.dataDir, 'spendbar.db')).toString('latin1') + readFileSync(join(h.dataDir, 'spendbar.db-wal')).toString('latin1');
    for (const secret of [own, ...Object.values(KEYS), PROXY_TOKEN]) expect(db).not.toContain(secret);
  });

  it('gateway RPM/TPM headers give the headroom per account and key', async () => {
    await call(h, '/gw/v1/chat/completions', chat);
    await h.settle();
    const summary = await h.core.api.meterSummary();
    const gw = summary.headroom.find((x) => x.accountId === 'gw' && x.key === 'sk-…0003');
    expect(gw?.rateLimit.requests).toMatchObject({ limit: 500, remaining: 499 });
    expect(gw?.rateLimit.tokens).toEqual({ limit: null, remaining: null, resetAt: null });
    expect(gw?.lowestPercent).toBeCloseTo(99.8, 5);
    expect(summary.proxy.accounts.find((a) => a.accountId === 'gw')).toMatchObject({ baseUrl: `${h.server.url}/proxy/gw`, canInsertKey: true });
  });
});
