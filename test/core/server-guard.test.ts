// What a hostile local page, a DNS-rebinding site or a guessing client can do to `spendbar serve`: nothing that changes
// state, reads spend, or costs a provider request. A real core polls a real loopback fake throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect } from 'node:net';
import { createCore, type EngineCore } from '../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../electron/core/server/http-server.ts';
import { isLoopback } from '../../electron/core/server/guard.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';

const DS_KEY = 'sk-3a9f1c7e5b2d8f4a6c0e9b1d3f5a7c2e';
const TOKEN = 'team-token-5b8e2f9a1c4d7e0b3a6f';

let ds: DeepSeekFake;
let core: EngineCore;
let server: RunningServer;
let guarded: RunningServer;

beforeAll(async () => {
  ds = await startDeepSeekFake({ state: { keys: { [DS_KEY]: { isAvailable: true, balances: [{ currency: 'CNY', total: 10, granted: 0, toppedUp: 10 }] } } } });
  core = await createCore({
    dataDir: mkdtempSync(join(tmpdir(), 'spendbar-guard-')),
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    configAccounts: [
      {
        account: { id: 'ds', provider: 'deepseek', label: 'DS', baseUrl: ds.url, pollIntervalSec: 300, source: 'config' },
        credentials: { apiKey: DS_KEY },
      },
    ],
  });
  server = await startServer({ api: core.api, port: 0 });
  guarded = await startServer({ api: core.api, port: 0, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await guarded?.close();
  await core?.stop();
  await ds?.close();
});

/** A raw request, so the test controls every header a browser (or an attacker) might send. */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers, setHost: !('host' in headers) }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const polls = () => ds.requests.filter((r) => r.path === '/user/balance').length;

describe('state-changing requests are same-origin only', () => {
  it('refuses an empty-bodied POST /api/refresh without the JSON content type, and polls nothing', async () => {
    const before = polls();
    // What <form method=post> or fetch(…, {mode: 'no-cors'}) from any web page sends.
    for (const headers of [{} as Record<string, string>, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'multipart/form-data; boundary=x' }]) {
      const r = await raw(server.url, 'POST', '/api/refresh', headers);
      expect(r.status, JSON.stringify(headers)).toBe(415);
      expect(JSON.parse(r.text).error.message).toMatch(/application\/json/);
    }
    expect((await raw(server.url, 'POST', '/api/pause', { 'content-type': 'text/plain' }, '{"paused":true}')).status).toBe(415);
    expect((await raw(server.url, 'DELETE', '/api/accounts/ds')).status).toBe(415);
    expect((await raw(server.url, 'PUT', '/api/alerts', { 'content-type': 'text/plain' }, '{"rules":[]}')).status).toBe(415);
    expect(polls()).toBe(before);
    expect((await core.api.getInfo()).paused).toBe(false);
  });

  it('refuses a foreign Origin or a cross-site fetch even with the JSON content type', async () => {
    const before = polls();
    const json = { 'content-type': 'application/json' };
    expect((await raw(server.url, 'POST', '/api/refresh', { ...json, origin: 'http://evil.example' }, '{}')).status).toBe(403);
    expect((await raw(server.url, 'POST', '/api/refresh', { ...json, origin: 'null' }, '{}')).status).toBe(403);
    expect((await raw(server.url, 'POST', '/api/refresh', { ...json, 'sec-fetch-site': 'cross-site' }, '{}')).status).toBe(403);
    expect((await raw(server.url, 'POST', '/api/refresh', { ...json, 'sec-fetch-site': 'same-site' }, '{}')).status).toBe(403);
    expect(polls()).toBe(before);
    // The dashboard itself: same origin, JSON.
    const own = await raw(server.url, 'POST', '/api/refresh', { ...json, origin: server.url, 'sec-fetch-site': 'same-origin' }, '{"accountId":"ds"}');
    expect(own.status).toBe(200);
    expect(polls()).toBe(before + 1);
  });

  it('answers a bodiless JSON POST (the refresh button) normally', async () => {
    const r = await raw(server.url, 'POST', '/api/refresh', { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
  });
});

describe('Host header', () => {
  const port = () => new URL(server.url).port;

  it('matches loopback names exactly (DNS rebinding)', async () => {
    for (const host of ['127.0.0.1.evil.com', '127.0.0.1.nip.io', 'localhost.evil.com', 'evil.com', '127.0.0.1evil', '127.0.0.256', '0x7f.0.0.1', '']) {
      const r = await raw(server.url, 'GET', '/api/accounts', { host: host ? `${host}:${port()}` : '' });
      expect(r.status, host).toBe(host ? 403 : 400);
    }
    for (const host of ['127.0.0.1', 'localhost', '127.1.2.3', '[::1]', 'LOCALHOST']) {
      expect((await raw(server.url, 'GET', '/api/accounts', { host: `${host}:${port()}` })).status, host).toBe(200);
    }
  });

  it('isLoopback accepts only loopback names', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('127.0.0.1.evil.com')).toBe(false);
    expect(isLoopback('127.evil')).toBe(false);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });
});

