// A refused upload's connection: the refusal reaches a client that is still sending (no reset), what it still sends
// is read and dropped within the limits, and past them the connection is closed.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAfterRefusal, type LingerLimits } from '../../electron/core/server/refused-upload.ts';

let server: Server | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A server that refuses every body after its first chunk, counting what it was sent in all. */
async function refusing(limits: LingerLimits): Promise<{ port: number; received: () => number; closed: Promise<number> }> {
  let received = 0;
  let refusedAt = 0;
  let closedAfter: (ms: number) => void = () => undefined;
  const closed = new Promise<number>((r) => (closedAfter = r));
  server = createServer((req, res) => {
    req.socket.once('close', () => closedAfter(Date.now() - refusedAt));
    req.on('data', (c: Buffer) => (received += c.length));
    req.once('data', () => {
      refusedAt = Date.now();
      closeAfterRefusal(res, limits);
      res.writeHead(413, { 'content-type': 'text/plain' });
      res.end('too large');
    });
    req.resume();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, received: () => received, closed };
}

interface Outcome {
  reply: string;
  /** The server's end came before the connection closed (a clean close, the refusal readable). */
  ended: boolean;
  reset: boolean;
}

/**
 * Sends a chunked upload of `total` bytes (Infinity: until the server stops it) and keeps sending after the
 * server's end, as a client busy writing its body would; resolves once the connection is closed.
 */
function upload(port: number, total: number, opts: { stallAfter?: number } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const s: Socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    clients.push(s);
    const out: Outcome = { reply: '', ended: false, reset: false };
    let sent = 0;
    s.on('data', (c) => (out.reply += c.toString('latin1')));
    s.on('end', () => (out.ended = true));
    s.on('error', () => (out.reset = true));
    s.on('close', () => resolve(out));
    const chunk = Buffer.alloc(256 * 1024, 32);
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    s.write('POST /up HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
    const pump = (): void => {
      while (!s.destroyed && sent < total) {
        if (opts.stallAfter !== undefined && sent >= opts.stallAfter) return;
        sent += chunk.length;
        if (!s.write(frame)) return void s.once('drain', pump);
      }
      if (!s.destroyed) s.end('0\r\n\r\n');
    };
    pump();
  });
}

describe('closeAfterRefusal', () => {
  it('lets a client still sending 40 MB read the refusal, reads the rest, then ends the connection cleanly', async () => {
    const srv = await refusing({ ms: 10_000, bytes: 64 * 1024 * 1024 });
    const out = await upload(srv.port, 40 * 1024 * 1024);
    await srv.closed;
    expect(out.reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.reply).toMatch(/connection: close/i);
    expect(out.reply).toMatch(/too large/);
    expect(out).toMatchObject({ ended: true, reset: false });
    expect(srv.received()).toBe(40 * 1024 * 1024);
  });

  it('closes the connection of a client that keeps sending past the byte limit', async () => {
    const srv = await refusing({ ms: 10_000, bytes: 2 * 1024 * 1024 });
    const out = await upload(srv.port, Infinity);
    await srv.closed;
    expect(out.reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(srv.received()).toBeLessThan(8 * 1024 * 1024);
  });

  it('closes the connection of a client that stops sending without ending, once the time limit passes', async () => {
    const srv = await refusing({ ms: 300, bytes: 64 * 1024 * 1024 });
    const stalled = upload(srv.port, Infinity, { stallAfter: 1024 * 1024 });
    const after = await srv.closed;
    // Closed by the limit, well before Node's own keep-alive timeout (5 s) would.
    expect(after).toBeGreaterThanOrEqual(250);
    expect(after).toBeLessThan(4000);
    clients.at(-1)?.destroy();
    expect((await stalled).reply).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('asks for the connection to close when the body was already read to its end', async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        closeAfterRefusal(res);
        res.writeHead(413);
        res.end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
  });
});
