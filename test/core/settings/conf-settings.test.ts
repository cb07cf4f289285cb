import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfSettingsStore, createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { SettingsError } from '../../../electron/core/settings/errors.ts';
import { DEFAULT_PREFERENCES, type Settings } from '../../../electron/core/ports.ts';
import type { Account } from '../../../shared/domain.ts';

const KEY = 'sk-or-v1-0123456789abcdef0123456789abcdef';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spendbar-settings-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const account: Account = {
  id: 'or-main',
  provider: 'openrouter',
  label: 'OpenRouter',
  baseUrl: 'https://openrouter.ai/api/v1',
  pollIntervalSec: 600,
  options: { models: ['a', 'b'] },
  credentials: { apiKey: { set: true, masked: 'sk-or-v1-…cdef', from: 'store' } },
  source: 'settings',
};

function settingsWith(accounts: unknown[]): Settings {
  return { accounts: accounts as Account[], alerts: [{ kind: 'balance-below' }], preferences: { ...DEFAULT_PREFERENCES, retentionDays: 30 } };
}

function quiet() {
  const seen: string[] = [];
  return { seen, onProblem: (m: string) => seen.push(m) };
}

function errorOf(fn: () => void): SettingsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return err as SettingsError;
  }
  throw new Error('expected a SettingsError');
}

