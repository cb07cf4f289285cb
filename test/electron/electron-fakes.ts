// The stateful fakes behind electron-mock.ts: windows, trays, notifications and a pretend safeStorage
// cipher. Only electron-mock.ts imports this file; tests import the fakes from there.
import { EventEmitter } from 'node:events';

export type Listener = (...args: unknown[]) => void;

/** An Electron-style event: handlers call preventDefault() to veto. */
export function fakeEvent(extra: Record<string, unknown> = {}): { preventDefault: () => void; defaultPrevented: boolean } & Record<string, unknown> {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...extra,
  };
  return event;
}

export class FakeWebContents extends EventEmitter {
  sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  loading = false;
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  isLoading() {
    return this.loading;
  }
}

export class FakeBrowserWindowImpl extends EventEmitter {
  static instances: FakeBrowserWindowImpl[] = [];
  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  visible = false;
  focused = false;
  destroyed = false;
  minimized = false;
  loadedUrl: string | null = null;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    FakeBrowserWindowImpl.instances.push(this);
  }
  loadURL(url: string) {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {
    this.focused = true;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
    this.emit('closed');
  }
  /** What a user's click on the close button does: 'close' (vetoable), then 'closed' unless vetoed. */
  userClose() {
    const event = fakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
    return event;
  }
}

export class FakeTrayImpl extends EventEmitter {
  static instances: FakeTrayImpl[] = [];
  image: FakeImage;
  tooltip = '';
  title = '';
  menu: { template: Record<string, unknown>[] } | null = null;
  destroyed = false;
  constructor(image: FakeImage) {
    super();
    this.image = image;
    FakeTrayImpl.instances.push(this);
  }
  setImage(image: FakeImage) {
    this.image = image;
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setTitle(text: string) {
    this.title = text;
  }
  setContextMenu(menu: { template: Record<string, unknown>[] }) {
    this.menu = menu;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
}

export interface FakeImage {
  path: string;
  template: boolean;
  setTemplateImage(on: boolean): void;
}

export class FakeNotificationImpl extends EventEmitter {
  static instances: FakeNotificationImpl[] = [];
  static supported = true;
  /**
   * What the desktop does with a shown notification, as Electron reports it: 'show' once it is on screen, 'failed'
   * with the platform's reason (Linux without a notification daemon), or nothing at all ('silent').
   */
  static outcome: 'show' | 'silent' | { failed: string } = 'show';
  static isSupported() {
    return FakeNotificationImpl.supported;
  }
  readonly options: Record<string, unknown>;
  shown = false;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    FakeNotificationImpl.instances.push(this);
  }
  show() {
    this.shown = true;
    const outcome = FakeNotificationImpl.outcome;
    // Electron emits these asynchronously, after show() returned.
    setImmediate(() => {
      if (outcome === 'show') this.emit('show', {});
      else if (outcome !== 'silent') this.emit('failed', {}, outcome.failed);
    });
  }
}

/** Not real encryption: a reversible scramble whose output never contains the plain text. */
const FAKE_KEY = 0x5a;
export function scramble(buf: Buffer): Buffer {
  return Buffer.from(buf.map((b, i) => b ^ (FAKE_KEY + i) % 256));
}
