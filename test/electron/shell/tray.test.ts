import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Settings, SettingsStore } from '../../../electron/core/ports.ts';
import { DEFAULT_PREFERENCES } from '../../../electron/core/ports.ts';
import { electronMock, FakeTray, resetElectronMock } from '../electron-mock.ts';
import { recordingApi } from '../fake-api.ts';
import { account, alert, status, usd } from '../fixtures.ts';

vi.mock('electron', async () => (await import('../electron-mock.ts')).electronModule());

const { createTray } = await import('../../../electron/shell/tray.ts');
const { createTrayController } = await import('../../../electron/shell/tray-controller.ts');
const { trayIconFile } = await import('../../../electron/shell/tray-model.ts');

const ASSETS = join(import.meta.dirname, '..', '..', '..', 'electron', 'assets');

function memorySettings(initial: Partial<Settings> = {}): SettingsStore {
  let current: Settings = { accounts: [], alerts: [], preferences: { ...DEFAULT_PREFERENCES }, ...initial };
  const listeners = new Set<(s: Settings) => void>();
  return {
    get: () => structuredClone(current),
    set(next) {
      current = structuredClone(next);
      listeners.forEach((l) => l(structuredClone(current)));
    },
    onChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

const input = {
  accounts: [account('or', 'OpenRouter')],
  alerts: [],
  glance: { kind: 'today' } as const,
  paused: false,
  launchAtLogin: false,
  loginItemSupported: true,
};

beforeEach(() => {
  resetElectronMock();
});

describe('tray', () => {
  it('has an icon file for every state, platform and panel colour', () => {
    for (const state of ['normal', 'warning', 'alert', 'stale'] as const) {
      for (const [platform, dark] of [['darwin', false], ['linux', false], ['linux', true], ['win32', true]] as const) {
        const file = join(ASSETS, trayIconFile(state, platform, dark));
        expect(existsSync(file), file).toBe(true);
        expect(existsSync(file.replace('.png', '@2x.png'))).toBe(true);
      }
    }
  });

  it('shows the glance on macOS with a Template icon that follows the state', () => {
    const tray = createTray({ assetsDir: ASSETS, onAction: () => {}, platform: 'darwin' });
    const fake = FakeTray.instances[0]!;
    expect(fake.image).toMatchObject({ path: join(ASSETS, 'tray-normalTemplate.png'), template: true });
    tray.update({ ...input, statuses: [status('or', { balance: usd(2), week: usd(7), today: usd(1.5) })] });
    expect(fake.title).toBe('$1.50');
    expect(fake.image.path).toBe(join(ASSETS, 'tray-warningTemplate.png'));
    expect(fake.tooltip).toContain('Today: $1.50');
    tray.destroy();
    expect(fake.destroyed).toBe(true);
  });

  it('follows the panel theme elsewhere and never sets a title', () => {
    createTray({ assetsDir: ASSETS, onAction: () => {}, platform: 'linux' }).update({ ...input, statuses: [] });
    const fake = FakeTray.instances[0]!;
    expect(fake.image.path).toBe(join(ASSETS, 'tray-normal-light.png'));
    electronMock.darkColors = true;
    electronMock.nativeTheme.emit('updated');
    expect(fake.image.path).toBe(join(ASSETS, 'tray-normal-dark.png'));
    expect(fake.title).toBe('');
  });

  it('builds the context menu from the model and reports clicks as actions', () => {
    const actions: unknown[] = [];
    createTray({ assetsDir: ASSETS, onAction: (a) => actions.push(a), platform: 'linux' }).update({
      ...input,
      statuses: [status('or', { balance: usd(9) })],
    });
    const template = FakeTray.instances[0]!.menu!.template;
    expect(template.map((i) => i.label ?? i.type)).toContain('OpenRouter — $9.00');
    (template.find((i) => i.label === 'Refresh now')!.click as () => void)();
    (template[0]!.click as () => void)();
    expect(actions).toEqual([{ kind: 'refresh' }, { kind: 'open-account', accountId: 'or' }]);
    FakeTray.instances[0]!.emit('click');
    expect(actions.at(-1)).toEqual({ kind: 'open' });
  });
});

describe('tray controller', () => {
  function setup(loginSupported = true) {
    const api = recordingApi([status('or', { balance: usd(9) })]);
    const settings = memorySettings();
    const opened: (string | undefined)[] = [];
    let quits = 0;
    const login = { value: false };
    const warnings: string[] = [];
    const tray = createTray({ assetsDir: ASSETS, onAction: (a) => controller.onAction(a), platform: 'darwin' });
    const controller = createTrayController({
      api,
      tray,
      settings,
      loginItems: { supported: loginSupported, get: () => login.value, set: (v) => (login.value = v) },
      openWindow: (id) => opened.push(id),
      quit: () => quits++,
      log: { warn: (m) => warnings.push(m) },
    });
    const fake = FakeTray.instances[0]!;
    const click = (label: string) => (fake.menu!.template.find((i) => i.label === label)!.click as () => void)();
    return { api, settings, opened, quitCount: () => quits, login, controller, fake, click, warnings };
  }
  const flush = () => new Promise((r) => setTimeout(r, 0));

  it('draws from the core on load and is rebuilt when status events arrive', async () => {
    const { api, controller, fake } = setup();
    await controller.load();
    expect(fake.menu!.template[0]!.label).toBe('OpenRouter — $9.00');
    controller.onEvent({ type: 'status', statuses: [status('or', { balance: usd(0.5), today: usd(3), burnPerDay: usd(3) })] });
    expect(fake.menu!.template[0]!.label).toBe('OpenRouter — $0.50 · today $3.00');
    expect(fake.image.path).toMatch(/tray-alertTemplate\.png$/);
    controller.onEvent({ type: 'accounts', accounts: [account('or', 'Renamed')] });
    expect(fake.menu!.template[0]!.label).toMatch(/^Renamed/);
    // Load reads alerts with the rest; each status event re-reads them.
    expect(api.calls.map((c) => c.method).sort()).toEqual(['getAlerts', 'getAlerts', 'getInfo', 'getStatus', 'listAccounts']);
  });

  it('merges a status delta for one account without reading every status again', async () => {
    const { api, controller, fake } = setup();
    await controller.load();
    const reads = api.calls.filter((c) => c.method === 'getStatus').length;
    controller.onEvent({ type: 'snapshot', snapshot: status('or', { balance: usd(2) }).latest! });
    controller.onEvent({ type: 'status-delta', statuses: [status('or', { balance: usd(2) })] });
    expect(fake.menu!.template[0]!.label).toBe('OpenRouter — $2.00');
    expect(api.calls.filter((c) => c.method === 'getStatus')).toHaveLength(reads);
  });

  it('shows the active alerts in the icon and follows them on alert and status events', async () => {
    const { api, controller, fake } = setup();
    api.activeAlerts = [alert(1, 'warning', { title: 'OpenRouter runway below 7 days' })];
    await controller.load();
    expect(fake.image.path).toMatch(/tray-warningTemplate\.png$/);
    expect(fake.tooltip).toContain('Alert: OpenRouter runway below 7 days');

    const critical = alert(2, 'critical');
    api.activeAlerts = [critical, ...api.activeAlerts];
    controller.onEvent({ type: 'alert', alert: critical });
    await flush();
    expect(fake.image.path).toMatch(/tray-alertTemplate\.png$/);
    expect(fake.tooltip).toContain('2 active alerts');

    // The breach ended: the next poll's status event brings the icon back.
    api.activeAlerts = [];
    controller.onEvent({ type: 'status', statuses: [status('or', { balance: usd(9) })] });
    await flush();
    expect(fake.image.path).toMatch(/tray-normalTemplate\.png$/);
    expect(api.calls.filter((c) => c.method === 'getAlerts')).toHaveLength(3);
  });

  it('re-reads alerts on request, keeps only the newest answer, and survives a failed read', async () => {
    const { api, controller, fake } = setup();
    api.activeAlerts = [alert(1, 'critical')];
    await controller.load();
    expect(fake.image.path).toMatch(/tray-alertTemplate\.png$/);
    await api.acknowledgeAlert(1);
    await controller.refreshAlerts();
    expect(fake.image.path).toMatch(/tray-normalTemplate\.png$/);

    // Two reads in flight: the older answer (a critical alert) must not overwrite the newer (none).
    let answerFirst: (() => void) | undefined;
    const realGetAlerts = api.getAlerts;
    api.getAlerts = () => {
      const late = realGetAlerts();
      api.getAlerts = realGetAlerts;
      return new Promise((resolve) => (answerFirst = () => void late.then(resolve)));
    };
    api.activeAlerts = [alert(3, 'critical')];
    const first = controller.refreshAlerts();
    api.activeAlerts = [];
    await controller.refreshAlerts();
    answerFirst!();
    await first;
    expect(fake.image.path).toMatch(/tray-normalTemplate\.png$/);

    api.activeAlerts = [alert(4, 'critical')];
    api.failWith = new Error('The store is closed');
    await expect(controller.refreshAlerts()).resolves.toBeUndefined();
    expect(fake.image.path).toMatch(/tray-normalTemplate\.png$/);
  });

  it('still draws the tray when alerts cannot be read at start', async () => {
    const { api, controller, fake, warnings } = setup();
    api.getAlerts = () => Promise.reject(new Error('alerts table missing'));
    await controller.load();
    expect(fake.menu!.template[0]!.label).toBe('OpenRouter — $9.00');
    expect(warnings).toEqual(['spendbar: reading alerts failed: alerts table missing']);
  });

  it('redraws the glance when the preference changes', async () => {
    const { controller, settings, fake } = setup();
    await controller.load();
    const s = settings.get();
    settings.set({ ...s, preferences: { ...s.preferences, glance: { kind: 'balance', accountId: 'or' } } });
    expect(fake.title).toBe('$9.00');
  });

  it('carries out the menu actions', async () => {
    const { api, controller, opened, click, quitCount, login, settings, fake } = setup();
    await controller.load();
    click('Refresh now');
    click('Pause polling');
    await flush();
    expect(api.calls.map((c) => [c.method, ...c.args]).slice(4)).toEqual([['refresh', undefined], ['setPaused', true]]);
    expect(fake.menu!.template.find((i) => i.label === 'Pause polling')!.checked).toBe(true);
    click('Open Spendbar');
    click('OpenRouter — $9.00');
    expect(opened).toEqual([undefined, 'or']);
    click('Launch at login');
    expect(login.value).toBe(true);
    expect(settings.get().preferences.launchAtLogin).toBe(true);
    expect(fake.menu!.template.find((i) => i.label === 'Launch at login')!.checked).toBe(true);
    click('Quit');
    expect(quitCount()).toBe(1);
  });

  it("lets the user pick the menu-bar figure, saved in preferences", async () => {
    const { controller, fake, settings } = setup();
    await controller.load();
    expect(fake.title).toBe('—');
    const picker = fake.menu!.template.find((i) => i.label === 'Show in menu bar')!;
    const items = picker.submenu as { label: string; type: string; checked: boolean; click: () => void }[];
    expect(items.map((i) => [i.label, i.type, i.checked])).toEqual([
      ["Today's spend", 'radio', true],
      ["This month's spend", 'radio', false],
      ['OpenRouter balance', 'radio', false],
    ]);
    items[2]!.click();
    expect(settings.get().preferences.glance).toEqual({ kind: 'balance', accountId: 'or' });
    expect(fake.title).toBe('$9.00');
  });

  it('leaves login items alone where unsupported', async () => {
    const { controller, login, fake } = setup(false);
    await controller.load();
    expect(fake.menu!.template.find((i) => i.label === 'Launch at login')!.enabled).toBe(false);
    controller.onAction({ kind: 'toggle-launch-at-login' });
    expect(login.value).toBe(false);
  });
});
