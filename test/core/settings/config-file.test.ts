import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderDescriptor } from '../../../shared/api.ts';
import { DEFAULT_POLL_INTERVAL_SEC } from '../../../shared/domain.ts';
import { loadConfigFile, type LoadedConfig } from '../../../electron/core/settings/config-file.ts';
import { ConfigFileError } from '../../../electron/core/settings/errors.ts';

const OR_KEY = 'sk-or-v1-test-key-not-real-9a8b7c6d5e4f3a2b1c0d9e8f7a6b';
const PRIVATE = '46f09bb9fab4f12dfc160dae12273d5332b5debe';
const PUBLIC = 'ucloudsomeone@example.com1296235120854146120';
const posix = process.platform !== 'win32';

const openrouter: ProviderDescriptor = {
  id: 'openrouter',
  displayName: 'OpenRouter',
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  credentialFields: [{ name: 'apiKey', label: 'API key', secret: true, required: true }],
  optionFields: [{ name: 'models', label: 'Models', secret: false, required: false, type: 'list' }],
  reports: [],
};
const surfercloud: ProviderDescriptor = {
  id: 'surfercloud',
  displayName: 'SurferCloud',
  defaultBaseUrl: 'https://api.surfercloud.com',
  credentialFields: [
    { name: 'publicKey', label: 'Public key', secret: true, required: true },
    { name: 'privateKey', label: 'Private key', secret: true, required: true },
  ],
  optionFields: [
    { name: 'projectId', label: 'Project', secret: false, required: false },
    { name: 'keyId', label: 'Key id', secret: false, required: false },
    { name: 'models', label: 'Models', secret: false, required: false, type: 'list' },
  ],
  reports: [],
};
const descriptors = (id: string) => ({ openrouter, surfercloud })[id as 'openrouter' | 'surfercloud'];
const env: NodeJS.ProcessEnv = { OPENROUTER_KEY: OR_KEY, SC_PUBLIC: PUBLIC, EMPTY: '' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spendbar-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(content: unknown, mode = 0o600): string {
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  chmodSync(path, mode);
  return path;
}

function load(content: unknown, mode = 0o600): LoadedConfig {
  return loadConfigFile(write(content, mode), { env, descriptors });
}

function fileError(content: unknown): ConfigFileError {
  const path = write(content);
  try {
    loadConfigFile(path, { env, descriptors });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigFileError);
    return err as ConfigFileError;
  }
  throw new Error('expected a ConfigFileError');
}

const good = { id: 'gw', provider: 'openrouter', label: 'Gateway', apiKeyEnv: 'OPENROUTER_KEY' };

/** Every message and warning the loader produced, to check that no secret leaked into one. */
function allText(config: LoadedConfig): string {
  return [...config.warnings, ...config.accounts.map((a) => a.error?.message ?? '')].join('\n');
}

describe('loadConfigFile: a good file', () => {
  it('loads accounts, alerts and preferences', () => {
    const config = load({
      accounts: [
        { ...good, baseUrl: 'https://gw.example.com/api/v1', pollIntervalSec: 120, models: 'a/b, c/d ,' },
        { id: 'sc', provider: 'surfercloud', label: 'SC', publicKeyEnv: 'SC_PUBLIC', privateKey: PRIVATE, projectId: 'org-1', models: ['m1'] },
      ],
      alerts: [{ kind: 'balance-below', accountId: 'gw' }],
      preferences: { retentionDays: 30, glance: { kind: 'month' } },
    });
    expect(config.warnings).toEqual([]);
    expect(config.alerts).toEqual([{ kind: 'balance-below', accountId: 'gw' }]);
    expect(config.preferences).toEqual({ retentionDays: 30, glance: { kind: 'month' } });

    const [gw, sc] = config.accounts;
    expect(gw?.error).toBeUndefined();
    expect(gw?.credentials).toEqual({ apiKey: OR_KEY });
    expect(gw?.account).toEqual({
      id: 'gw',
      provider: 'openrouter',
      label: 'Gateway',
      baseUrl: 'https://gw.example.com/api/v1',
      pollIntervalSec: 120,
      options: { models: ['a/b', 'c/d'] },
      credentials: { apiKey: { set: true, masked: `sk-or-v1-…${OR_KEY.slice(-4)}`, from: 'env', env: 'OPENROUTER_KEY' } },
      source: 'config',
    });

    expect(sc?.error).toBeUndefined();
    expect(sc?.credentials).toEqual({ publicKey: PUBLIC, privateKey: PRIVATE });
    expect(sc?.account.options).toEqual({ projectId: 'org-1', models: ['m1'] });
    expect(sc?.account.credentials?.privateKey).toEqual({ set: true, masked: `…${PRIVATE.slice(-4)}`, from: 'inline' });
    expect(JSON.stringify(config.accounts.map((a) => a.account))).not.toContain(PRIVATE);
  });

  it('uses the default interval and the id as label when absent', () => {
    const { id, provider, apiKeyEnv } = good;
    const [only] = load({ accounts: [{ id, provider, apiKeyEnv }] }).accounts;
    expect(only?.account.pollIntervalSec).toBe(DEFAULT_POLL_INTERVAL_SEC);
    expect(only?.account.label).toBe('gw');
    expect(only?.account.baseUrl).toBeUndefined();
  });

  it('takes a number where an id option is text ("projectId": 12345), and still refuses other types', () => {
    const sc = { provider: 'surfercloud', label: 'SC', publicKeyEnv: 'SC_PUBLIC', privateKey: PRIVATE };
    const config = load({ accounts: [{ ...sc, id: 'sc', projectId: 12345 }, { ...sc, id: 'sc2', projectId: { id: 1 } }] });
    expect(config.accounts[0]?.error).toBeUndefined();
    expect(config.accounts[0]?.account.options).toEqual({ projectId: '12345' });
    expect(config.accounts[1]?.error?.message).toContain('projectId must be text');
  });

  it('accepts an empty object', () => {
    expect(load({})).toEqual({ accounts: [], alerts: [], channels: [], preferences: {}, warnings: [] });
  });
});

