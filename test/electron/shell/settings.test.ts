import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { electronMock, resetElectronMock } from '../electron-mock.ts';

vi.mock('electron', async () => (await import('../electron-mock.ts')).electronModule());
vi.mock('electron-store', async () => (await import('../electron-mock.ts')).electronStoreModule());

const { createStoreSettings } = await import('../../../electron/shell/settings.ts');
const { openSettingsFile } = await import('../../../electron/shell/stores.ts');
const { SettingsError } = await import('../../../electron/core/settings/errors.ts');
const { DEFAULT_PREFERENCES } = await import('../../../electron/core/ports.ts');

let dir: string;
const log = { warn: vi.fn() };
const settingsPath = () => join(dir, 'settings.json');

beforeEach(() => {
  resetElectronMock();
  dir = mkdtempSync(join(tmpdir(), 'spendbar-settings-'));
  electronMock.app.paths.userData = dir;
  log.warn.mockClear();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('electron-store settings', () => {
  it('starts from defaults and persists a valid write to userData/settings.json', () => {
    const settings = createStoreSettings(openSettingsFile(dir, log), { log });
    expect(settings.get()).toEqual({ accounts: [], alerts: [], preferences: DEFAULT_PREFERENCES });
    const next = settings.get();
    next.accounts.push({ id: 'ds-main', provider: 'deepseek', label: 'DeepSeek', pollIntervalSec: 600 });
    next.preferences.glance = { kind: 'month' };
    const seen: unknown[] = [];
    settings.onChange((s) => seen.push(s.preferences.glance));
    settings.set(next);
    expect(seen).toEqual([{ kind: 'month' }]);
    const onDisk = JSON.parse(readFileSync(settingsPath(), 'utf8'));
    expect(onDisk.accounts[0].id).toBe('ds-main');
    expect(onDisk.preferences.glance).toEqual({ kind: 'month' });
    expect(createStoreSettings(openSettingsFile(dir, log)).get()).toEqual(next);
  });

  it('refuses an invalid write with the field path and leaves the file unchanged', () => {
    const settings = createStoreSettings(openSettingsFile(dir, log), { log });
    settings.set(settings.get());
    const before = readFileSync(settingsPath(), 'utf8');
    const bad = settings.get();
    bad.accounts.push({ id: 'x', provider: 'openrouter', label: 'X', pollIntervalSec: 5 });
    let caught: unknown;
    try {
      settings.set(bad);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    expect((caught as InstanceType<typeof SettingsError>).field).toBe('accounts[0].pollIntervalSec');
    expect(readFileSync(settingsPath(), 'utf8')).toBe(before);
    expect(settings.get().accounts).toEqual([]);
  });

  it('sets aside a settings file that no longer validates and starts with defaults', () => {
    writeFileSync(settingsPath(), JSON.stringify({ accounts: [{ id: 'BAD ID' }], alerts: [] }));
    const settings = createStoreSettings(openSettingsFile(dir, log), { log, now: () => 42 });
    expect(settings.get().accounts).toEqual([]);
    expect(existsSync(`${settingsPath()}.invalid-42`)).toBe(true);
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('starting with defaults'));
  });

  it('moves a file that is not JSON aside instead of refusing to start', () => {
    writeFileSync(settingsPath(), '{ not json');
    const settings = createStoreSettings(openSettingsFile(dir, log), { log });
    expect(settings.get().accounts).toEqual([]);
    expect(readdirSync(dir).some((f) => f.startsWith('settings.json.unreadable-'))).toBe(true);
  });
});
