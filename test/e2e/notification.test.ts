// A real desktop popup: Xvfb + a DBus session + dunst, the real node-notifier notifier (notify-send), driven through
// the AlertEngine with a balance under the threshold. Exactly one notification must reach the daemon, and the
// screenshot in artifacts/e2e/notification.png shows it.
//
// startDesktop() is self-contained so a later test (`spendbar serve` polling a fake) can reuse it as is.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateRules } from '../../shared/alerts.ts';
import type { AccountStatus, Snapshot } from '../../shared/domain.ts';
import { AlertEngine, historyFromStore } from '../../electron/core/alerts/index.ts';
import { createNodeNotifier } from '../../electron/core/notify/node-notifier.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';

const TOOLS = ['Xvfb', 'dbus-launch', 'dbus-monitor', 'dunst', 'dunstctl', 'notify-send', 'import'];
const SHOT = join(process.cwd(), 'artifacts/e2e/notification.png');

function missingTools(): string[] {
  return TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Desktop {
  /** DISPLAY and DBUS_SESSION_BUS_ADDRESS for anything that should show popups here. */
  env: Record<string, string>;
  /** Notify calls seen on the session bus. */
  notifyCalls(): number;
  /** Notifications dunst holds: shown, waiting and in its history. */
  dunstCount(): number;
  screenshot(path: string): void;
  stop(): void;
}

export async function startDesktop(): Promise<Desktop> {
  const work = mkdtempSync(join(tmpdir(), 'spendbar-desktop-'));
  let display = 90;
  while (existsSync(`/tmp/.X11-unix/X${display}`) || existsSync(`/tmp/.X${display}-lock`)) display++;
  const children: ChildProcess[] = [];
  const own = (c: ChildProcess) => (children.push(c), c);
  const DISPLAY = `:${display}`;
  own(spawn('Xvfb', [DISPLAY, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' }));
  await waitFor('Xvfb', () => existsSync(`/tmp/.X11-unix/X${display}`));
  const launched = spawnSync('dbus-launch', ['--sh-syntax'], { env: { ...process.env, DISPLAY }, encoding: 'utf8' });
  const address = /DBUS_SESSION_BUS_ADDRESS='([^']+)'/.exec(launched.stdout)?.[1];
  const busPid = Number(/DBUS_SESSION_BUS_PID=(\d+)/.exec(launched.stdout)?.[1]);
  if (!address || !busPid) throw new Error(`dbus-launch failed: ${launched.stderr || launched.stdout}`);
  const env = { DISPLAY, DBUS_SESSION_BUS_ADDRESS: address };
  const childEnv = { ...process.env, ...env };
  const monitorLog = join(work, 'dbus-monitor.log');
  const monitor = own(
    spawn('sh', ['-c', `exec dbus-monitor --session "interface='org.freedesktop.Notifications',member='Notify'" > '${monitorLog}'`], { env: childEnv, stdio: 'ignore' }),
  );
  own(spawn('dunst', ['-config', '/dev/null'], { env: childEnv, stdio: 'ignore' }));
  const dunstctl = (...args: string[]) => spawnSync('dunstctl', args, { env: childEnv, encoding: 'utf8' });
  await waitFor('dunst', () => dunstctl('count').status === 0 && existsSync(monitorLog));
  // dbus-monitor prints its own NameAcquired lines first; wait until it is listening.
  await waitFor('dbus-monitor', () => readFileSync(monitorLog, 'utf8').length > 0);
  void monitor;
  return {
    env,
    notifyCalls: () => (readFileSync(monitorLog, 'utf8').match(/member=Notify\b/g) ?? []).length,
    dunstCount() {
      const out = dunstctl('count').stdout;
      return [...out.matchAll(/(Waiting|Currently displayed|History):\s*(\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
    },
    screenshot(path) {
      mkdirSync(dirname(path), { recursive: true });
      const r = spawnSync('import', ['-window', 'root', path], { env: childEnv, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
    },
    stop() {
      for (const c of children.reverse()) if (c.pid && c.exitCode === null) c.kill('SIGTERM');
      try {
        process.kill(busPid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

const missing = missingTools();
if (missing.length > 0) {
  const message = `Desktop popup e2e needs ${missing.join(', ')} (apt-get install -y xvfb dunst libnotify-bin dbus-x11 imagemagick).`;
  if (process.env.SPENDBAR_REQUIRE_BROWSER === '1') throw new Error(message);
  console.warn(`\n!!! SKIPPING the desktop popup test: ${message}\n`);
}

describe.skipIf(missing.length > 0)('desktop popup through node-notifier', () => {
  let desktop: Desktop | undefined;
  const saved = { DISPLAY: process.env.DISPLAY, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
  const dir = mkdtempSync(join(tmpdir(), 'spendbar-e2e-'));
  afterAll(() => {
    desktop?.stop();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a balance under the threshold raises exactly one popup, and a person can see it', async () => {
    desktop = await startDesktop();
    // node-notifier runs notify-send with this process's environment.
    Object.assign(process.env, desktop.env);
    const store = SnapshotStore.open(join(dir, 'spendbar.db'), { timeZone: 'UTC' });
    const { rules, errors } = validateRules([{ type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' }], { accountIds: ['gw'] });
    expect(errors).toEqual([]);
    const engine = new AlertEngine({ db: store.db, history: historyFromStore(store), rules, notifier: createNodeNotifier(), timeZone: 'UTC', tickMs: 0 });
    const poll = (time: number) => {
      const m = { micros: 4_200_000, currency: 'USD' };
      const s: Snapshot = { accountId: 'gw', provider: 'newapi', time, ok: true, error: null, balance: m, balances: [m], spent: {}, quota: null, usage: [], estimated: false, notes: [] };
      store.saveSnapshot(s);
      const status: AccountStatus = { accountId: 'gw', latest: s, lastSuccess: s, stale: false, polling: false, paused: false, nextPollAt: null, consecutiveFailures: 0 };
      return engine.onSnapshot(s, [status]);
    };
    try {
      expect(poll(Date.now())).toHaveLength(1);
      await engine.idle();
      await waitFor('the popup to reach dunst', () => desktop!.dunstCount() >= 1);
      expect(poll(Date.now() + 1)).toHaveLength(0);
      await engine.idle();
      await new Promise((r) => setTimeout(r, 1000));
      expect(desktop.notifyCalls()).toBe(1);
      expect(desktop.dunstCount()).toBe(1);
      expect(engine.history()[0]!.deliveries).toMatchObject([{ channelId: 'popup', ok: true }]);
      desktop.screenshot(SHOT);
      expect(readFileSync(SHOT).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await engine.close();
      store.close();
    }
  });
});

/** Starts the real `spendbar serve` and resolves with its URL once it listens. */
function startServe(args: string[], env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const bin = join(import.meta.dirname, '../../bin/spendbar.js');
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Spendbar is serving on (http:\/\/\S+)/.exec(out)?.[1];
      if (url)
        resolve({
          url,
          child,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`spendbar serve exited ${code}: ${err}`)));
  });
}

describe.skipIf(missing.length > 0)('spendbar serve raises one desktop popup for a low balance', () => {
  it('polls a fake gateway under the threshold: one popup, none again after a restart', async () => {
    const { startNewApiFake } = await import('../../electron/core/providers/fakes/newapi.ts');
    const { writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'spendbar-e2e-serve-'));
    const key = 'sk-e2e-gateway-key-000001';
    // $20 granted, $15.80 used at 500,000 quota per dollar: $4.20 left, under the $5 rule.
    const gateway = await startNewApiFake({ state: { keys: { [key]: { name: 'e2e', granted: 10_000_000, used: 7_900_000, unlimited: false, expiresAt: 0 } } } });
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ accounts: [{ id: 'gw', provider: 'newapi', label: 'Gateway', baseUrl: gateway.url, apiKeyEnv: 'E2E_GW_KEY' }], alerts: [{ type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' }] }),
    );
    const desktop = await startDesktop();
    const env = { ...desktop.env, E2E_GW_KEY: key };
    const args = ['--config', config, '--data-dir', join(dir, 'data')];
    const refresh = async (url: string) => {
      const r = await fetch(`${url}/api/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(r.status).toBe(200);
    };
    try {
      let serve = await startServe(args, env);
      await refresh(serve.url);
      await refresh(serve.url);
      await waitFor('the popup to reach dunst', () => desktop.dunstCount() >= 1);
      const alerts = (await (await fetch(`${serve.url}/api/alerts/history`)).json()) as { title: string; deliveries: { ok: boolean }[] }[];
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.deliveries[0]!.ok).toBe(true);
      desktop.screenshot(join(process.cwd(), 'artifacts/e2e/notification-serve.png'));
      await serve.stop();

      // A restart must neither repeat nor forget the alert.
      serve = await startServe(args, env);
      await refresh(serve.url);
      await new Promise((r) => setTimeout(r, 1500));
      expect(desktop.notifyCalls()).toBe(1);
      expect(desktop.dunstCount()).toBe(1);
      const after = (await (await fetch(`${serve.url}/api/alerts/history`)).json()) as unknown[];
      expect(after).toHaveLength(1);
      await serve.stop();
    } finally {
      desktop.stop();
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
