// The Electron entry point: wiring only. It starts the same core as `spendbar serve` with the app's
// adapters (electron-store settings, safeStorage secrets, Electron notifications), then puts the core
// behind the window (IPC) and the tray. Decisions live in shell/ as pure functions.
import { join } from 'node:path';
import { app, clipboard, dialog, ipcMain, safeStorage, session } from 'electron';
import type { Unsubscribe } from '../shared/api.ts';
import { createCore } from './core/engine.ts';
import type { Core } from './core/ports.ts';
import { DEFAULT_PROXY_PORT, startProxyServer, type RunningProxy } from './core/proxy/index.ts';
import { registerIpc } from './shell/ipc.ts';
import { EVENT_CHANNEL, type InvokeMethod } from './shell/ipc-contract.ts';
import { createLoginItems, startsHidden } from './shell/login.ts';
import { createElectronNotifier } from './shell/notifier.ts';
import { createSafeStorageSecrets } from './shell/secrets.ts';
import { createStoreSettings } from './shell/settings.ts';
import { openSecretsFile, openSettingsFile } from './shell/stores.ts';
import { createTray } from './shell/tray.ts';
import { createTrayController } from './shell/tray-controller.ts';
import { EXTERNAL_HOSTS, hostOf } from './shell/web-policy.ts';
import { createMainWindow, hardenSession, registerAppScheme, serveRenderer } from './shell/window.ts';

/** Must equal electron-builder.yml's appId: Windows ties notifications and the taskbar to it. */
export const APP_ID = 'app.spendbar.desktop';

const here = import.meta.dirname;

/** IPC calls after which the active alerts may differ. */
const ALERT_CHANGES: ReadonlySet<InvokeMethod> = new Set(['saveAlerts', 'snoozeAlert', 'acknowledgeAlert']);

export interface RunningApp {
  core: Core;
  /** Stops everything in order; app.quit() runs it once. */
  shutdown(): Promise<void>;
}

async function start(): Promise<RunningApp> {
  const userData = app.getPath('userData');
  const devServerUrl = app.isPackaged ? undefined : process.env.VITE_DEV_SERVER_URL || undefined;
  const settings = createStoreSettings(openSettingsFile(userData));
  const secrets = createSafeStorageSecrets({ safeStorage, file: openSecretsFile(userData) });

  hardenSession(session.defaultSession, devServerUrl);
  if (!devServerUrl) serveRenderer(join(app.getAppPath(), 'dist', 'renderer'));

  const externalHosts = [...EXTERNAL_HOSTS];
  const window = createMainWindow({
    preload: join(here, 'preload.cjs'),
    devServerUrl,
    isQuitting: () => quitting,
    externalHosts: () => externalHosts,
  });
  const openWindow = (accountId?: string) => (accountId ? window.showAccount(accountId) : void window.show());
  const notifier = createElectronNotifier({ onClick: openWindow });

  const core = await createCore({
    dataDir: userData,
    mode: 'app',
    settings,
    secrets,
    notifier,
    version: app.getVersion(),
    proxyToken: process.env.SPENDBAR_PROXY_TOKEN || undefined,
    clipboard: (text) => clipboard.writeText(text),
  });
  // The same metering proxy as `spendbar serve`, on a loopback port of its own that stays the same between launches.
  let proxy: RunningProxy | null = null;
  try {
    proxy = await startProxyServer({ handler: core.meter.handler(), port: proxyPort(process.env.SPENDBAR_PROXY_PORT) });
    core.meter.setUrl(proxy.url);
  } catch (err) {
    console.error(`spendbar: the metering proxy could not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const tray = createTray({ assetsDir: join(here, 'assets'), onAction: (a) => trayController.onAction(a) });
  const trayController = createTrayController({
    api: core.api,
    tray,
    settings,
    loginItems: createLoginItems(),
    openWindow,
    quit: () => app.quit(),
  });
  // Acknowledging or snoozing in the window sends no event, yet it changes what the tray icon should say.
  const onCalled = (method: InvokeMethod) => {
    if (ALERT_CHANGES.has(method)) void trayController.refreshAlerts();
  };
  const disposeIpc = registerIpc(ipcMain, core.api, { devServerUrl, onCalled });
  const unsubscribe: Unsubscribe = core.api.subscribe((event) => {
    window.current()?.webContents.send(EVENT_CHANNEL, event);
    trayController.onEvent(event);
  });

  for (const provider of await core.api.listProviders()) {
    const host = hostOf(provider.consoleUrl);
    if (host && !externalHosts.includes(host)) externalHosts.push(host);
  }
  await core.start();
  await trayController.load();
  showWindow = () => window.show();
  if (!startsHidden(process.argv, app.getLoginItemSettings().wasOpenedAtLogin)) window.show();

  return {
    core,
    async shutdown() {
      unsubscribe();
      disposeIpc();
      trayController.dispose();
      tray.destroy();
      await proxy?.close();
      await core.stop();
      window.destroy();
    },
  };
}

/** $SPENDBAR_PROXY_PORT (0 = any free port), else the fixed default. */
function proxyPort(value: string | undefined): number {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : DEFAULT_PROXY_PORT;
}

let quitting = false;
/** Set once the window exists; a second launch or a Dock click before that has nothing to show yet. */
let showWindow: (() => void) | null = null;

function main(): Promise<RunningApp | null> {
  // A second launch hands over to the first (which shows its window) and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return Promise.resolve(null);
  }
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  registerAppScheme();
  app.on('second-instance', () => showWindow?.());
  app.on('activate', () => showWindow?.());
  // Closing the window keeps Spendbar in the tray; only Quit ends it.
  app.on('window-all-closed', () => {});

  let stopped = false;
  let stopping: Promise<void> | null = null;
  const running = app.whenReady().then(start);
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    event.preventDefault();
    stopping ??= running
      .then((r) => r.shutdown())
      .catch((err: unknown) => console.error('spendbar: shutdown failed:', err instanceof Error ? err.message : err))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
  return running.catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error('spendbar: could not start:', message);
    dialog.showErrorBox('Spendbar could not start', message);
    stopped = true;
    app.exit(1);
    return null;
  });
}

/** Resolves once the app runs (or null when another instance already does). Tests await it. */
export const running = main();
