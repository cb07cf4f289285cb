// The app's SecretStore: each value is encrypted with Electron's safeStorage (Keychain on macOS, DPAPI on
// Windows, libsecret/kwallet on Linux) and only the ciphertext, base64, is written, to its own file apart
// from settings. On Linux without a keyring safeStorage falls back to a fixed key ('basic_text'): the
// values are then only obfuscated, and `protection` says so, so the UI can tell the user.
import type { SafeStorage } from 'electron';
import type { SecretStore } from '../core/ports.ts';
import { SecretStoreError } from '../core/settings/errors.ts';
import type { JsonStoreFile } from './settings.ts';

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

export interface SafeStorageSecretsOptions {
  safeStorage: SafeStorageLike;
  /** An electron-store file of its own (secrets.json), holding `{ secrets: { [ref]: base64 } }`. */
  file: JsonStoreFile;
  platform?: NodeJS.Platform;
  log?: Pick<Console, 'warn'>;
}

export function secretProtection(safeStorage: SafeStorageLike, platform: NodeJS.Platform): 'os' | 'obfuscated' {
  if (platform !== 'linux') return 'os';
  return safeStorage.getSelectedStorageBackend() === 'basic_text' ? 'obfuscated' : 'os';
}

function readMap(file: JsonStoreFile): Record<string, string> {
  const raw = file.store.secrets;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, string> = {};
  for (const [ref, value] of Object.entries(raw)) if (typeof value === 'string') out[ref] = value;
  return out;
}

export function createSafeStorageSecrets(opts: SafeStorageSecretsOptions): SecretStore {
  const { safeStorage, file } = opts;
  const platform = opts.platform ?? process.platform;
  const log = opts.log ?? console;
  const write = (map: Record<string, string>) => {
    file.store = { ...file.store, secrets: map };
  };
  return {
    // Read when asked: the Linux backend is only known once the app is ready.
    get protection() {
      return secretProtection(safeStorage, platform);
    },
    get(ref: string) {
      const ciphertext = readMap(file)[ref];
      if (ciphertext === undefined) return undefined;
      try {
        return safeStorage.decryptString(Buffer.from(ciphertext, 'base64'));
      } catch {
        // A keyring that changed (new machine, reset login keychain) cannot open old values.
        log.warn(`spendbar: the stored secret ${ref} cannot be decrypted any more; enter it again in Accounts`);
        return undefined;
      }
    },
    set(ref: string, value: string) {
      if (!safeStorage.isEncryptionAvailable()) {
        throw new SecretStoreError(
          'The system keychain is not available, so the key was not saved. Unlock or set up the keyring and try again.',
          file.path,
        );
      }
      const ciphertext = safeStorage.encryptString(value).toString('base64');
      write({ ...readMap(file), [ref]: ciphertext });
    },
    delete(ref: string) {
      const map = readMap(file);
      if (!(ref in map)) return;
      delete map[ref];
      write(map);
    },
  };
}
