// The headless secret store (`protection: 'file-key'`): each value is encrypted with AES-256-GCM into
// <dir>/secrets.json, under a random 32-byte key kept in <dir>/secret.key (mode 0600, folder 0700).
//
// What this protects against: casual disclosure. A backup of secrets.json alone, a screenshot or paste of
// the settings folder's files, an accidental commit of secrets.json — none of these reveal a key.
// What it does NOT protect against: anyone who can read the whole data folder (the same user, root, a
// full-disk backup) has secret.key too and can decrypt everything. Prefer environment variables
// (`apiKeyEnv` in the config file) where that matters; the app's own build uses the OS keychain instead.
import { nodeCrypto } from '../lazy-builtins.ts';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../ports.ts';
import { SecretStoreError } from './errors.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT_VERSION = 1;

interface SealedValue {
  iv: string;
  tag: string;
  ciphertext: string;
}

interface SecretsFile {
  version: number;
  secrets: Record<string, SealedValue>;
}

const isPosix = process.platform !== 'win32';

function seal(key: Buffer, ref: string, value: string): SealedValue {
  const { createCipheriv, randomBytes } = nodeCrypto();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The ref is bound in as associated data, so a value moved under another ref fails to decrypt.
  cipher.setAAD(Buffer.from(ref, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
}

function unseal(key: Buffer, ref: string, sealed: SealedValue): string {
  const decipher = nodeCrypto().createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(ref, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
}

function isSealed(v: unknown): v is SealedValue {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.iv === 'string' && typeof o.tag === 'string' && typeof o.ciphertext === 'string';
}

function readSecretsFile(path: string): Map<string, SealedValue> {
  if (!existsSync(path)) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SecretStoreError(
      `${path} is not valid JSON, so the stored API keys cannot be read. It was left untouched: restore it from a backup, ` +
        'or move it aside and enter the keys again.',
      path,
      { cause: err },
    );
  }
  const file = parsed as Partial<SecretsFile> | null;
  if (!file || typeof file !== 'object' || file.version !== FORMAT_VERSION || typeof file.secrets !== 'object' || file.secrets === null) {
    throw new SecretStoreError(
      `${path} is not a Spendbar secrets file (version ${FORMAT_VERSION}). It was left untouched: move it aside to start over.`,
      path,
    );
  }
  for (const [ref, sealed] of Object.entries(file.secrets)) {
    if (!isSealed(sealed)) throw new SecretStoreError(`${path}: the entry for '${ref}' is damaged. The file was left untouched.`, path);
  }
  return new Map(Object.entries(file.secrets));
}

function tightenMode(path: string, mode: number): void {
  if (!isPosix) return;
  if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
}

function loadOrCreateKey(keyPath: string, secretsPath: string, sealedCount: number): Buffer {
  if (!existsSync(keyPath)) {
    if (sealedCount > 0) {
      // A new key would make every stored value unreadable for good; refuse, and leave both files as they are.
      throw new SecretStoreError(
        `${keyPath} is missing, but ${secretsPath} holds ${sealedCount} encrypted secret(s) that only that key can read. ` +
          'Restore secret.key from a backup, or move secrets.json aside and enter the keys again.',
        keyPath,
      );
    }
    const key = nodeCrypto().randomBytes(KEY_BYTES);
    // 'wx': never overwrite a key another process created a moment ago.
    writeFileSync(keyPath, key, { mode: 0o600, flag: 'wx' });
    tightenMode(keyPath, 0o600);
    return key;
  }
  const key = readFileSync(keyPath);
  if (key.length !== KEY_BYTES) {
    throw new SecretStoreError(
      `${keyPath} is not a Spendbar key (expected ${KEY_BYTES} bytes, found ${key.length}). ` +
        `Restore the secret.key that belongs with ${secretsPath}; nothing was changed.`,
      keyPath,
    );
  }
  tightenMode(keyPath, 0o600);
  return key;
}

export interface FileSecretStore extends SecretStore {
  readonly keyPath: string;
  readonly secretsPath: string;
}

/**
 * Opens (or creates) the store in `dir`. Throws SecretStoreError naming the file at fault when the key is
 * missing, wrong or damaged; it never rewrites secrets.json in that case, so nothing is lost.
 */
export function createFileSecretStore(dir: string): FileSecretStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tightenMode(dir, 0o700);
  const keyPath = join(dir, 'secret.key');
  const secretsPath = join(dir, 'secrets.json');

  let sealed = readSecretsFile(secretsPath);
  const key = loadOrCreateKey(keyPath, secretsPath, sealed.size);

  // Decrypt everything up front: a wrong key shows at start-up, naming the key file, not at the first poll.
  const plain = new Map<string, string>();
  for (const [ref, value] of sealed) {
    try {
      plain.set(ref, unseal(key, ref, value));
    } catch (err) {
      throw new SecretStoreError(
        `${keyPath} does not decrypt ${secretsPath} (the key is wrong or was replaced, or the entry for '${ref}' was changed). ` +
          'Restore the secret.key that belongs with this secrets.json, or move secrets.json aside and enter the keys again; nothing was changed.',
        keyPath,
        { cause: err },
      );
    }
  }

  const persist = (next: Map<string, SealedValue>): void => {
    const body: SecretsFile = { version: FORMAT_VERSION, secrets: Object.fromEntries(next) };
    // Write then rename, so a crash mid-write leaves the previous file intact rather than half a file.
    const tmp = `${secretsPath}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, secretsPath);
    tightenMode(secretsPath, 0o600);
  };

  // Memory changes only after the file is written, so a failed write never leaves the two disagreeing.
  const update = (change: (next: Map<string, SealedValue>) => void): void => {
    const next = new Map(sealed);
    change(next);
    persist(next);
    sealed = next;
  };

  return {
    protection: 'file-key',
    keyPath,
    secretsPath,
    get: (ref) => plain.get(ref),
    set(ref, value) {
      update((next) => next.set(ref, seal(key, ref, value)));
      plain.set(ref, value);
    },
    delete(ref) {
      if (!sealed.has(ref)) return;
      update((next) => next.delete(ref));
      plain.delete(ref);
    },
  };
}

/** Secrets held only in memory: for tests and the demo. */
export function createMemorySecretStore(
  initial: Record<string, string> = {},
  protection: SecretStore['protection'] = 'file-key',
): SecretStore {
  const values = new Map(Object.entries(initial));
  return {
    protection,
    get: (ref) => values.get(ref),
    set: (ref, value) => {
      values.set(ref, value);
    },
    delete: (ref) => {
      values.delete(ref);
    },
  };
}
