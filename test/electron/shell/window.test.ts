import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { electronMock, fakeEvent, FakeBrowserWindow, resetElectronMock } from '../electron-mock.ts';

vi.mock('electron', async () => (await import('../electron-mock.ts')).electronModule());

const { session } = await import('electron');
const { createMainWindow, hardenSession, registerAppScheme, serveRenderer } = await import('../../../electron/shell/window.ts');
const { isAppUrl, resolveAppFile, APP_ENTRY_URL } = await import('../../../electron/shell/origin.ts');
const { contentSecurityPolicy, isAllowedExternalUrl } = await import('../../../electron/shell/web-policy.ts');
const { NAVIGATE_CHANNEL } = await import('../../../electron/shell/ipc-contract.ts');

let quitting = false;
const open = (devServerUrl?: string) =>
  createMainWindow({ preload: '/app/dist-electron/preload.cjs', devServerUrl, isQuitting: () => quitting });

beforeEach(() => {
  resetElectronMock();
  quitting = false;
});

describe('main window', () => {
  it('is sandboxed, context-isolated and without Node, and loads the built renderer over app://', () => {
    open().show();
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: '/app/dist-electron/preload.cjs',
      // Hidden in the tray, the page sees visibilityState 'hidden' and stops its own work (test/renderer/hidden.test.tsx).
      backgroundThrottling: true,
    });
    expect(win.loadedUrl).toBe(APP_ENTRY_URL);
  });

  it('loads the Vite dev server in development', () => {
    open('http://localhost:5173/').show();
    expect(FakeBrowserWindow.instances[0]!.loadedUrl).toBe('http://localhost:5173/');
  });

  it('denies new windows and opens only allowlisted links in the browser', () => {
    open().show();
    const contents = FakeBrowserWindow.instances[0]!.webContents;
    expect(contents.windowOpenHandler!({ url: 'https://openrouter.ai/settings/keys' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(electronMock.externalOpened).toEqual(['https://openrouter.ai/settings/keys']);
  });

  it('prevents every navigation of the window', () => {
    open().show();
    const contents = FakeBrowserWindow.instances[0]!.webContents;
    for (const url of ['https://evil.example/', 'app://spendbar/other.html', 'https://platform.deepseek.com/usage']) {
      const event = fakeEvent();
      contents.emit('will-navigate', event, url);
      expect(event.defaultPrevented).toBe(true);
    }
    expect(electronMock.externalOpened).toEqual(['https://platform.deepseek.com/usage']);
  });

  it('hides on close while running in the tray, and closes when quitting', () => {
    const window = open();
    window.show();
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.userClose().defaultPrevented).toBe(true);
    expect(win.visible).toBe(false);
    expect(window.current()).toBe(win);
    quitting = true;
    expect(win.userClose().defaultPrevented).toBe(false);
    expect(window.current()).toBeNull();
  });

  it('shows an account by sending its route, once the page has loaded', () => {
    const window = open();
    window.showAccount('ds');
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.visible).toBe(true);
    expect(win.webContents.sent).toEqual([{ channel: NAVIGATE_CHANNEL, args: ['#/account/ds'] }]);

    win.webContents.loading = true;
    window.showAccount('or');
    expect(win.webContents.sent).toHaveLength(1);
    win.webContents.emit('did-finish-load');
    expect(win.webContents.sent[1]).toEqual({ channel: NAVIGATE_CHANNEL, args: ['#/account/or'] });
    expect(FakeBrowserWindow.instances).toHaveLength(1);
  });
});

describe('app:// and the CSP', () => {
  let dir: string;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('registers app:// as a privileged standard, secure scheme', () => {
    registerAppScheme();
    expect(electronMock.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
  });

  it('serves the built renderer with the CSP header, and nothing outside it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'spendbar-renderer-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Spendbar</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    serveRenderer(join(dir, 'renderer'));
    const handler = electronMock.protocolHandlers.get('app')!;
    const index = await handler(new Request('app://spendbar/'));
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>Spendbar</title>');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect((await handler(new Request('app://spendbar/assets/app.js'))).status).toBe(200);
    expect((await handler(new Request('app://spendbar/../secret.txt'))).status).toBe(404);
    expect((await handler(new Request('app://spendbar/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await handler(new Request('app://spendbar/missing.js'))).status).toBe(404);
  });

  it('resolves only files under the renderer folder', () => {
    expect(resolveAppFile('/r', 'app://spendbar/')).toBe(join('/r', 'index.html'));
    expect(resolveAppFile('/r', 'app://spendbar/assets/x.js?v=1')).toBe(join('/r', 'assets', 'x.js'));
    expect(resolveAppFile('/r', 'app://spendbar/%2e%2e%2fetc/passwd')).toBeNull();
    expect(resolveAppFile('/r', 'app://spendbar/a%5c..%5c..%5cx')).toBeNull();
    expect(resolveAppFile('/r', 'app://elsewhere/index.html')).toBeNull();
    expect(resolveAppFile('/r', 'https://spendbar/index.html')).toBeNull();
  });

  it('production CSP allows scripts only from the app; development adds just what Vite needs', () => {
    const prod = contentSecurityPolicy();
    expect(prod).toContain("script-src 'self';");
    expect(prod).toContain("default-src 'none'");
    expect(prod).toContain("object-src 'none'");
    expect(prod).not.toContain('unsafe-eval');
    const dev = contentSecurityPolicy('http://localhost:5173/');
    expect(dev).toContain('connect-src \'self\' ws://localhost:5173');
  });

  it('puts the CSP on dev server responses and denies permission requests', () => {
    hardenSession(session.defaultSession, 'http://localhost:5173/');
    const { filter, listener } = electronMock.headerFilters[0] as {
      filter: { urls: string[] };
      listener: (d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
    };
    expect(filter.urls).toEqual(['http://localhost:5173/*']);
    let headers: Record<string, string[]> = {};
    listener({ responseHeaders: { 'content-type': ['text/html'] } }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']?.[0]).toContain("script-src 'self'");
    const answers: boolean[] = [];
    electronMock.permissionRequestHandler!(null, 'geolocation', (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([false]);
  });

  it('knows the app’s own frames from foreign ones', () => {
    expect(isAppUrl('app://spendbar/index.html#/x')).toBe(true);
    expect(isAppUrl('app://spendbar.evil/index.html')).toBe(false);
    expect(isAppUrl('http://localhost:5173/', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5173/', undefined)).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
  });

  it('allowlists providers’ consoles and docs over http(s) only', () => {
    expect(isAllowedExternalUrl('https://platform.deepseek.com/api_keys')).toBe(true);
    expect(isAllowedExternalUrl('https://console.surfercloud.com/')).toBe(true);
    expect(isAllowedExternalUrl('https://openrouter.ai.evil.example/')).toBe(false);
    // A host that merely ends with an allowed name is another site.
    expect(isAllowedExternalUrl('https://evilopenrouter.ai/')).toBe(false);
    expect(isAllowedExternalUrl('https://notdeepseek.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://openrouter.ai/')).toBe(true);
    expect(isAllowedExternalUrl('https://OPENROUTER.AI/keys')).toBe(true);
    expect(isAllowedExternalUrl('https://user:pw@openrouter.ai/')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalUrl('https://console.example-provider.test/', ['example-provider.test'])).toBe(true);
  });
});
