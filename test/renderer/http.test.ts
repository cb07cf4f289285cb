import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// A real EventSource (the one Node's fetch stack ships); Node 24 only exposes it globally behind a flag.
import { EventSource } from 'undici';
import { ApiError, createHttpApi, type EventSourceLike } from '../../renderer/api/http.ts';
import type { SpendbarEvent } from '../../shared/api.ts';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  type: string | undefined;
  body: unknown;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
const sse = new Set<ServerResponse>();

function send(res: ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers['content-type'], body: text ? JSON.parse(text) : undefined });
      const url = new URL(req.url!, 'http://x');
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /api/events') {
        if (url.searchParams.get('token') !== 'tok') return send(res, 401, { error: { message: 'bad token' } });
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write(': hello\n\n');
        sse.add(res);
        res.on('close', () => sse.delete(res));
        return;
      }
      if (req.headers.authorization !== 'Bearer tok') return send(res, 401, { error: { message: 'Open the link with its token.' } });
      if (route === 'GET /api/info') return send(res, 200, { version: '1', mode: 'serve', demo: true, timeZone: 'UTC', secretProtection: 'file-key', paused: false });
      if (route === 'POST /api/accounts') {
        const { input } = JSON.parse(text) as { input: { label: string } };
        if (!input.label) return send(res, 400, { error: { message: 'Name the account.', field: 'label' } });
        return send(res, 422, { error: { message: 'The key was rejected (HTTP 401).' }, test: { ok: false, snapshot: { accountId: 'x' } } });
      }
      if (route === 'PUT /api/accounts/a%2Fb') return send(res, 200, { account: { id: 'a/b' }, test: { ok: true } });
      if (route === 'DELETE /api/accounts/a%2Fb') return send(res, 204);
      if (route === 'POST /api/refresh') return send(res, 200, []);
      if (route === 'POST /api/pause') return send(res, 204);
      if (route === 'POST /api/series') return send(res, 200, { query: JSON.parse(text), bucket: 'day', series: [] });
      if (route === 'GET /api/status') return send(res, 200, []);
      if (route === 'GET /api/alerts/history') return send(res, 200, [{ query: url.search }]);
      if (route === 'POST /api/alerts/acknowledge') return send(res, 200, { acknowledged: true });
      if (route === 'POST /api/alerts/snooze' || route === 'POST /api/alerts/test' || route === 'POST /api/alerts/preview' || route === 'PUT /api/alerts') return send(res, 200, { echo: JSON.parse(text) });
      return send(res, 500, 'not json');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of sse) res.end();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const api = () => createHttpApi({ baseUrl: base, token: 'tok', eventSource: (url) => new EventSource(url) as unknown as EventSourceLike });

