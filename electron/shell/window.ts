// The dashboard window and its security: sandboxed, context-isolated renderer without Node; a strict CSP
// (a response header: see serveRenderer and hardenSession); new windows denied; navigation prevented; only
// allowlisted http(s) links leave the app, and then only to the user's browser.
import { pathToFileURL } from 'node:url';
import { BrowserWindow, net, protocol, shell, type Event, type Session } from 'electron';
import { accountRoute, NAVIGATE_CHANNEL } from './ipc-contract.ts';
import { APP_SCHEME, rendererEntryUrl, resolveAppFile } from './origin.ts';
import { contentSecurityPolicy, EXTERNAL_HOSTS, isAllowedExternalUrl } from './web-policy.ts';

/** Must run before `ready`: app:// behaves like https (origin, fetch, storage), not like file://. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer from `rendererDir` on app://spendbar/, with the CSP as a response header. */
export function serveRenderer(rendererDir: string): void {
  const csp = contentSecurityPolicy();
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const res = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(res.headers);
      headers.set('Content-Security-Policy', csp);
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(res.body, { status: res.status, headers });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

/**
 * Denies every permission the page might ask for (camera, geolocation, notifications: popups come from
 * main), and in development puts the CSP on the dev server's responses, which no protocol handler sees.
 */
export function hardenSession(ses: Session, devServerUrl?: string): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  if (devServerUrl) {
    const csp = contentSecurityPolicy(devServerUrl);
    ses.webRequest.onHeadersReceived({ urls: [`${new URL(devServerUrl).origin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
}

export interface MainWindowOptions {
  /** Absolute path of the bundled preload (dist-electron/preload.cjs). */
  preload: string;
  devServerUrl?: string;
  /** Hosts links may open in the browser; the providers' consoles are added at startup. */
  externalHosts?: () => readonly string[];
  /** While false, closing the window only hides it: Spendbar keeps running in the tray. */
  isQuitting: () => boolean;
  icon?: string;
}

export interface MainWindow {
  /** Creates the window if needed, then shows and focuses it. */
  show(): BrowserWindow;
  /** Shows the window at a dashboard route (`#/account/<id>`). */
  showAccount(accountId: string): void;
  current(): BrowserWindow | null;
  destroy(): void;
}

export function createMainWindow(opts: MainWindowOptions): MainWindow {
  let win: BrowserWindow | null = null;
  const hosts = () => opts.externalHosts?.() ?? EXTERNAL_HOSTS;

  const openIfAllowed = (url: string) => {
    if (isAllowedExternalUrl(url, hosts())) void shell.openExternal(url);
  };

  function create(): BrowserWindow {
    const w = new BrowserWindow({
      width: 1180,
      height: 800,
      minWidth: 720,
      minHeight: 520,
      show: false,
      title: 'Spendbar',
      ...(opts.icon ? { icon: opts.icon } : {}),
      webPreferences: {
        preload: opts.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false,
        spellcheck: false,
        // Hidden in the tray or minimized, the page must see document.visibilityState 'hidden' (it then stops its
        // clocks and re-renders) and Chromium throttles whatever timers remain. Electron's default, made explicit.
        backgroundThrottling: true,
      },
    });
    const contents = w.webContents;
    contents.setWindowOpenHandler(({ url }) => {
      openIfAllowed(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event: Event, url: string) => {
      event.preventDefault();
      openIfAllowed(url);
    });
    contents.on('will-attach-webview', (event: Event) => event.preventDefault());
    w.on('close', (event: Event) => {
      if (opts.isQuitting()) return;
      event.preventDefault();
      w.hide();
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    w.once('ready-to-show', () => w.show());
    void w.loadURL(rendererEntryUrl(opts.devServerUrl)).catch((err: unknown) => {
      console.error('spendbar: the dashboard failed to load:', err instanceof Error ? err.message : err);
    });
    return w;
  }

  function show(): BrowserWindow {
    if (!win || win.isDestroyed()) win = create();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  }

  return {
    show,
    showAccount(accountId: string) {
      const w = show();
      const send = () => w.webContents.send(NAVIGATE_CHANNEL, accountRoute(accountId));
      // A window created just now has no page to receive the route yet.
      if (w.webContents.isLoading()) w.webContents.once('did-finish-load', send);
      else send();
    },
    current: () => (win && !win.isDestroyed() ? win : null),
    destroy() {
      if (win && !win.isDestroyed()) win.destroy();
      win = null;
    },
  };
}