describe('createConfSettingsStore', () => {
  it('starts from defaults and writes settings.json', () => {
    const store = createConfSettingsStore(dir, quiet());
    expect(store.get()).toEqual({ accounts: [], alerts: [], preferences: DEFAULT_PREFERENCES });
    expect(store.path).toBe(join(dir, 'settings.json'));
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ accounts: [], alerts: [], preferences: DEFAULT_PREFERENCES });
  });

  it('round-trips settings through the file and a new store', () => {
    const store = createConfSettingsStore(dir, quiet());
    const next = settingsWith([account]);
    store.set(next);
    expect(store.get()).toEqual(next);
    expect(createConfSettingsStore(dir, quiet()).get()).toEqual(next);
  });

  it('replaces the whole store rather than merging', () => {
    const store = createConfSettingsStore(dir, quiet());
    store.set(settingsWith([account]));
    store.set(settingsWith([]));
    expect(store.get().accounts).toEqual([]);
  });

  it('tells listeners about a change and stops after unsubscribe', () => {
    const store = createConfSettingsStore(dir, quiet());
    const heard: Settings[] = [];
    const off = store.onChange((s) => heard.push(s));
    store.set(settingsWith([account]));
    off();
    store.set(settingsWith([]));
    expect(heard).toHaveLength(1);
    expect(heard[0]?.accounts[0]?.id).toBe('or-main');
  });

  it('refuses invalid input with a field path and leaves the file unchanged', () => {
    const store = createConfSettingsStore(dir, quiet());
    store.set(settingsWith([account]));
    const before = readFileSync(store.path, 'utf8');
    const err = errorOf(() => store.set(settingsWith([account, { ...account, id: 'two', baseUrl: 'not a url' }])));
    expect(err.field).toBe('accounts[1].baseUrl');
    expect(err.message).toMatch(/^accounts\[1\]\.baseUrl: Base URL must be an absolute http\(s\) URL/);
    expect(readFileSync(store.path, 'utf8')).toBe(before);
  });

  it.each([
    ['a credential value in place of a hint', { ...account, credentials: { apiKey: KEY } }, 'accounts[0].credentials.apiKey'],
    ['a secret field on the account', { ...account, apiKey: KEY }, 'accounts[0].apiKey'],
    ['a short secret field on the account', { ...account, privateKey: 'abc' }, 'accounts[0].privateKey'],
    ['a key pasted into the label', { ...account, label: KEY }, 'accounts[0].label'],
    ['a key among the options', { ...account, options: { note: KEY } }, 'accounts[0].options.note'],
    ['a hint whose mask is the key', { ...account, credentials: { apiKey: { set: true, masked: KEY, from: 'store' } } }, 'accounts[0].credentials.apiKey'],
  ])('never writes a secret: refuses %s', (_name, bad, field) => {
    const store = createConfSettingsStore(dir, quiet());
    store.set(settingsWith([account]));
    const err = errorOf(() => store.set(settingsWith([bad])));
    expect(err.field?.startsWith(field)).toBe(true);
    expect(err.message).not.toContain(KEY);
    const onDisk = readFileSync(store.path, 'utf8');
    expect(onDisk).not.toContain(KEY);
    expect(onDisk).not.toContain('abc"');
  });

  it('keeps a file that is not JSON aside and starts from defaults', () => {
    const path = join(dir, 'settings.json');
    writeFileSync(path, '{"accounts": [ oops');
    const { seen, onProblem } = quiet();
    const store = createConfSettingsStore(dir, { onProblem, now: () => Date.UTC(2025, 0, 2, 3, 4, 5, 678) });
    expect(store.get()).toEqual({ accounts: [], alerts: [], preferences: DEFAULT_PREFERENCES });
    const kept = join(dir, 'settings.invalid-2025-01-02T03-04-05-678Z.json');
    expect(readFileSync(kept, 'utf8')).toBe('{"accounts": [ oops');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('not valid JSON');
    expect(seen[0]).toContain('settings.invalid-2025-01-02T03-04-05-678Z.json');
    expect(store.problems).toEqual(seen);
  });

  it('keeps a file the schema refuses aside, naming the field', () => {
    const path = join(dir, 'settings.json');
    const bad = JSON.stringify({ accounts: [{ ...account, pollIntervalSec: 5 }], alerts: [] });
    writeFileSync(path, bad);
    const { seen, onProblem } = quiet();
    const store = createConfSettingsStore(dir, { onProblem });
    expect(store.get().accounts).toEqual([]);
    const kept = readdirSync(dir).filter((f) => f.startsWith('settings.invalid-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0] as string), 'utf8')).toBe(bad);
    expect(seen[0]).toContain('accounts[0].pollIntervalSec: Poll interval must be at least 60 seconds');
  });

  it('fills sections an older file lacks from the defaults', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ accounts: [account], preferences: { concurrency: 2 } }));
    const store = createConfSettingsStore(dir, quiet());
    expect(store.get()).toEqual({ accounts: [account], alerts: [], preferences: { ...DEFAULT_PREFERENCES, concurrency: 2 } });
    expect(store.problems).toEqual([]);
  });

  it('sets aside a file made unparseable while running', () => {
    const { seen, onProblem } = quiet();
    const store = createConfSettingsStore(dir, { onProblem });
    store.set(settingsWith([account]));
    writeFileSync(store.path, '{"accounts": [');
    expect(store.get().accounts).toEqual([]);
    expect(seen[0]).toContain('not valid JSON');
    store.set(settingsWith([account]));
    expect(store.get().accounts).toEqual([account]);
  });

  it('sets aside a broken file before a write replaces it', () => {
    const { seen, onProblem } = quiet();
    const store = createConfSettingsStore(dir, { onProblem });
    writeFileSync(store.path, '{"accounts": [ hand-edited');
    store.set(settingsWith([account]));
    const kept = readdirSync(dir).filter((f) => f.startsWith('settings.invalid-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0] as string), 'utf8')).toBe('{"accounts": [ hand-edited');
    expect(seen).toHaveLength(1);
    expect(store.get().accounts).toEqual([account]);
  });

  it('does not set aside a file it merely cannot read', () => {
    mkdirSync(join(dir, 'settings.json'));
    const { seen, onProblem } = quiet();
    expect(() => createConfSettingsStore(dir, { onProblem })).toThrow(/EISDIR/);
    expect(seen).toEqual([]);
    expect(statSync(join(dir, 'settings.json')).isDirectory()).toBe(true);
  });

  it('sets aside a file broken by hand while running', () => {
    const { seen, onProblem } = quiet();
    const store = createConfSettingsStore(dir, { onProblem });
    store.set(settingsWith([account]));
    writeFileSync(store.path, '{"accounts": 7}');
    expect(store.get().accounts).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.startsWith('settings.invalid-'))).toHaveLength(1);
  });
});

describe('createMemorySettingsStore', () => {
  it('validates like the file store and hands out copies', () => {
    const store = createMemorySettingsStore({ accounts: [account] });
    const got = store.get();
    got.accounts.pop();
    expect(store.get().accounts).toHaveLength(1);
    expect(() => store.set(settingsWith([{ ...account, credentials: { apiKey: KEY } }]))).toThrow(SettingsError);
    expect(store.get().accounts[0]).toEqual(account);
  });

  it('refuses invalid initial settings', () => {
    expect(() => createMemorySettingsStore({ accounts: [{ ...account, pollIntervalSec: 1 }] })).toThrow(/pollIntervalSec/);
  });
});