describe('HTTP transport', () => {
  it('sends the bearer token and reads JSON', async () => {
    const info = await api().getInfo();
    expect(info.demo).toBe(true);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/api/info', auth: 'Bearer tok' });
  });

  it('turns an error body into an ApiError with its message, field and failed test', async () => {
    const input = { provider: 'openrouter' as const, label: '' };
    const bad = await api().saveAccount(input).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect(bad).toMatchObject({ message: 'Name the account.', field: 'label', status: 400 });
    const failed = await api().saveAccount({ ...input, label: 'x' }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ message: 'The key was rejected (HTTP 401).', status: 422, test: { ok: false } });
    expect(seen.at(-1)!.body).toEqual({ input: { provider: 'openrouter', label: 'x' } });
    const anon = await createHttpApi({ baseUrl: base }).getInfo().catch((e: unknown) => e);
    expect(anon).toMatchObject({ message: 'Open the link with its token.', status: 401 });
    const broken = await api().getStatus().then(() => null, (e: unknown) => e);
    expect(broken).toBeNull();
    const nonJson = await api().listProviders().catch((e: unknown) => e);
    expect(nonJson).toMatchObject({ message: 'Spendbar answered HTTP 500.' });
  });

  it('uses PUT for an existing account, DELETE with 204, and posts bodies as the routes say', async () => {
    await api().saveAccount({ id: 'a/b', provider: 'deepseek', label: 'y' }, { force: true });
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', url: '/api/accounts/a%2Fb', body: { input: { id: 'a/b' }, force: true } });
    await expect(api().removeAccount('a/b')).resolves.toBeUndefined();
    await api().refresh('acc1');
    expect(seen.at(-1)).toMatchObject({ url: '/api/refresh', body: { accountId: 'acc1' } });
    await api().refresh();
    expect(seen.at(-1)!.body).toEqual({});
    await api().setPaused(true);
    expect(seen.at(-1)).toMatchObject({ url: '/api/pause', body: { paused: true } });
    const res = await api().querySeries({ metric: 'cost', bucket: 'day', groupBy: 'model', from: 1, to: 2 });
    expect(res.query.metric).toBe('cost');
  });

  it('sends every state-changing request as JSON, bodiless ones too (the server refuses anything else)', async () => {
    seen.length = 0;
    await api().removeAccount('a/b');
    await api().setPaused(true);
    await api().refresh();
    expect(seen.map((s) => [s.method, s.type])).toEqual([
      ['DELETE', 'application/json'],
      ['POST', 'application/json'],
      ['POST', 'application/json'],
    ]);
  });

  it('speaks the alert routes’ wire format', async () => {
    const history = (await api().alertHistory({ ruleId: 'r1', acknowledged: false, limit: 5 })) as unknown as { query: string }[];
    expect(history[0]!.query).toBe('?ruleId=r1&acknowledged=false&limit=5');
    await expect(api().acknowledgeAlert(7)).resolves.toBe(true);
    expect(seen.at(-1)!.body).toEqual({ eventId: 7 });
    await api().snoozeAlert({ ruleId: 'r1', subject: 'acc' }, '1h');
    expect(seen.at(-1)!.body).toEqual({ ruleId: 'r1', subject: 'acc', until: '1h' });
    await api().testAlertChannel('hook');
    expect(seen.at(-1)!.body).toEqual({ channelId: 'hook' });
    await api().previewAlertRule({ id: 'r', type: 'balance-below' }, 30);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/api/alerts/preview', body: { rule: { id: 'r' }, days: 30 } });
    await api().saveAlerts({ rules: [] });
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', url: '/api/alerts', body: { rules: [] } });
  });

  it('says the server is unreachable when nothing listens', async () => {
    const gone = createHttpApi({ baseUrl: 'http://127.0.0.1:1' });
    await expect(gone.getInfo()).rejects.toThrow(/Cannot reach Spendbar/);
  });

  it('delivers server-sent events with the token in the URL, until unsubscribed', async () => {
    const events: SpendbarEvent[] = [];
    const off = api().subscribe((e) => events.push(e));
    await waitUntil(() => sse.size === 1);
    expect(seen.at(-1)!.url).toBe('/api/events?token=tok');
    const event: SpendbarEvent = { type: 'status', statuses: [] };
    for (const res of sse) res.write(`data: ${JSON.stringify(event)}\n\ndata: not json\n\ndata: ${JSON.stringify({ type: 'accounts', accounts: [] })}\n\n`);
    await waitUntil(() => events.length === 2);
    expect(events).toEqual([event, { type: 'accounts', accounts: [] }]);
    off();
    await waitUntil(() => sse.size === 0);
  });
});

describe('HTTP transport: one event stream', () => {
  it('shares one stream between listeners and closes it after the last one leaves', async () => {
    const shared = api();
    const streams = () => seen.filter((r) => r.url.startsWith('/api/events')).length;
    const opened = streams();
    const a: SpendbarEvent[] = [];
    const b: SpendbarEvent[] = [];
    const offA = shared.subscribe((e) => a.push(e));
    const offB = shared.subscribe((e) => b.push(e));
    await waitUntil(() => sse.size === 1);
    const event: SpendbarEvent = { type: 'accounts', accounts: [] };
    for (const res of sse) res.write(`data: ${JSON.stringify(event)}\n\n`);
    await waitUntil(() => a.length === 1 && b.length === 1);
    expect(streams()).toBe(opened + 1);
    offA();
    offA();
    for (const res of sse) res.write(`data: ${JSON.stringify(event)}\n\n`);
    await waitUntil(() => b.length === 2);
    expect(a).toHaveLength(1);
    expect(sse.size).toBe(1);
    offB();
    await waitUntil(() => sse.size === 0);
  });
});

async function waitUntil(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
