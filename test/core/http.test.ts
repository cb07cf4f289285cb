// The provider HTTP client against real loopback servers that misbehave: huge replies (chunked or announced),
// and Retry-After values no one should wait for.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultHttpClient, MAX_REPLY_BYTES, readJson } from '../../electron/core/http.ts';
import { ProviderError } from '../../electron/core/errors.ts';
import { MAX_RETRY_AFTER_MS, nextPollDelay } from '../../electron/core/refresh-policy.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves `handler` on loopback and returns its URL. */
async function serve(handler: (res: ServerResponse) => void): Promise<string> {
  server = createServer((_req, res) => handler(res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/user/balance`;
}

/** Streams `total` bytes of JSON-looking filler in 64 KiB chunks, chunked (no Content-Length), counting what it got out. */
function flood(total: number, sent: { bytes: number; finished: boolean }) {
  return (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (sent.bytes < total) {
        sent.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      sent.finished = true;
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  };
}

describe('provider replies are capped while they stream', () => {
  it('stops reading a chunked reply at the cap and says so', async () => {
    const sent = { bytes: 0, finished: false };
    const url = await serve(flood(4 * MAX_REPLY_BYTES, sent));
    const err = await defaultHttpClient({ url, timeoutMs: 30_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('bad-response');
    expect((err as ProviderError).message).toMatch(new RegExp(`127\\.0\\.0\\.1:\\d+ sent more than ${MAX_REPLY_BYTES / 1024 / 1024} MB`));
    expect((err as ProviderError).message).toMatch(/stopped reading/);
    // The client hung up instead of draining the rest.
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.finished).toBe(false);
    expect(sent.bytes).toBeLessThan(3 * MAX_REPLY_BYTES);
  });

  it('refuses an announced oversized reply before reading it', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_REPLY_BYTES + 1) });
      res.write('{"a":');
      res.on('error', () => undefined);
    });
    await expect(defaultHttpClient({ url, timeoutMs: 30_000 })).rejects.toThrow(/announced more than \d+ MB/);
  });

  it('reads a reply under the cap whole, multi-byte characters split across chunks included', async () => {
    const text = JSON.stringify({ name: 'é'.repeat(100_000), ok: true });
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const buf = Buffer.from(text);
      // Odd chunk sizes cut the two-byte é in half.
      for (let i = 0; i < buf.length; i += 4097) res.write(buf.subarray(i, i + 4097));
      res.end();
    });
    const got = await defaultHttpClient({ url, timeoutMs: 30_000 });
    expect(got.text).toBe(text);
  });
});

describe('Retry-After', () => {
  const res = (retryAfter: string) => ({ status: 429, headers: new Headers({ 'retry-after': retryAfter }), text: '{}' });

  it('states the wait Spendbar actually uses: at most 24 h', () => {
    let err: ProviderError | undefined;
    try {
      readJson(res('999999'), 'https://api.example.test/credits', { what: 'credits' });
    } catch (e) {
      err = e as ProviderError;
    }
    expect(err?.kind).toBe('rate-limited');
    expect(err?.message).not.toMatch(/999999/);
    expect(err?.message).toMatch(/retrying in 24 h/);
    expect(err?.retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
    const wait = nextPollDelay({ intervalMs: 300_000, consecutiveFailures: 1, error: err!.toPollError(), random: () => 0.5 });
    expect(wait).toBe(MAX_RETRY_AFTER_MS);
  });

  it('says short waits in seconds and minutes', () => {
    const msg = (v: string) => {
      try {
        readJson(res(v), 'https://api.example.test/credits', { what: 'credits' });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(msg('30')).toMatch(/retrying in 30 s/);
    expect(msg('900')).toMatch(/retrying in 15 min/);
  });
});

describe('the default client speaks HTTP itself (no fetch)', () => {
  type Seen = { method?: string; url?: string; headers: Record<string, string | string[] | undefined>; body: string };
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  });
  /** A loopback server that records each request and answers with `answer`. */
  async function site(answer: (seen: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
    const seen: Seen[] = [];
    const s = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const one = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(parts).toString() };
        seen.push(one);
        answer(one, res);
      });
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
  }

  it('posts the body with its length and reads status, headers and text', async () => {
    const { url, seen } = await site((_s, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"ok":true}');
    });
    const got = await defaultHttpClient({ method: 'POST', url: `${url}/v1/usage`, headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json' }, body: '{"é":1}', timeoutMs: 5000 });
    expect(got.status).toBe(201);
    expect(got.text).toBe('{"ok":true}');
    expect(got.headers.get('X-Request-Id')).toBe('r1');
    expect(got.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(got.headers.get('missing')).toBeNull();
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/usage', body: '{"é":1}' });
    expect(seen[0]?.headers['content-length']).toBe(String(Buffer.byteLength('{"é":1}')));
    expect(seen[0]?.headers.authorization).toBe('Bearer k');
    expect(seen[0]?.headers['content-type']).toBe('application/json');
  });

  it.each(['gzip', 'deflate', 'br'] as const)('decompresses a %s reply', async (encoding) => {
    const zlib = await import('node:zlib');
    const text = JSON.stringify({ balance: 12.5, note: 'ü'.repeat(5000) });
    const packed = encoding === 'gzip' ? zlib.gzipSync(text) : encoding === 'deflate' ? zlib.deflateSync(text) : zlib.brotliCompressSync(text);
    const { url, seen } = await site((_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
      res.end(packed);
    });
    const got = await defaultHttpClient({ url, timeoutMs: 5000 });
    expect(got.text).toBe(text);
    expect(String(seen[0]?.headers['accept-encoding'])).toMatch(encoding);
  });

  it('stops a compressed reply at the cap on its decompressed size', async () => {
    const zlib = await import('node:zlib');
    const bomb = zlib.gzipSync(Buffer.alloc(MAX_REPLY_BYTES * 2, 0x20));
    expect(bomb.length).toBeLessThan(MAX_REPLY_BYTES / 10);
    const { url } = await site((_s, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    await expect(defaultHttpClient({ url, timeoutMs: 5000 })).rejects.toThrow(/sent more than 8 MB/);
  });

  it('says when a reply marked gzip does not decompress', async () => {
    const { url } = await site((_s, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end('plain text, not gzip');
    });
    await expect(defaultHttpClient({ url, timeoutMs: 5000 })).rejects.toThrow(/marked gzip that does not decompress/);
  });

  it('follows redirects; a 303 continues as a GET; the key goes to another origin never', async () => {
    const other = await site((_s, res) => res.end('{"there":true}'));
    const first = await site((s, res) => {
      if (s.url === '/moved') return void res.writeHead(307, { location: '/here' }).end();
      if (s.url === '/see-other') return void res.writeHead(303, { location: '/here' }).end();
      if (s.url === '/away') return void res.writeHead(302, { location: `${other.url}/x` }).end();
      res.end(JSON.stringify({ method: s.method, body: s.body }));
    });
    const key = { authorization: 'Bearer sk-secret', 'x-api-key': 'sk-secret', cookie: 's=1', 'content-type': 'application/json' };
    const kept = await defaultHttpClient({ method: 'POST', url: `${first.url}/moved`, headers: key, body: '{"a":1}', timeoutMs: 5000 });
    expect(JSON.parse(kept.text)).toEqual({ method: 'POST', body: '{"a":1}' });
    expect(first.seen[1]?.headers.authorization).toBe('Bearer sk-secret');
    const asGet = await defaultHttpClient({ method: 'POST', url: `${first.url}/see-other`, headers: key, body: '{"a":1}', timeoutMs: 5000 });
    expect(JSON.parse(asGet.text)).toEqual({ method: 'GET', body: '' });
    const away = await defaultHttpClient({ url: `${first.url}/away`, headers: key, timeoutMs: 5000 });
    expect(away.text).toBe('{"there":true}');
    const there = other.seen[0]?.headers ?? {};
    expect(there.authorization).toBeUndefined();
    expect(there['x-api-key']).toBeUndefined();
    expect(there.cookie).toBeUndefined();
    expect(JSON.stringify(other.seen)).not.toContain('sk-secret');
  });

  it('gives up on a redirect loop and says so', async () => {
    const { url } = await site((_s, res) => void res.writeHead(302, { location: '/again' }).end());
    await expect(defaultHttpClient({ url, timeoutMs: 5000 })).rejects.toThrow(/redirected more than 20 times/);
  });

  it('times out a server that never answers, as a timeout', async () => {
    const s = createServer(() => undefined);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
    const err = (await defaultHttpClient({ url, timeoutMs: 200 }).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/did not answer within/);
    s.closeAllConnections();
  });

  it('names a refused connection', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
    await new Promise<void>((r) => s.close(() => r()));
    const err = (await defaultHttpClient({ url, timeoutMs: 2000 }).catch((e: unknown) => e)) as ProviderError;
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/connection refused/);
  });

  it('names a reply cut off mid-body as a dropped connection', async () => {
    const { url } = await site((_s, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = (await defaultHttpClient({ url, timeoutMs: 2000 }).catch((e: unknown) => e)) as ProviderError;
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/connection dropped/);
  });
});