describe('loadConfigFile: alert channels and quiet hours', () => {
  it('resolves a webhook URL from the environment and skips one whose variable is unset', () => {
    env.CFG_TEST_HOOK = 'https://hooks.example.com/services/T000/B000/XXXX';
    try {
      const loaded = load({
        channels: [
          { id: 'team', type: 'webhook', format: 'slack', urlEnv: 'CFG_TEST_HOOK' },
          { id: 'gone', type: 'webhook', urlEnv: 'CFG_TEST_UNSET_HOOK' },
          { id: 'popup', type: 'popup' },
        ],
        quietHours: { start: '22:00', end: '07:00' },
      });
      expect(loaded.channels).toEqual([
        { id: 'team', type: 'webhook', format: 'slack', url: 'https://hooks.example.com/services/T000/B000/XXXX' },
        { id: 'popup', type: 'popup' },
      ]);
      expect(loaded.quietHours).toEqual({ start: '22:00', end: '07:00' });
      expect(loaded.warnings.join('\n')).toMatch(/channels\[1\] is skipped: urlEnv names CFG_TEST_UNSET_HOOK/);
    } finally {
      delete env.CFG_TEST_HOOK;
    }
  });

  it('rejects channels that are not a list', () => {
    expect(fileError({ channels: { id: 'x' } }).message).toMatch(/"channels" must be a list/);
  });
});

