// The two electron-store files in userData: settings.json (no secrets, ever) and secrets.json (ciphertext
// only, readable by the owner alone). Kept apart from settings.ts and secrets.ts so those stay testable
// against plain files.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import ElectronStore from 'electron-store';
import type { JsonStoreFile } from './settings.ts';

/**
 * A file that is not even JSON makes electron-store throw. Rather than refuse to start (or wipe it), the
 * broken file is renamed aside and a fresh one begun; the warning names where the old one went.
 */
function openRecovering(userData: string, name: string, make: () => JsonStoreFile, log: Pick<Console, 'warn'>): JsonStoreFile {
  try {
    return make();
  } catch (err) {
    const path = join(userData, `${name}.json`);
    if (!(err instanceof SyntaxError) || !existsSync(path)) throw err;
    const aside = `${path}.unreadable-${Date.now()}`;
    renameSync(path, aside);
    log.warn(`spendbar: ${path} is not valid JSON; it was moved to ${aside} and a new one started`);
    return make();
  }
}

export function openSettingsFile(userData: string, log: Pick<Console, 'warn'> = console): JsonStoreFile {
  // Secret refs contain dots ('or.apiKey'): keys are plain names, never paths into nested objects.
  return openRecovering(userData, 'settings', () =>
    new ElectronStore<Record<string, unknown>>({ cwd: userData, name: 'settings', accessPropertiesByDotNotation: false }), log);
}

export function openSecretsFile(userData: string, log: Pick<Console, 'warn'> = console): JsonStoreFile {
  return openRecovering(userData, 'secrets', () =>
    new ElectronStore<Record<string, unknown>>({
      cwd: userData,
      name: 'secrets',
      accessPropertiesByDotNotation: false,
      configFileMode: 0o600,
    }), log);
}
