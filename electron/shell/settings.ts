// The app's SettingsStore on top of an electron-store file in userData. Validation is the core's (the same
// rules as the headless conf store): a bad write throws SettingsError and leaves the file as it was.
import { copyFileSync } from 'node:fs';
import type { Settings, SettingsStore } from '../core/ports.ts';
import { SettingsError } from '../core/settings/errors.ts';
import { defaultSettings, settingsFromDisk, validateSettings } from '../core/settings/validate.ts';

/** What settings and secrets need of an electron-store (or conf) file: the whole object, read and written. */
export interface JsonStoreFile {
  store: Record<string, unknown>;
  readonly path: string;
}

export interface StoreSettingsOptions {
  log?: Pick<Console, 'warn'>;
  now?: () => number;
}

/**
 * A settings file that no longer validates (hand-edited, or from a newer version) is set aside, not
 * overwritten: the app starts with defaults and the user's file stays on disk to be fixed or restored.
 */
function loadOrSetAside(file: JsonStoreFile, opts: StoreSettingsOptions): Settings {
  try {
    return settingsFromDisk(file.store);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    const aside = `${file.path}.invalid-${(opts.now ?? Date.now)()}`;
    copyFileSync(file.path, aside);
    (opts.log ?? console).warn(`spendbar: ${file.path} is not valid (${err.message}); starting with defaults, the old file is kept as ${aside}`);
    return defaultSettings();
  }
}

export function createStoreSettings(file: JsonStoreFile, opts: StoreSettingsOptions = {}): SettingsStore {
  let current = loadOrSetAside(file, opts);
  const listeners = new Set<(settings: Settings) => void>();
  return {
    get: () => structuredClone(current),
    set(next: Settings) {
      const valid = validateSettings(next);
      file.store = structuredClone(valid) as unknown as Record<string, unknown>;
      current = valid;
      for (const listener of [...listeners]) listener(structuredClone(valid));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
