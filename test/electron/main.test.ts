import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CoreOptions } from '../../electron/core/ports.ts';
import { electronMock, FakeBrowserWindow, FakeNotification, FakeTray, invokeMain, resetElectronMock } from './electron-mock.ts';
import type { RecordingApi } from './fake-api.ts';
import { alert, status, usd } from './fixtures.ts';

vi.mock('electron', async () => (await import('./electron-mock.ts')).electronModule());
vi.mock('electron-store', async () => (await import('./electron-mock.ts')).electronStoreModule());

// The engine is the lead's; here only its contract matters: createCore(opts) → Core.
const engine = vi.hoisted(() => ({
  calls: [] as unknown[],
  fail: null as Error | null,
  cores: [] as { api: unknown; start: ReturnType<typeof import('vitest').vi.fn>; stop: ReturnType<typeof import('vitest').vi.fn>; meter: { urls: (string | null)[] } }[],
}));
vi.mock('../../electron/core/engine.ts', async () => {
  const { vi: v } = await import('vitest');
  const { recordingApi: make } = await import('./fake-api.ts');
  return {
    createCore: v.fn(async (opts: unknown) => {
      engine.calls.push(opts);
      if (engine.fail) throw engine.fail;
      // The metering proxy's handler stands in for the real one: main only has to serve it on loopback.
      const urls: (string | null)[] = [];
      const meter = {
        urls,
        handler: () => async (_req: unknown, res: { end(text: string): void }) => res.end('metered'),
        setUrl: (u: string | null) => urls.push(u),
      };
      const core = { api: make(), start: v.fn(async () => {}), stop: v.fn(async () => {}), meter };
      engine.cores.push(core);
      return core;
    }),
  };
});

const { EVENT_CHANNEL, INVOKE_CHANNELS, NAVIGATE_CHANNEL } = await import('../../electron/shell/ipc-contract.ts');

let dir: string;
const realPlatform = process.platform;
const realArgv = process.argv;

