import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore, createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { SecretStoreError } from '../../../electron/core/settings/errors.ts';

const KEY = 'sk-or-v1-test-key-not-real-4f6a0d8e2b9c71355e0f6a7d8c9b';
const posix = process.platform !== 'win32';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'spendbar-secrets-'));
  dir = join(root, 'data');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function openError(): SecretStoreError {
  try {
    createFileSecretStore(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(SecretStoreError);
    return err as SecretStoreError;
  }
  throw new Error('expected a SecretStoreError');
}

describe('createFileSecretStore', () => {
  it('round-trips values across instances', () => {
    const store = createFileSecretStore(dir);
    expect(store.protection).toBe('file-key');
    store.set('or-main.apiKey', KEY);
    store.set('sc.privateKey', 'ünïcode-☃-value');
    expect(store.get('or-main.apiKey')).toBe(KEY);

    const again = createFileSecretStore(dir);
    expect(again.get('or-main.apiKey')).toBe(KEY);
    expect(again.get('sc.privateKey')).toBe('ünïcode-☃-value');
    expect(again.get('missing')).toBeUndefined();
  });

  it('deletes values for good', () => {
    const store = createFileSecretStore(dir);
    store.set('a.apiKey', KEY);
    store.set('b.apiKey', 'other-value-123');
    store.delete('a.apiKey');
    store.delete('never-set');
    expect(store.get('a.apiKey')).toBeUndefined();
    const again = createFileSecretStore(dir);
    expect(again.get('a.apiKey')).toBeUndefined();
    expect(again.get('b.apiKey')).toBe('other-value-123');
  });

  it('keeps only ciphertext on disk, fresh IV per write', () => {
    const store = createFileSecretStore(dir);
    store.set('a.apiKey', KEY);
    const first = readFileSync(store.secretsPath, 'utf8');
    expect(first).not.toContain(KEY);
    expect(first).not.toContain(KEY.slice(10, 30));
    expect(first).not.toContain(Buffer.from(KEY).toString('base64').slice(0, 20));
    const body = JSON.parse(first);
    expect(Object.keys(body.secrets)).toEqual(['a.apiKey']);
    expect(Object.keys(body.secrets['a.apiKey']).sort()).toEqual(['ciphertext', 'iv', 'tag']);
    store.set('a.apiKey', KEY);
    const second = JSON.parse(readFileSync(store.secretsPath, 'utf8'));
    expect(second.secrets['a.apiKey'].iv).not.toBe(body.secrets['a.apiKey'].iv);
  });

  it.runIf(posix)('creates the key 0600, the folder 0700 and secrets.json 0600', () => {
    const store = createFileSecretStore(dir);
    store.set('a.apiKey', KEY);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(store.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(store.secretsPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(store.keyPath)).toHaveLength(32);
  });

  it.runIf(posix)('tightens a folder and key that were left open', () => {
    createFileSecretStore(dir);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'secret.key'), 0o644);
    createFileSecretStore(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses a wrong key, naming the key file, and leaves secrets.json alone', () => {
    const store = createFileSecretStore(dir);
    store.set('a.apiKey', KEY);
    const before = readFileSync(store.secretsPath, 'utf8');
    writeFileSync(store.keyPath, Buffer.alloc(32, 7));
    const err = openError();
    expect(err.file).toBe(store.keyPath);
    expect(err.message).toContain(store.keyPath);
    expect(err.message).toMatch(/does not decrypt/);
    expect(err.message).not.toContain(KEY);
    expect(readFileSync(store.secretsPath, 'utf8')).toBe(before);
  });

  it('refuses a key of the wrong size', () => {
    createFileSecretStore(dir).set('a.apiKey', KEY);
    writeFileSync(join(dir, 'secret.key'), 'short');
    const err = openError();
    expect(err.message).toContain(join(dir, 'secret.key'));
    expect(err.message).toMatch(/expected 32 bytes, found 5/);
  });

  it('refuses to make a new key while secrets.json holds values', () => {
    const store = createFileSecretStore(dir);
    store.set('a.apiKey', KEY);
    rmSync(store.keyPath);
    const err = openError();
    expect(err.message).toContain(`${store.keyPath} is missing`);
    expect(existsSync(store.keyPath)).toBe(false);
    expect(JSON.parse(readFileSync(store.secretsPath, 'utf8')).secrets['a.apiKey']).toBeDefined();
  });

  it('refuses a damaged secrets.json without overwriting it', () => {
    createFileSecretStore(dir);
    writeFileSync(join(dir, 'secrets.json'), '{"version": 1, "secrets": {');
    const err = openError();
    expect(err.file).toBe(join(dir, 'secrets.json'));
    expect(err.message).toMatch(/not valid JSON/);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).toBe('{"version": 1, "secrets": {');
  });

  it('does not let an entry be moved under another ref', () => {
    const store = createFileSecretStore(dir);
    store.set('a.apiKey', KEY);
    const body = JSON.parse(readFileSync(store.secretsPath, 'utf8'));
    body.secrets['b.apiKey'] = body.secrets['a.apiKey'];
    writeFileSync(store.secretsPath, JSON.stringify(body));
    expect(openError().message).toContain("'b.apiKey'");
  });
});

describe('createMemorySecretStore', () => {
  it('keeps values in memory only', () => {
    const store = createMemorySecretStore({ 'x.apiKey': 'one' });
    expect(store.get('x.apiKey')).toBe('one');
    store.set('y.apiKey', 'two');
    store.delete('x.apiKey');
    expect(store.get('x.apiKey')).toBeUndefined();
    expect(store.get('y.apiKey')).toBe('two');
    expect(createMemorySecretStore({}, 'env').protection).toBe('env');
  });
});
