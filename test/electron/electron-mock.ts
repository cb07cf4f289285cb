// The one hand-written `electron` mock for every test of the Electron layer. Importing the real package
// downloads the Electron binary, so every test file that reaches `electron` does:
//   vi.mock('electron', async () => (await import('./electron-mock.ts')).electronModule());
// and drives the fake through `electronMock` (reset it in beforeEach). The fakes keep state (windows,
// trays, notifications, IPC handlers) so tests assert on what the app did, not on call counts alone.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import {
  fakeEvent,
  FakeBrowserWindowImpl,
  type FakeImage,
  FakeNotificationImpl,
  FakeTrayImpl,
  type Listener,
  scramble,
} from './electron-fakes.ts';

export { fakeEvent, type FakeImage };

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

function createState() {
  const app = Object.assign(new EventEmitter(), {
    paths: { userData: '/nonexistent/userData' } as Record<string, string>,
    isPackaged: false,
    singleInstance: true,
    quitRequested: 0,
    exited: null as number | null,
    quitted: false,
    loginItem: { openAtLogin: false, wasOpenedAtLogin: false },
    userModelId: null as string | null,
  });
  return {
    app,
    handlers: new Map<string, InvokeHandler>(),
    rendererListeners: new EventEmitter(),
    /** The frame URL the fake renderer's IPC calls come from. */
    rendererUrl: 'app://spendbar/index.html',
    exposed: {} as Record<string, unknown>,
    backend: 'gnome_libsecret' as string,
    encryptionAvailable: true,
    darkColors: false,
    nativeTheme: new EventEmitter(),
    protocolHandlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
    privilegedSchemes: [] as unknown[],
    headerFilters: [] as unknown[],
    permissionRequestHandler: null as null | ((...args: unknown[]) => void),
    externalOpened: [] as string[],
    errorBoxes: [] as { title: string; content: string }[],
    clipboardText: '',
  };
}

export type ElectronMockState = ReturnType<typeof createState>;

// Tests reset the module registry (vi.resetModules) to start electron/main.ts afresh, and the mocked
// `electron` then loads a second copy of this file. The fakes and their state therefore live on
// globalThis, so every copy, and the test, sees the same windows, trays and handlers.
const shared = ((globalThis as { __spendbarElectronMock?: unknown }).__spendbarElectronMock ??= {
  state: createState(),
  BrowserWindow: FakeBrowserWindowImpl,
  Tray: FakeTrayImpl,
  Notification: FakeNotificationImpl,
}) as {
  state: ElectronMockState;
  BrowserWindow: typeof FakeBrowserWindowImpl;
  Tray: typeof FakeTrayImpl;
  Notification: typeof FakeNotificationImpl;
};

export const FakeBrowserWindow = shared.BrowserWindow;
export type FakeBrowserWindow = FakeBrowserWindowImpl;
export const FakeTray = shared.Tray;
export type FakeTray = FakeTrayImpl;
export const FakeNotification = shared.Notification;
export type FakeNotification = FakeNotificationImpl;

/** The live state of the fake, one object for the whole test file; resetElectronMock() refills it. */
export const electronMock: ElectronMockState = shared.state;

export function resetElectronMock(): ElectronMockState {
  Object.assign(electronMock, createState());
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.instances = [];
  FakeNotification.supported = true;
  FakeNotification.outcome = 'show';
  return electronMock;
}

/** Calls a main-side invoke handler as a renderer frame at `frameUrl` would. */
export async function invokeMain(channel: string, frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
  const handler = electronMock.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
}

/** Pushes a message to the fake renderer, as webContents.send would. */
export function sendToRenderer(channel: string, ...args: unknown[]): void {
  electronMock.rendererListeners.emit(channel, { sender: null }, ...args);
}

