// The provider HTTP client against real loopback servers that misbehave: huge replies (chunked or announced),
// and Retry-After values no one should wait for.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchHttpClient, MAX_REPLY_BYTES, readJson } from '../../electron/core/http.ts';
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
    const err = await fetchHttpClient({ url, timeoutMs: 30_000 }).then(
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
    await expect(fetchHttpClient({ url, timeoutMs: 30_000 })).rejects.toThrow(/announced more than \d+ MB/);
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
    const got = await fetchHttpClient({ url, timeoutMs: 30_000 });
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