describe('the serve token', () => {
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  it('is compared in full: a prefix, an extension or another case fails', async () => {
    expect((await raw(guarded.url, 'GET', '/api/accounts', auth(TOKEN))).status).toBe(200);
    for (const t of [TOKEN.slice(0, -1), TOKEN.slice(0, 8), `${TOKEN}x`, TOKEN.toUpperCase(), '']) {
      expect((await raw(guarded.url, 'GET', '/api/accounts', auth(t))).status, t).toBe(401);
    }
  });

  it('is accepted in the URL only by the event stream', async () => {
    const q = `?token=${encodeURIComponent(TOKEN)}`;
    for (const path of ['/api/accounts', '/api/status', '/metrics', '/api/info']) {
      expect((await raw(guarded.url, 'GET', path + q)).status, path).toBe(401);
    }
    expect((await raw(guarded.url, 'POST', `/api/refresh${q}`, { 'content-type': 'application/json' }, '{}')).status).toBe(401);
    const events = await new Promise<number>((resolve) => {
      const req = request(`${guarded.url}/api/events${q}`, (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.end();
    });
    expect(events).toBe(200);
    expect((await raw(guarded.url, 'GET', `/api/events?token=${TOKEN.slice(0, 10)}`)).status).toBe(401);
  });
});

describe('bad paths', () => {
  it('answers 400, not 500, for a malformed account id in the path', async () => {
    const r = await raw(server.url, 'PUT', '/api/accounts/%ZZ', { 'content-type': 'application/json' }, '{"input":{}}');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.message).toMatch(/account id/i);
    expect((await raw(server.url, 'DELETE', '/api/accounts/%E0%A4%A', { 'content-type': 'application/json' })).status).toBe(400);
  });

  it('refuses an oversized body from its Content-Length without reading it', async () => {
    const r = await raw(server.url, 'POST', '/api/series', { 'content-type': 'application/json', 'content-length': String(5 * 1024 * 1024) }, '{');
    expect(r.status).toBe(413);
  });

  it('refuses an oversized chunked body with a 413 the client reads while it is still sending', async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.url}/api/series`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 32);
      let sent = 0;
      const pump = (): void => {
        while (sent < 24 && req.write(chunk)) sent++;
        if (sent < 24) req.once('drain', () => (sent++, pump()));
        else req.end();
      };
      pump();
    });
    expect(reply).toMatchObject({ status: 413, body: expect.stringMatching(/Spendbar reads at most 1 MB/) });
  });
});

describe('event stream limits', () => {
  it('refuses event-stream clients past the limit instead of buffering for all of them', async () => {
    const small = await startServer({ api: core.api, port: 0, eventStream: { maxClients: 3 } });
    const sockets: ReturnType<typeof connect>[] = [];
    try {
      const port = Number(new URL(small.url).port);
      const statuses: string[] = [];
      for (let i = 0; i < 5; i++) {
        const s = connect(port, '127.0.0.1');
        sockets.push(s);
        statuses.push(
          await new Promise<string>((resolve) => {
            s.once('data', (d: Buffer) => resolve(d.toString().split('\r\n')[0] ?? ''));
            s.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
          }),
        );
        // Stalled: never reads again.
        s.pause();
      }
      expect(statuses.slice(0, 3)).toEqual(Array(3).fill('HTTP/1.1 200 OK'));
      expect(statuses.slice(3)).toEqual(Array(2).fill('HTTP/1.1 503 Service Unavailable'));
      expect(small.eventClients()).toBe(3);
    } finally {
      for (const s of sockets) s.destroy();
      await small.close();
    }
  });

  it('survives a status read that fails while a client connects', async () => {
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    // The real core's API, with the one read failing the way a locked or broken database makes it fail.
    const failing = { ...core.api, getStatus: () => Promise.reject(new Error('database is locked')) };
    const s = await startServer({ api: failing, port: 0 });
    try {
      const first = await new Promise<{ text: string; ended: boolean }>((resolve, reject) => {
        const req = request(`${s.url}/api/events`, (res) => {
          let text = '';
          const timer = setTimeout(() => {
            req.destroy();
            resolve({ text, ended: false });
          }, 1000);
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ text, ended: true });
          });
        });
        req.on('error', reject);
        req.end();
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(rejections).toEqual([]);
      // The client is told to come back later, and the stream closes instead of hanging without a status.
      expect(first.text).toMatch(/retry: 3000/);
      expect(first.ended).toBe(true);
    } finally {
      process.off('unhandledRejection', onRejection);
      await s.close();
    }
  });
});
