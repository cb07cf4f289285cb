import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertChannel } from '../../../shared/alerts.ts';
import { balanceSnap, setup, type Setup } from './helpers.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** A real webhook receiver on loopback; `plan` says which status to answer, request by request (200 when exhausted). */
class Receiver {
  readonly got: Received[] = [];
  plan: number[] = [];
  delayMs = 0;
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        this.got.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) as Record<string, unknown> });
        const status = this.plan.shift() ?? 200;
        setTimeout(() => res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end(status < 300 ? 'ok' : 'nope'), this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const T0 = Date.UTC(2025, 2, 4, 12);
const LOW = [{ type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' }];
let rx: Receiver;
let s: Setup | undefined;
beforeEach(async () => {
  rx = new Receiver();
  await rx.start();
});
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
  await rx.stop();
});

const hook = (id: string, format: 'json' | 'slack' | 'discord' | 'ntfy', path = `/${id}/T0KEN-secret`): AlertChannel => ({ id, type: 'webhook', url: `${rx.base}${path}`, format });

describe('webhook formats', () => {
  it('delivers each format to a real receiver', async () => {
    const channels = [hook('json', 'json'), hook('slack', 'slack'), hook('discord', 'discord'), hook('ntfy', 'ntfy', '/ntfy/spendbar-alerts')];
    s = await setup(LOW, { t0: T0, channels });
    const [event] = s.poll(balanceSnap('gw', T0, 4.2));
    await s.engine.idle();
    const by = Object.fromEntries(rx.got.map((r) => [r.path.split('/')[1], r]));
    expect(rx.got).toHaveLength(4);
    expect(by.json!.headers['content-type']).toBe('application/json');
    expect(by.json!.body).toMatchObject({
      source: 'spendbar',
      test: false,
      kind: 'fired',
      id: event!.id,
      title: 'gw: balance $4.20',
      severity: 'critical',
      accountId: 'gw',
      value: 4_200_000,
      threshold: 5_000_000,
      unit: { kind: 'money', currency: 'USD' },
      rule: { id: event!.ruleId, type: 'balance-below' },
      time: new Date(T0).toISOString(),
    });
    expect(by.slack!.body).toEqual({ text: '*gw: balance $4.20*\nBelow your $5.00 alert. Top up to keep API calls working.' });
    expect(by.discord!.body).toMatchObject({ username: 'Spendbar', allowed_mentions: { parse: [] }, embeds: [{ title: 'gw: balance $4.20', color: 0xdc2626 }] });
    // ntfy: JSON publishing to the server root, with the topic in the body.
    expect(by.ntfy!.path).toBe('/ntfy/');
    expect(by.ntfy!.body).toMatchObject({ topic: 'spendbar-alerts', title: 'gw: balance $4.20', priority: 5 });
    expect(s.engine.history()[0]!.deliveries.filter((d) => d.ok).map((d) => d.channelId).sort()).toEqual(['discord', 'json', 'ntfy', 'slack']);
  });
});

describe('failures and retries', () => {
  it('retries 5xx and 429 with backoff, then records the delivery', async () => {
    rx.plan = [500, 429, 200];
    s = await setup(LOW, { t0: T0, channels: [hook('json', 'json')], retry: { baseDelayMs: 5 } });
    s.poll(balanceSnap('gw', T0, 4));
    await s.engine.idle();
    expect(rx.got).toHaveLength(3);
    expect(s.engine.history()[0]!.deliveries).toMatchObject([{ channelId: 'json', ok: true, attempts: 3 }]);
  });

  it('gives up after the bounded number of tries', async () => {
    rx.plan = [503, 503, 503, 200];
    s = await setup(LOW, { t0: T0, channels: [hook('a', 'json')], retry: { baseDelayMs: 1, attempts: 3 } });
    s.poll(balanceSnap('gw', T0, 4));
    await s.engine.idle();
    expect(rx.got).toHaveLength(3);
    const [d] = s.engine.history()[0]!.deliveries;
    expect(d).toMatchObject({ channelId: 'a', ok: false, attempts: 3 });
    expect(d!.message).toMatch(/^127\.0\.0\.1:\d+ answered 503\. \(gave up after 3 tries\)$/);
  });

  it('never retries a 4xx, and never names the secret path', async () => {
    rx.plan = [404, 200];
    s = await setup(LOW, { t0: T0, channels: [hook('a', 'slack')], retry: { baseDelayMs: 1, attempts: 3 } });
    s.poll(balanceSnap('gw', T0, 4));
    await s.engine.idle();
    expect(rx.got).toHaveLength(1);
    const [d] = s.engine.history()[0]!.deliveries;
    expect(d).toMatchObject({ ok: false, attempts: 1 });
    expect(d!.message).toContain('answered 404. The webhook may have been deleted');
    expect(d!.message).not.toContain('T0KEN');
  });

  it('one failing channel blocks neither another channel nor the caller', async () => {
    rx.delayMs = 300;
    const dead: AlertChannel = { id: 'dead', type: 'webhook', url: 'http://127.0.0.1:1/hook', format: 'json' };
    s = await setup(LOW, { t0: T0, channels: [dead, hook('slow', 'slack'), { id: 'popup', type: 'popup' }], retry: { baseDelayMs: 50, attempts: 3 } });
    const started = performance.now();
    const events = s.poll(balanceSnap('gw', T0, 4));
    expect(performance.now() - started).toBeLessThan(200);
    expect(events).toHaveLength(1);
    expect(rx.got).toHaveLength(0);
    await s.engine.idle();
    const d = Object.fromEntries(s.engine.history()[0]!.deliveries.map((x) => [x.channelId, x]));
    expect(d.slow).toMatchObject({ ok: true, attempts: 1 });
    expect(d.popup).toMatchObject({ ok: true });
    expect(d.dead).toMatchObject({ ok: false, attempts: 3 });
    expect(d.dead!.message).toContain('Could not reach 127.0.0.1:1');
    expect(s.notifier.shown).toHaveLength(1);
  });

  it('close() cuts retry waits short', async () => {
    rx.plan = [500, 500, 500];
    s = await setup(LOW, { t0: T0, channels: [hook('json', 'json')], retry: { baseDelayMs: 60_000 } });
    s.poll(balanceSnap('gw', T0, 4));
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await s.engine.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(rx.got).toHaveLength(1);
  });
});

describe('send test', () => {
  it('sends one test message and reports the outcome without retrying', async () => {
    s = await setup(LOW, { t0: T0, channels: [hook('json', 'json'), { id: 'popup', type: 'popup' }] });
    expect(await s.engine.sendTest('json')).toMatchObject({ ok: true, attempts: 1, channelId: 'json' });
    expect(rx.got[0]!.body).toMatchObject({ test: true, title: 'Spendbar test alert' });
    rx.plan = [500];
    const failed = await s.engine.sendTest(hook('draft', 'discord'));
    expect(failed).toMatchObject({ ok: false, attempts: 1 });
    expect(failed.message).toMatch(/answered 500/);
    expect(await s.engine.sendTest('popup')).toMatchObject({ ok: true });
    expect(s.notifier.shown[0]!.title).toBe('Spendbar test alert');
    expect(await s.engine.sendTest('nope')).toMatchObject({ ok: false, message: 'No alert channel "nope".' });
    expect(rx.got).toHaveLength(2);
  });
});