/** The module `vi.mock('electron', …)` returns. Every member reads the current state at call time. */
export function electronModule() {
  const app = {
    on: (event: string, listener: Listener) => electronMock.app.on(event, listener),
    once: (event: string, listener: Listener) => electronMock.app.once(event, listener),
    emit: (event: string, ...args: unknown[]) => electronMock.app.emit(event, ...args),
    getPath: (name: string) => {
      const path = electronMock.app.paths[name];
      if (!path) throw new Error(`fake app.getPath: no path for ${name}`);
      return path;
    },
    getAppPath: () => process.cwd(),
    getVersion: () => '0.1.0-test',
    get isPackaged() {
      return electronMock.app.isPackaged;
    },
    whenReady: () => Promise.resolve(),
    requestSingleInstanceLock: () => electronMock.app.singleInstance,
    setAppUserModelId: (id: string) => {
      electronMock.app.userModelId = id;
    },
    getLoginItemSettings: () => ({ ...electronMock.app.loginItem }),
    setLoginItemSettings: vi.fn((settings: { openAtLogin?: boolean }) => {
      electronMock.app.loginItem.openAtLogin = settings.openAtLogin === true;
    }),
    /** Like Electron: 'before-quit' may veto; otherwise the app is gone. */
    quit: () => {
      electronMock.app.quitRequested++;
      const event = fakeEvent();
      electronMock.app.emit('before-quit', event);
      if (!event.defaultPrevented) electronMock.app.quitted = true;
    },
    exit: (code = 0) => {
      electronMock.app.exited = code;
    },
  };

  const ipcMain = {
    handle: (channel: string, handler: InvokeHandler) => {
      if (electronMock.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      electronMock.handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => {
      electronMock.handlers.delete(channel);
    },
  };

  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => invokeMain(channel, electronMock.rendererUrl, ...args),
    on: (channel: string, listener: Listener) => {
      electronMock.rendererListeners.on(channel, listener);
      return ipcRenderer;
    },
    removeListener: (channel: string, listener: Listener) => {
      electronMock.rendererListeners.removeListener(channel, listener);
      return ipcRenderer;
    },
  };

  const contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      electronMock.exposed[key] = api;
    },
  };

  const nativeImage = {
    createFromPath: (path: string): FakeImage => {
      const image: FakeImage = {
        path,
        template: false,
        setTemplateImage(on: boolean) {
          image.template = on;
        },
      };
      return image;
    },
  };

  const nativeTheme = {
    get shouldUseDarkColors() {
      return electronMock.darkColors;
    },
    on: (event: string, listener: Listener) => electronMock.nativeTheme.on(event, listener),
    off: (event: string, listener: Listener) => electronMock.nativeTheme.off(event, listener),
  };

  const safeStorage = {
    isEncryptionAvailable: () => electronMock.encryptionAvailable,
    encryptString: (plain: string) => {
      if (!electronMock.encryptionAvailable) throw new Error('Encryption is not available.');
      return Buffer.concat([Buffer.from('v10'), scramble(Buffer.from(plain, 'utf8'))]);
    },
    decryptString: (cipher: Buffer) => {
      if (cipher.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return scramble(cipher.subarray(3)).toString('utf8');
    },
    getSelectedStorageBackend: () => electronMock.backend,
  };

  const session = {
    defaultSession: {
      setPermissionRequestHandler: (handler: (...args: unknown[]) => void) => {
        electronMock.permissionRequestHandler = handler;
      },
      setPermissionCheckHandler: () => {},
      webRequest: {
        onHeadersReceived: (filter: unknown, listener: unknown) => {
          electronMock.headerFilters.push({ filter, listener });
        },
      },
    },
  };

  const shell = {
    openExternal: (url: string) => {
      electronMock.externalOpened.push(url);
      return Promise.resolve();
    },
  };

  const protocol = {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      electronMock.privilegedSchemes.push(...schemes);
    },
    handle: (scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
      electronMock.protocolHandlers.set(scheme, handler);
    },
  };

  const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };
  const net = {
    // Only file:// is needed: the app:// handler reads the built renderer through it.
    fetch: async (url: string) => {
      const path = fileURLToPath(url);
      const body = await readFile(path);
      return new Response(body, { headers: { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' } });
    },
  };

  const dialog = {
    showErrorBox: (title: string, content: string) => {
      electronMock.errorBoxes.push({ title, content });
    },
  };

  const clipboard = {
    writeText: (text: string) => {
      electronMock.clipboardText = text;
    },
  };

  const Menu = {
    buildFromTemplate: (template: Record<string, unknown>[]) => ({ template }),
  };

  const mod = {
    app,
    ipcMain,
    ipcRenderer,
    contextBridge,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu,
    nativeImage,
    nativeTheme,
    Notification: FakeNotification,
    safeStorage,
    session,
    shell,
    protocol,
    net,
    dialog,
    clipboard,
  };
  return { ...mod, default: mod };
}

/**
 * electron-store without Electron: conf with an explicit folder (electron-store is conf plus the
 * userData default). For `vi.mock('electron-store', …)` in tests that load electron/shell/stores.ts.
 */
export async function electronStoreModule() {
  const { default: Conf } = await import('conf');
  class FakeElectronStore extends Conf<Record<string, unknown>> {
    constructor(options: { name?: string; cwd?: string } & Record<string, unknown> = {}) {
      const { name, ...rest } = options;
      super({ ...rest, cwd: rest.cwd ?? electronMock.app.paths.userData, configName: name ?? 'config' });
    }
  }
  return { default: FakeElectronStore };
}
