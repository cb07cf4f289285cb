// The proxy under bad input: the client gets the upstream's own status and body, or a clear 502/504/4xx from
// Spendbar saying which; other requests keep being served; what is recorded is accurate or marked estimated.
import { request } from 'node:http';
import { estimate } from '../../../electron/core/estimate/estimate.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, dataLines, PROXY_TOKEN, startHarness, type Harness } from './harness.ts';
import type { RequestRow } from '../../../shared/metering.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ timeouts: { headersMs: 400, idleMs: 400 } });
});
afterAll(async () => {
  await h?.close();
});

async function lastRow(): Promise<RequestRow> {
  await h.settle();
  return (await h.core.api.listRequests({ limit: 1 })).rows[0] as RequestRow;
}

const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

describe('upstream failures pass through', () => {
  it('a 429 keeps its status, body and retry-after, is recorded as rate limited and consumed nothing', async () => {
    h.openai.fail({ kind: 'status', status: 429, body: '{"error":{"message":"Rate limit reached for requests"}}', headers: { 'retry-after': '7' } });
    const res = await call(h, '/oa/v1/chat/completions', chat);
    expect(res.status).toBe(429);
    expect(res.text).toBe('{"error":{"message":"Rate limit reached for requests"}}');
    expect(res.headers.get('retry-after')).toBe('7');
    const row = await lastRow();
    expect(row).toMatchObject({ status: 429, inputTokens: 0, outputTokens: 0, cost: null, costSource: 'none', estimated: false });
    expect(row.rateLimit?.retryAfterMs).toBe(7000);
  });

  it('a 503 HTML page reaches the client as it is', async () => {
    const page = '<!doctype html><html><body>Bad gateway</body></html>';
    h.openai.fail({ kind: 'status', status: 503, body: page, contentType: 'text/html' });
    const res = await call(h, '/oa/v1/chat/completions', chat);
    expect(res.status).toBe(503);
    expect(res.text).toBe(page);
    expect(res.headers.get('x-spendbar-proxy-error')).toBeNull();
    expect(await lastRow()).toMatchObject({ status: 503, costSource: 'none' });
  });

  it('an upstream that is down: 502 from Spendbar naming the host, recorded', async () => {
    const res = await call(h, '/down/v1/chat/completions', chat);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-spendbar-proxy-error')).toBe('1');
    expect(JSON.parse(res.text).error.message).toMatch(/could not reach 127\.0\.0\.1:\d+ \(connection refused\)/);
    expect(await lastRow()).toMatchObject({ accountId: 'down', status: 502, costSource: 'none' });
  });

  it('a slow upstream: 504 once the headers timeout passes, and the proxy keeps serving', async () => {
    h.openai.fail({ kind: 'delay', ms: 1500 });
    const res = await call(h, '/oa/v1/chat/completions', chat);
    expect(res.status).toBe(504);
    expect(JSON.parse(res.text).error.message).toMatch(/127\.0\.0\.1:\d+ did not answer within 0\.4 s/);
    expect(res.headers.get('x-spendbar-proxy-error')).toBe('1');
    expect(await lastRow()).toMatchObject({ status: 504 });
    expect((await call(h, '/oa/v1/chat/completions', chat)).status).toBe(200);
  });

  it('a stream that never sends usage is recorded as estimated', async () => {
    h.openai.fail({ kind: 'no-usage' });
    const res = await call(h, '/oa/v1/chat/completions', { ...chat, stream: true });
    expect(dataLines(res.text).at(-1)).toBe('[DONE]');
    // The project's estimator: the Estimate view's input figure for this body, the reply counted as it streamed.
    const view = await estimate({ input: JSON.stringify({ ...chat, stream: true }) }, { models: [{ model: chat.model }], modelsFrom: 'caller' });
    expect(await lastRow()).toMatchObject({ status: 200, estimated: true, inputTokens: view.rows[0]?.inputTokens, outputTokens: 4, costSource: 'price-table' });
  });

  it('a malformed event-stream line is passed on and noted; usage is still read', async () => {
    h.openai.fail({ kind: 'malformed-line' });
    const res = await call(h, '/oa/v1/chat/completions', { ...chat, stream: true });
    expect(res.text).toContain('data: {"id": "broken", ');
    const row = await lastRow();
    expect(row).toMatchObject({ inputTokens: 120, outputTokens: 42, estimated: false });
    expect(row.note).toMatch(/malformed/);
  });

  it('a stream that stalls: cut after the idle timeout, partial request recorded as estimated', async () => {
    h.openai.fail({ kind: 'stall-after', chunks: 2 });
    const res = await fetch(`${h.server.url}/proxy/oa/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${PROXY_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...chat, stream: true }) });
    await expect(res.text()).rejects.toThrow();
    const row = await lastRow();
    expect(row.status).toBe(200);
    expect(row.estimated).toBe(true);
    expect(row.note).toMatch(/dropped mid-response|went silent/);
  });
});

describe('the client', () => {
  it('hangs up mid-stream: the upstream request is aborted and the partial request recorded (499, estimated)', async () => {
    h.openai.fail({ kind: 'stall-after', chunks: 2 });
    const before = h.openai.closedEarly;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${h.server.url}/proxy/oa/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${PROXY_TOKEN}`, 'content-type': 'application/json' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ ...chat, stream: true }));
      setTimeout(() => reject(new Error('no first chunk')), 5000);
    });
    for (let i = 0; i < 50 && h.openai.closedEarly === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(h.openai.closedEarly).toBe(before + 1);
    const row = await lastRow();
    expect(row).toMatchObject({ status: 499, estimated: true, stream: true });
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.note).toMatch(/hung up/);
  });

  it('a 50 MB body gets a clear 413 without being read, and the proxy keeps serving', async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve) => {
      const req = request(`${h.server.url}/proxy/oa/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${PROXY_TOKEN}`, 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(1024 * 1024, 32));
    });
    expect(status.status).toBe(413);
    expect(JSON.parse(status.body).error.message).toMatch(/up to 32 MB; this one is 50 MB/);
    expect((await call(h, '/oa/v1/chat/completions', chat)).status).toBe(200);
  });

  it('a body over the limit without Content-Length (chunked) is refused too', async () => {
    // The client keeps sending its 40 MB after the refusal, as an SDK would: it must read the 413, not a reset.
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.server.url}/proxy/oa/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${PROXY_TOKEN}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 32);
      let sent = 0;
      const pump = () => {
        while (sent < 40 && req.write(chunk)) sent++;
        if (sent < 40) req.once('drain', () => (sent++, pump()));
        else req.end();
      };
      pump();
    });
    expect(res).toBe(413);
  });

  it('an unknown account: 404 that says how to address one; nothing recorded', async () => {
    const before = (await h.core.api.listRequests({ limit: 1 })).rows[0]?.id;
    const res = await call(h, '/nope/v1/chat/completions', chat);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).error.message).toMatch(/no account 'nope'.*\/proxy\/<account id>/);
    expect((await h.core.api.listRequests({ limit: 1 })).rows[0]?.id).toBe(before);
  });

  it('a browser page (Origin header) is refused with 403 and nothing reaches the provider', async () => {
    const n = h.openai.requests.length;
    const res = await call(h, '/oa/v1/chat/completions', chat, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(h.openai.requests.length).toBe(n);
  });

  it('without the proxy token or a key of its own, no stored key is inserted', async () => {
    await call(h, '/oa/v1/chat/completions', chat, { authorization: '' });
    expect(h.openai.requests.at(-1)!.headers.authorization ?? '').toBe('');
    await call(h, '/oa/v1/chat/completions', chat, { authorization: 'Bearer spendbar-proxy-wrong-token-0000000000' });
    expect(h.openai.requests.at(-1)!.headers.authorization).toBe('Bearer spendbar-proxy-wrong-token-0000000000');
  });
});