describe('loadConfigFile: one bad account never stops the others', () => {
  it.each([
    ['unknown provider', { id: 'x', provider: 'mystery-ai', apiKey: 'k' }, "Account 'x': unknown provider \"mystery-ai\": use one of newapi, openrouter, deepseek, surfercloud, openai, anthropic, moonshot, siliconflow, custom, xai, litellm"],
    ['a key pasted as provider', { id: 'x', provider: OR_KEY }, "Account 'x': unknown provider: use one of newapi, openrouter, deepseek, surfercloud, openai, anthropic, moonshot, siliconflow, custom, xai, litellm"],
    ['a key pasted as id', { ...good, id: OR_KEY }, 'Account accounts[1]: the id looks like an API key: give the account a short name such as "main" (keys go in "apiKey" or "apiKeyEnv")'],
    ['missing provider', { id: 'x', apiKey: 'k' }, "Account 'x': provider is missing: use one of newapi, openrouter, deepseek, surfercloud, openai, anthropic, moonshot, siliconflow, custom, xai, litellm"],
    ['missing credential', { id: 'x', provider: 'openrouter' }, 'Account \'x\': apiKey is missing: add "apiKeyEnv": "NAME_OF_ENV_VAR" (or "apiKey" inline)'],
    ['env var not set', { id: 'x', provider: 'openrouter', apiKeyEnv: 'NOPE_KEY' }, "Account 'x': apiKeyEnv names NOPE_KEY, which is not set in the environment"],
    ['env var empty', { id: 'x', provider: 'openrouter', apiKeyEnv: 'EMPTY' }, "Account 'x': apiKeyEnv names EMPTY, which is empty in the environment"],
    ['bad env name', { id: 'x', provider: 'openrouter', apiKeyEnv: 'sk-oops value' }, 'Account \'x\': apiKeyEnv must be the name of an environment variable, e.g. "apiKeyEnv": "MY_APIKEY"'],
    ['both inline and env', { id: 'x', provider: 'openrouter', apiKey: OR_KEY, apiKeyEnv: 'OPENROUTER_KEY' }, "Account 'x': set either apiKey or apiKeyEnv, not both"],
    ['malformed URL', { ...good, id: 'x', baseUrl: 'https://user:hunter2@gw.example.com' }, "Account 'x': Base URL must be an absolute http(s) URL, e.g. https://openrouter.ai/api/v1"],
    ['interval under the floor', { ...good, id: 'x', pollIntervalSec: 30 }, "Account 'x': Poll interval must be at least 60 seconds"],
    ['missing id', { provider: 'openrouter', apiKeyEnv: 'OPENROUTER_KEY' }, 'Account accounts[1]: no id: add "id": "a-short-name" (lowercase letters, digits, \'-\' or \'_\')'],
    ['invalid id', { ...good, id: 'My Gateway' }, "Account 'My Gateway': Account id must be 1–40 lowercase letters, digits, '-' or '_', starting with a letter or digit"],
    ['duplicate id', { ...good }, "Account 'gw': the id 'gw' is already used by accounts[0]: give each account its own id"],
    ['not an object', 'gw', 'Account accounts[1]: must be an object like {"id": "main", "provider": "openrouter", …}'],
    ['bad list option', { ...good, id: 'x', models: [1, 2] }, "Account 'x': models must be a list of text, or one comma-separated string"],
  ])('%s', (_name, bad, message) => {
    const config = load({ accounts: [good, bad, { ...good, id: 'after' }] });
    expect(config.accounts).toHaveLength(3);
    const [first, broken, last] = config.accounts;
    expect(first?.error).toBeUndefined();
    expect(first?.credentials).toEqual({ apiKey: OR_KEY });
    expect(last?.error).toBeUndefined();
    expect(last?.account.id).toBe('after');
    expect(broken?.error).toEqual({ kind: 'config', message });
    expect(broken?.credentials).toEqual({});
    expect(broken?.account.source).toBe('config');
    // A broken account still gets an id of its own, so nothing keyed by id is shared with a good one.
    expect(new Set(config.accounts.map((a) => a.account.id)).size).toBe(3);
    expect(allText(config)).not.toContain(OR_KEY);
    expect(allText(config)).not.toContain('hunter2');
    expect(JSON.stringify(broken?.account)).not.toContain(OR_KEY);
    expect(JSON.stringify(broken?.account)).not.toContain('hunter2');
  });

  it('lists every problem of one account in its message', () => {
    const [only] = load({ accounts: [{ id: 'sc', provider: 'surfercloud', pollIntervalSec: 5 }] }).accounts;
    expect(only?.error?.message).toBe(
      "Account 'sc': Poll interval must be at least 60 seconds; " +
        'publicKey is missing: add "publicKeyEnv": "NAME_OF_ENV_VAR" (or "publicKey" inline); ' +
        'privateKey is missing: add "privateKeyEnv": "NAME_OF_ENV_VAR" (or "privateKey" inline)',
    );
  });

  it('resolves env at load time, from the env it is given', () => {
    const path = write({ accounts: [good] });
    const other = loadConfigFile(path, { env: { OPENROUTER_KEY: 'sk-other-value-1234' }, descriptors });
    expect(other.accounts[0]?.credentials).toEqual({ apiKey: 'sk-other-value-1234' });
    expect(other.accounts[0]?.account.credentials?.apiKey?.masked).toBe('sk-…1234');
  });
});

describe('loadConfigFile: warnings', () => {
  it('warns about unknown fields by name', () => {
    const config = load({ accounts: [{ ...good, colour: 'red' }], extra: 1, preferences: { theme: 'dark', concurrency: 0 } });
    expect(config.warnings).toEqual([
      `${join(dir, 'config.json')}: unknown top-level field 'extra' is ignored`,
      `${join(dir, 'config.json')}: unknown preference 'theme' is ignored`,
      `${join(dir, 'config.json')}: preferences.concurrency is ignored: Concurrency must be at least 1`,
      "Account 'gw': unknown field 'colour' is ignored",
    ]);
    expect(config.accounts[0]?.error).toBeUndefined();
    expect(config.preferences).toEqual({});
  });

  it.runIf(posix)('warns when inline keys sit in a file others can read', () => {
    const inline = { accounts: [{ id: 'gw', provider: 'openrouter', apiKey: OR_KEY }] };
    const path = join(dir, 'config.json');
    const loose = load(inline, 0o644);
    expect(loose.warnings).toEqual([
      `${path} holds inline API keys and is readable by other users: chmod 600 ${path} or use apiKeyEnv`,
    ]);
    expect(allText(loose)).not.toContain(OR_KEY);
    expect(load(inline, 0o600).warnings).toEqual([]);
  });

  it.runIf(posix)('does not warn about a readable file that holds only env names', () => {
    expect(load({ accounts: [good] }, 0o644).warnings).toEqual([]);
  });
});