async function launch() {
  vi.resetModules();
  const main = await import('../../electron/main.ts');
  const running = await main.running;
  return { main, running, opts: engine.calls[0] as CoreOptions | undefined, core: engine.cores[0] };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  resetElectronMock();
  engine.calls = [];
  engine.cores = [];
  engine.fail = null;
  dir = mkdtempSync(join(tmpdir(), 'spendbar-main-'));
  electronMock.app.paths.userData = dir;
  delete process.env.VITE_DEV_SERVER_URL;
  // Any free port: tests must not fight over (or with a running app on) the fixed default.
  process.env.SPENDBAR_PROXY_PORT = '0';
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  Object.defineProperty(process, 'platform', { value: realPlatform });
  process.argv = realArgv;
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('electron/main.ts', () => {
  it('starts the core with the app’s adapters in userData', async () => {
    const { opts, core } = await launch();
    expect(engine.calls).toHaveLength(1);
    expect(opts).toMatchObject({ dataDir: dir, mode: 'app', version: '0.1.0-test' });
    expect(opts!.settings.get()).toMatchObject({ accounts: [], alerts: [] });
    expect(opts!.secrets.protection).toBe('os');
    expect(typeof opts!.notifier?.notify).toBe('function');
    expect(core!.start).toHaveBeenCalledOnce();
    expect(electronMock.privilegedSchemes).toHaveLength(1);
    expect(electronMock.protocolHandlers.has('app')).toBe(true);
  });

  it('opens the sandboxed window, puts the core behind IPC and draws the tray', async () => {
    const { core } = await launch();
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.visible).toBe(true);
    expect(win.loadedUrl).toBe('app://spendbar/index.html');
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/preload\.cjs$/);

    const info = await invokeMain(INVOKE_CHANNELS.getInfo, 'app://spendbar/index.html');
    expect(info).toMatchObject({ ok: true, value: { mode: 'app' } });
    expect(await invokeMain(INVOKE_CHANNELS.getInfo, 'https://evil.example/')).toMatchObject({ ok: false });
    expect((core!.api as RecordingApi).calls.filter((c) => c.method === 'getInfo')).toHaveLength(2); // tray load + one IPC call

    const tray = FakeTray.instances[0]!;
    expect(tray.menu!.template[0]!.label).toBe('OpenRouter — $10.00');
  });

  it('forwards core events to the window and rebuilds the tray', async () => {
    const { core } = await launch();
    const event = { type: 'status' as const, statuses: [status('or', { balance: usd(1.25), week: usd(70) })] };
    (core!.api as RecordingApi).emit(event);
    expect(FakeBrowserWindow.instances[0]!.webContents.sent).toContainEqual({ channel: EVENT_CHANNEL, args: [event] });
    const tray = FakeTray.instances[0]!;
    expect(tray.menu!.template[0]!.label).toBe('OpenRouter — $1.25');
    expect(tray.tooltip).toContain('Lowest runway: 0.1 days (OpenRouter)');
  });

  it('shows active alerts in the tray icon and clears them when the window acknowledges one', async () => {
    const { core } = await launch();
    const api = core!.api as RecordingApi;
    const tray = FakeTray.instances[0]!;
    expect(tray.image.path).toMatch(/tray-normal[-T]/);
    const fired = alert(5, 'critical');
    api.activeAlerts = [fired];
    api.emit({ type: 'alert', alert: fired });
    await flush();
    expect(FakeBrowserWindow.instances[0]!.webContents.sent).toContainEqual({ channel: EVENT_CHANNEL, args: [{ type: 'alert', alert: fired }] });
    expect(tray.image.path).toMatch(/tray-alert[-T]/);
    // No event follows an acknowledgement; the IPC call itself makes the tray look again.
    expect(await invokeMain(INVOKE_CHANNELS.acknowledgeAlert, 'app://spendbar/index.html', 5)).toEqual({ ok: true, value: true });
    await flush();
    expect(tray.image.path).toMatch(/tray-normal[-T]/);
  });

  it('turns the core’s alerts into notifications whose click opens the account', async () => {
    const { opts } = await launch();
    const win = FakeBrowserWindow.instances[0]!;
    win.hide();
    await opts!.notifier!.notify({ title: 'Balance low', body: '$1.25 left', accountId: 'or', severity: 'critical' });
    const shown = FakeNotification.instances[0]!;
    expect(shown.options).toMatchObject({ title: 'Balance low', body: '$1.25 left' });
    shown.emit('click');
    expect(win.visible).toBe(true);
    expect(win.webContents.sent).toContainEqual({ channel: NAVIGATE_CHANNEL, args: ['#/account/or'] });
  });

  it('keeps running in the tray when the window closes', async () => {
    const { core } = await launch();
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.userClose().defaultPrevented).toBe(true);
    expect(win.visible).toBe(false);
    expect(electronMock.app.listenerCount('window-all-closed')).toBe(1);
    expect(core!.stop).not.toHaveBeenCalled();
  });

  it('quits cleanly: stops the core once, removes IPC and the tray, then quits', async () => {
    const { core } = await launch();
    const { app } = await import('electron');
    app.quit();
    expect(electronMock.app.quitted).toBe(false); // held until the core has stopped
    await flush();
    await flush();
    expect(core!.stop).toHaveBeenCalledOnce();
    expect(electronMock.app.quitted).toBe(true);
    expect(electronMock.handlers.size).toBe(0);
    expect(FakeTray.instances[0]!.destroyed).toBe(true);
    app.quit();
    expect(core!.stop).toHaveBeenCalledOnce();
  });

  it('starts the metering proxy on a loopback port, with the clipboard for its token, and stops it on quit', async () => {
    const { core, opts } = await launch();
    const url = core!.meter.urls[0]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/proxy/acct/v1/chat/completions`, { method: 'POST' })).text()).toBe('metered');
    expect((await fetch(`${url}/api/info`)).status).toBe(404);
    (opts as unknown as { clipboard: (t: string) => void }).clipboard('spendbar-proxy-x');
    expect(electronMock.clipboardText).toBe('spendbar-proxy-x');
    const { app } = await import('electron');
    app.quit();
    for (let i = 0; i < 5; i++) await flush();
    await expect(fetch(`${url}/proxy/acct/x`)).rejects.toThrow();
  });

  it('hands over to the running instance on a second launch', async () => {
    electronMock.app.singleInstance = false;
    const { running } = await launch();
    expect(running).toBeNull();
    expect(electronMock.app.quitRequested).toBe(1);
    expect(engine.calls).toHaveLength(0);
  });

  it('focuses the first window when a second launch is attempted', async () => {
    await launch();
    const win = FakeBrowserWindow.instances[0]!;
    win.hide();
    win.minimized = true;
    electronMock.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(true);
  });

  it('stays in the tray when launched at login', async () => {
    process.argv = [...realArgv, '--hidden'];
    await launch();
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(FakeTray.instances).toHaveLength(1);
  });

  it('sets the app user model id on Windows', async () => {
    Object.defineProperty(process, 'platform', { value: 'win32' });
    const { main } = await launch();
    expect(electronMock.app.userModelId).toBe(main.APP_ID);
  });

  it('stores keys encrypted in userData and says when Linux only obfuscates them', async () => {
    electronMock.backend = 'basic_text';
    const { opts } = await launch();
    expect(opts!.secrets.protection).toBe(realPlatform === 'linux' ? 'obfuscated' : 'os');
    const key = 'sk-test-0123456789abcdef-not-real';
    opts!.secrets.set('or.apiKey', key);
    expect(opts!.secrets.get('or.apiKey')).toBe(key);
    const files = readdirSync(dir);
    expect(files).toContain('secrets.json');
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8')).not.toContain(key);
  });

  it('shows a clear error and exits when the core cannot start', async () => {
    engine.fail = new Error('The database file is locked by another program');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { running } = await launch();
    expect(running).toBeNull();
    expect(electronMock.errorBoxes).toEqual([{ title: 'Spendbar could not start', content: 'The database file is locked by another program' }]);
    expect(electronMock.app.exited).toBe(1);
  });
});
