// The observed ratio of estimate to actual, built from requests through the real metering proxy handler against a
// loopback upstream that answers as OpenAI and Anthropic do (usage in the body), stored in a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createProxyHandler, type ProxyRecord } from '../../../electron/core/proxy/handler.ts';
import { ObservationSampler, observedRatios, samplePrompt, MAX_SAMPLE_CHARS } from '../../../electron/core/estimate/observed.ts';
import { countFor } from '../../../electron/core/estimate/count.ts';
import { readPrompt } from '../../../electron/core/estimate/prompt.ts';
import type { Account } from '../../../shared/domain.ts';

const KEY = 'sk-test-observed-0001';
let upstream: Server;
let proxy: Server;
let proxyUrl: string;
let db: DatabaseSync;
let sampler: ObservationSampler;
const records: ProxyRecord[] = [];
/** What the upstream reports as input tokens, per model. */
const REPORTED: Record<string, number> = { 'gpt-4o': 40, 'claude-sonnet-4-5': 50 };

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const json = JSON.parse(body) as { model: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.endsWith('/messages')) {
        res.end(JSON.stringify({ type: 'message', model: json.model, content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: REPORTED[json.model], output_tokens: 3 } }));
      } else {
        res.end(JSON.stringify({ model: json.model, choices: [{ message: { content: 'ok' } }], usage: { prompt_tokens: REPORTED[json.model] ?? 10, completion_tokens: 2 } }));
      }
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  db = new DatabaseSync(join(mkdtempSync(join(tmpdir(), 'spendbar-observed-')), 'spendbar.db'));
  sampler = new ObservationSampler(db);
  const account: Account = { id: 'acc', provider: 'newapi', label: 'A', baseUrl: base, pollIntervalSec: 300, source: 'settings', credentials: {} } as Account;
  const handler = createProxyHandler({
    account: (id) => (id === 'acc' ? { account, defaultBaseUrl: base, storedKey: KEY } : undefined),
    proxyToken: () => 'spendbar-proxy-token-for-tests-000',
    record: (r) => records.push(r),
    observe: (body, r) =>
      sampler.observe(body, { time: r.time, status: r.status, model: r.usage.model ?? r.modelRequested, inputTokens: r.usage.inputTokens, cachedTokens: r.usage.cachedTokens, cacheWriteTokens: r.usage.cacheWriteTokens, estimated: r.usage.estimated }),
  });
  proxy = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/proxy/acc`;
});

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await new Promise((r) => upstream?.close(r));
  db?.close();
});

function send(path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(`${proxyUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const chat = { model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'How many tokens does this request use, roughly?' }] };
const anthropic = { model: 'claude-sonnet-4-5', max_tokens: 100, system: 'You are terse.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise the plot of Hamlet in one line.' }] }] };

describe('observed ratio of estimate to actual', () => {
  it('samples requests through the proxy and keeps per-model sums of estimate and reported input tokens', async () => {
    expect(await send('/v1/chat/completions', chat)).toBe(200);
    expect(await send('/v1/chat/completions', chat)).toBe(200);
    expect(await send('/v1/messages', anthropic)).toBe(200);
    await sampler.idle();
    expect(records).toHaveLength(3);
    const ours = (await countFor(readPrompt(JSON.stringify(chat)), 'openai-o200k')).inputTokens;
    const claude = (await countFor(readPrompt(JSON.stringify({ system: anthropic.system, messages: anthropic.messages })), 'claude')).inputTokens;
    const ratios = observedRatios(db);
    expect(ratios.get('gpt-4o')).toMatchObject({ requests: 2, ratio: (2 * ours) / (2 * 40), method: 'openai-o200k' });
    expect(ratios.get('claude-sonnet-4-5')).toMatchObject({ requests: 1, ratio: claude / 50, method: 'claude' });
    // Only sums: no text anywhere in the table.
    const dump = JSON.stringify(db.prepare('SELECT * FROM estimate_observed').all());
    expect(dump).not.toContain('Hamlet');
  });

  it('skips requests the two figures would not measure alike: tools, images, failed answers, cached prompts', async () => {
    const before = observedRatios(db).get('gpt-4o')?.requests;
    expect(await send('/v1/chat/completions', { ...chat, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] })).toBe(200);
    expect(await send('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:x' } }, { type: 'text', text: 'what?' }] }] })).toBe(200);
    sampler.observe(chat, { time: 1, status: 500, model: 'gpt-4o', inputTokens: 40, cachedTokens: 0, cacheWriteTokens: 0, estimated: false });
    sampler.observe(chat, { time: 1, status: 200, model: 'gpt-4o', inputTokens: 40, cachedTokens: 20, cacheWriteTokens: 0, estimated: false });
    sampler.observe(chat, { time: 1, status: 200, model: 'gpt-4o', inputTokens: 40, cachedTokens: 0, cacheWriteTokens: 0, estimated: true });
    await sampler.idle();
    expect(observedRatios(db).get('gpt-4o')?.requests).toBe(before);
  });

  it('bounds the work: oversized bodies are skipped, and at most a few wait to be counted', async () => {
    expect(samplePrompt({ messages: [{ role: 'user', content: 'x'.repeat(MAX_SAMPLE_CHARS + 1) }] })).toBeNull();
    expect(samplePrompt({ messages: [{ role: 'user', content: 'fine' }] })).not.toBeNull();
    const s = new ObservationSampler(db);
    for (let i = 0; i < 50; i++) s.observe(chat, { time: i, status: 200, model: 'gpt-4o-mini', inputTokens: 30, cachedTokens: 0, cacheWriteTokens: 0, estimated: false });
    expect(s.dropped).toBeGreaterThan(0);
    await s.idle();
    expect(observedRatios(db).get('gpt-4o-mini')?.requests).toBe(50 - s.dropped);
  });
});