describe('loadConfigFile: a file that cannot be used', () => {
  it('names a missing file', () => {
    const path = join(dir, 'nope.json');
    expect(() => loadConfigFile(path, { env, descriptors })).toThrow(new ConfigFileError(`Config file ${path} does not exist`, path));
  });

  it('names a folder given as the file', () => {
    const path = join(dir, 'sub');
    mkdirSync(path);
    expect(() => loadConfigFile(path, { env, descriptors })).toThrow(/is a folder, not a file/);
  });

  it('gives line and column of a JSON syntax error without quoting the file', () => {
    const text = `{\n  "accounts": [\n    {"id": "gw", "apiKey": "${OR_KEY}"\n    "provider": "openrouter"}\n  ]\n}`;
    const err = fileError(text);
    expect(err.line).toBe(4);
    expect(err.column).toBe(5);
    expect(err.message).toBe(`${join(dir, 'config.json')} is not valid JSON at line 4, column 5: Expected ',' or '}' after property value`);
    expect(err.message).not.toContain(OR_KEY.slice(12));
  });

  it('locates a bare word that V8 reports without a position', () => {
    const err = fileError(`{"accounts": [],\n "alerts": [tru]}`);
    expect([err.line, err.column]).toEqual([2, 13]);
    expect(err.message).not.toContain('tru]');
  });

  it('explains a truncated file', () => {
    expect(fileError('{"accounts": [').message).toMatch(/is not valid JSON: the file ends too early/);
  });

  it.each([
    ['an array', '[]', /must hold a JSON object/],
    ['a string', '"hi"', /must hold a JSON object/],
    ['accounts not a list', { accounts: {} }, /"accounts" must be a list/],
    ['alerts not a list', { alerts: 'x' }, /"alerts" must be a list/],
    ['preferences not an object', { preferences: [] }, /"preferences" must be an object/],
  ])('refuses %s', (_name, content, message) => {
    expect(fileError(content).message).toMatch(message);
  });
});

describe('loadConfigFile: ids that are really keys', () => {
  it.each([
    ['a DeepSeek-shaped key', 'sk-5f2c9a7e1b3d4f6a8c0e2b4d6f8a0c1e'],
    ['a key without its prefix', '5f2c9a7e1b3d4f6a8c0e2b4d6f8a0c1e'],
    ['a short sk- key', 'sk-or-v1-0123456789abcdef'],
  ])('never echoes %s used as an id', (_name, pasted) => {
    const config = load({ accounts: [good, { id: pasted, provider: 'openrouter', apiKeyEnv: 'OPENROUTER_KEY' }, { ...good, id: pasted }] });
    const [, broken, again] = config.accounts;
    expect(broken?.error?.message).toBe('Account accounts[1]: the id looks like an API key: give the account a short name such as "main" (keys go in "apiKey" or "apiKeyEnv")');
    expect(again?.error?.message).toMatch(/^Account accounts\[2\]: the id looks like an API key/);
    const everything = allText(config) + JSON.stringify(config.accounts.map((a) => a.account));
    expect(everything).not.toContain(pasted);
    expect(everything).not.toContain(pasted.slice(-20));
  });
});

describe('loadConfigFile: limits', () => {
  it('refuses a config file over 1 MB before parsing it', () => {
    const path = write(`{"accounts": [], "pad": "${'x'.repeat(1024 * 1024)}"}`);
    expect(() => loadConfigFile(path, { env, descriptors })).toThrow(/is 1\.0 MB; Spendbar reads config files of at most 1 MB/);
  });

  it('refuses more accounts or alert rules than Spendbar watches', () => {
    const accounts = Array.from({ length: 1001 }, (_, i) => ({ ...good, id: `a${i}` }));
    expect(fileError({ accounts }).message).toMatch(/1001 accounts; Spendbar watches at most 1000/);
    const alerts = Array.from({ length: 501 }, () => ({ type: 'balance-below', account: 'gw', amount: 1, currency: 'USD' }));
    expect(fileError({ accounts: [good], alerts }).message).toMatch(/501 alert rules; Spendbar keeps at most 500/);
    expect(load({ accounts: Array.from({ length: 1000 }, (_, i) => ({ ...good, id: `a${i}` })) }).accounts).toHaveLength(1000);
  });
});
