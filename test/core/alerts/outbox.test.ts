// Webhook deliveries survive a crash: a process SIGKILLed during the retry back-off leaves the delivery owed in
// spendbar.db, the next start delivers it, and the start after that delivers nothing again (once per breach).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SnapshotStore } from '../../../electron/core/store/index.ts';
import { AlertEngine, historyFromStore } from '../../../electron/core/alerts/index.ts';
import { validateRules } from '../../../shared/alerts.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'delivery-child.ts');

let rx: Server | undefined;
afterEach(() => new Promise<void>((r) => (rx ? rx.close(() => r()) : r())));

/** A receiver that answers each request with the next status of `plan` (200 when exhausted). */
async function receiver(plan: number[]): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  rx = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push(text);
      res.writeHead(plan.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => rx!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hook/T0KEN`, bodies };
}

function owed(file: string): { attempts: number; next_at: number }[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare('SELECT attempts, next_at FROM alert_deliveries').all() as { attempts: number; next_at: number }[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

function engineOn(file: string, url: string, clockAhead: number): { engine: AlertEngine; store: SnapshotStore } {
  const store = SnapshotStore.open(file, { timeZone: 'UTC' });
  const { rules } = validateRules([{ id: 'low', type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' }], { accountIds: ['gw'] });
  const engine = new AlertEngine({
    db: store.db,
    history: historyFromStore(store),
    rules,
    channels: [{ id: 'hook', type: 'webhook', url, format: 'json' }],
    tickMs: 0,
    timeZone: 'UTC',
    now: () => Date.now() + clockAhead,
    retry: { baseDelayMs: 60_000, attempts: 4 },
  });
  return { engine, store };
}

describe('durable webhook deliveries', () => {
  it('resumes a delivery whose process was killed during the back-off, and delivers it once', async () => {
    const hook = await receiver([503]);
    const file = join(mkdtempSync(join(tmpdir(), 'spendbar-outbox-')), 'spendbar.db');
    const child = spawn(process.execPath, [CHILD, file, hook.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_code, signal) => r(signal)));
    // Killed once the failed first try is on disk and the child sleeps in its 60 s back-off.
    const deadline = Date.now() + 20_000;
    while (!(hook.bodies.length === 1 && owed(file)[0]?.attempts === 1)) {
      if (Date.now() > deadline) throw new Error(`the child never failed its first try: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(owed(file)).toHaveLength(1);

    // The next start, after the back-off: the receiver is up again.
    const second = engineOn(file, hook.url, 120_000);
    await second.engine.idle();
    expect(hook.bodies).toHaveLength(2);
    expect(JSON.parse(hook.bodies[1]!)).toMatchObject({ kind: 'fired', rule: { id: 'low' }, accountId: 'gw' });
    const [event] = second.engine.history();
    expect(event?.deliveries).toMatchObject([{ channelId: 'hook', ok: true, attempts: 2 }]);
    expect(owed(file)).toEqual([]);
    await second.engine.close();
    second.store.close();

    // And the start after that owes nothing: still one alert, delivered once.
    const third = engineOn(file, hook.url, 240_000);
    await third.engine.idle();
    expect(hook.bodies).toHaveLength(2);
    expect(third.engine.history()).toHaveLength(1);
    await third.engine.close();
    third.store.close();
  });

  it('records a delivery owed to a channel that no longer exists as failed, instead of dropping it', async () => {
    const hook = await receiver([503]);
    const file = join(mkdtempSync(join(tmpdir(), 'spendbar-outbox-')), 'spendbar.db');
    const first = engineOn(file, hook.url, 0);
    const balance = { micros: 4_000_000, currency: 'USD' };
    const { blankSnapshot } = await import('../../../electron/core/snapshots.ts');
    const snap = blankSnapshot('gw', 'newapi', Date.now(), { balance, balances: [balance] });
    first.store.saveSnapshot(snap);
    first.engine.onSnapshot(snap, [{ accountId: 'gw', latest: snap, lastSuccess: snap, stale: false, polling: false, paused: false, nextPollAt: null, consecutiveFailures: 0 }]);
    await new Promise((r) => setTimeout(r, 200));
    await first.engine.close();
    first.store.close();
    expect(owed(file)).toHaveLength(1);

    const store = SnapshotStore.open(file, { timeZone: 'UTC' });
    const engine = new AlertEngine({ db: store.db, history: historyFromStore(store), tickMs: 0, timeZone: 'UTC', channels: [{ id: 'popup', type: 'popup' }] });
    await engine.idle();
    expect(engine.history()[0]?.deliveries).toMatchObject([{ channelId: 'hook', ok: false, message: expect.stringMatching(/channel was removed/) }]);
    expect(owed(file)).toEqual([]);
    await engine.close();
    store.close();
  });
});
