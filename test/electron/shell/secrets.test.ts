import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { electronMock, resetElectronMock } from '../electron-mock.ts';

vi.mock('electron', async () => (await import('../electron-mock.ts')).electronModule());
vi.mock('electron-store', async () => (await import('../electron-mock.ts')).electronStoreModule());

const { safeStorage } = await import('electron');
const { createSafeStorageSecrets, secretProtection } = await import('../../../electron/shell/secrets.ts');
const { createStoreSettings } = await import('../../../electron/shell/settings.ts');
const { openSecretsFile, openSettingsFile } = await import('../../../electron/shell/stores.ts');
const { SecretStoreError } = await import('../../../electron/core/settings/errors.ts');
const { secretRef } = await import('../../../electron/core/ports.ts');

const KEY = 'sk-or-v1-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
let dir: string;
let logs: string[];
const log = { warn: (m: string) => logs.push(m) };

function allFilesText(): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

beforeEach(() => {
  resetElectronMock();
  dir = mkdtempSync(join(tmpdir(), 'spendbar-secrets-'));
  electronMock.app.paths.userData = dir;
  logs = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('safeStorage secret store', () => {
  it('round-trips a key through safeStorage and keeps only ciphertext on disk', () => {
    const secrets = createSafeStorageSecrets({ safeStorage, file: openSecretsFile(dir, log), platform: 'linux', log });
    const ref = secretRef('or', 'apiKey');
    secrets.set(ref, KEY);
    expect(secrets.get(ref)).toBe(KEY);

    // A new store over the same file (a restart) reads it back.
    const again = createSafeStorageSecrets({ safeStorage, file: openSecretsFile(dir, log), platform: 'linux', log });
    expect(again.get(ref)).toBe(KEY);

    const onDisk = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { secrets: Record<string, string> };
    expect(Object.keys(onDisk.secrets)).toEqual([ref]);
    expect(Buffer.from(onDisk.secrets[ref]!, 'base64').subarray(0, 3).toString()).toBe('v10');
    expect(allFilesText()).not.toContain(KEY);
    expect(allFilesText()).not.toContain(KEY.slice(-12));
    expect(statSync(join(dir, 'secrets.json')).mode & 0o077).toBe(0);

    again.delete(ref);
    expect(again.get(ref)).toBeUndefined();
  });

  it('never puts the key in the settings file or the logs', () => {
    const settings = createStoreSettings(openSettingsFile(dir, log), { log });
    const secrets = createSafeStorageSecrets({ safeStorage, file: openSecretsFile(dir, log), platform: 'linux', log });
    const s = settings.get();
    secrets.set(secretRef('or', 'apiKey'), KEY);
    settings.set({
      ...s,
      accounts: [
        { id: 'or', provider: 'openrouter', label: 'OR', pollIntervalSec: 300, credentials: { apiKey: { set: true, masked: 'sk-or-v1-…b1a0', from: 'store' } } },
      ],
    });
    // Putting the key itself into settings is refused, and the refusal does not repeat it.
    const bad = structuredClone(settings.get());
    bad.accounts[0]!.options = { note: KEY };
    expect(() => settings.set(bad)).toThrow(/looks like an API key/);
    try {
      settings.set(bad);
    } catch (err) {
      expect((err as Error).message).not.toContain(KEY);
    }
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain(KEY);
    expect(allFilesText()).not.toContain(KEY);
    expect(logs.join('\n')).not.toContain(KEY);
  });

  it("says 'obfuscated' on Linux when safeStorage falls back to basic_text", () => {
    const file = openSecretsFile(dir, log);
    electronMock.backend = 'basic_text';
    expect(createSafeStorageSecrets({ safeStorage, file, platform: 'linux' }).protection).toBe('obfuscated');
    electronMock.backend = 'kwallet6';
    expect(createSafeStorageSecrets({ safeStorage, file, platform: 'linux' }).protection).toBe('os');
    electronMock.backend = 'basic_text';
    expect(secretProtection(safeStorage, 'darwin')).toBe('os');
    expect(secretProtection(safeStorage, 'win32')).toBe('os');
  });

  it('refuses to save when no keychain is available, without echoing the key', () => {
    electronMock.encryptionAvailable = false;
    const secrets = createSafeStorageSecrets({ safeStorage, file: openSecretsFile(dir, log), platform: 'linux', log });
    let caught: unknown;
    try {
      secrets.set('or.apiKey', KEY);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SecretStoreError);
    expect((caught as Error).message).toMatch(/keychain is not available/);
    expect((caught as Error).message).not.toContain(KEY);
    expect(secrets.get('or.apiKey')).toBeUndefined();
  });

  it('a value that no longer decrypts reads as unset, with a warning naming the ref only', () => {
    const file = new Conf<Record<string, unknown>>({ cwd: dir, configName: 'secrets', accessPropertiesByDotNotation: false });
    file.store = { secrets: { 'or.apiKey': Buffer.from('garbage').toString('base64') } };
    const secrets = createSafeStorageSecrets({ safeStorage, file, platform: 'linux', log });
    expect(secrets.get('or.apiKey')).toBeUndefined();
    expect(logs).toEqual([expect.stringContaining('or.apiKey cannot be decrypted')]);
  });
});
