import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  accountIdSchema,
  accountInputSchema,
  accountSchema,
  baseUrlSchema,
  firstIssuePath,
  formatIssues,
  pollIntervalSchema,
  preferencesSchema,
  providerIdSchema,
  seriesQuerySchema,
  settingsSchema,
  totalsQuerySchema,
  isValidTimeZone,
} from '../../shared/schemas.ts';
import { DEFAULT_PREFERENCES } from '../../electron/core/ports.ts';

const BASE_URL_MESSAGE = 'Base URL must be an absolute http(s) URL, e.g. https://openrouter.ai/api/v1';
const DAY = 86_400_000;

function problems(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? '' : formatIssues(result.error);
}

const account = { id: 'main', provider: 'openrouter', label: 'OpenRouter', pollIntervalSec: 300 };

describe('accountIdSchema', () => {
  it.each(['main', 'gw-2', 'a_b', '0x', 'a'.repeat(40)])('accepts %s', (id) => {
    expect(accountIdSchema.parse(id)).toBe(id);
  });
  it.each(['', 'Main', '-x', '_x', 'a'.repeat(41), 'a b', 'a.b', 'é'])('refuses %j', (id) => {
    expect(problems(accountIdSchema, id)).toMatch(/^Account id must be 1–40 lowercase letters/);
  });
  it('refuses a number', () => {
    expect(problems(accountIdSchema, 5)).toBe('Account id must be a string');
  });
});

describe('providerIdSchema', () => {
  it.each(['newapi', 'openrouter', 'deepseek', 'surfercloud'])('accepts %s', (p) => {
    expect(providerIdSchema.parse(p)).toBe(p);
  });
  it('names the known providers when refusing one', () => {
    expect(problems(providerIdSchema, 'mystery-ai')).toBe('Provider must be one of: newapi, openrouter, deepseek, surfercloud, openai, anthropic, moonshot, siliconflow, custom, xai, litellm');
  });
});

describe('baseUrlSchema', () => {
  it.each(['https://openrouter.ai/api/v1', 'http://127.0.0.1:8080', 'https://gw.example.com/v1/'])('accepts %s', (url) => {
    expect(baseUrlSchema.parse(url)).toBe(url);
  });
  it('trims surrounding space', () => {
    expect(baseUrlSchema.parse('  https://api.deepseek.com ')).toBe('https://api.deepseek.com');
  });
  it.each(['openrouter.ai/api/v1', '/api/v1', 'ftp://example.com', 'https://user:pw@example.com', 'https://user@example.com', '', 42])(
    'refuses %j with the example in the message',
    (url) => {
      expect(problems(baseUrlSchema, url)).toBe(BASE_URL_MESSAGE);
    },
  );
});

describe('pollIntervalSchema', () => {
  it('accepts the floor and a day', () => {
    expect(pollIntervalSchema.parse(60)).toBe(60);
    expect(pollIntervalSchema.parse(86_400)).toBe(86_400);
  });
  it('refuses anything under 60 seconds', () => {
    expect(problems(pollIntervalSchema, 59)).toBe('Poll interval must be at least 60 seconds');
    expect(problems(pollIntervalSchema, 0)).toBe('Poll interval must be at least 60 seconds');
  });
  it('refuses fractions, text and more than a day', () => {
    expect(problems(pollIntervalSchema, 90.5)).toBe('Poll interval must be a whole number of seconds');
    expect(problems(pollIntervalSchema, '120')).toBe('Poll interval must be a number of seconds');
    expect(problems(pollIntervalSchema, 86_401)).toMatch(/at most 86400 seconds/);
  });
});

describe('accountInputSchema', () => {
  it('accepts a minimal form and treats empty id and base URL as absent', () => {
    const parsed = accountInputSchema.parse({ id: '', provider: 'deepseek', label: ' DS ', baseUrl: '', credentials: { apiKey: 'sk-1' } });
    expect(parsed).toEqual({ provider: 'deepseek', label: 'DS', credentials: { apiKey: 'sk-1' } });
  });
  it('keeps list and text options', () => {
    const parsed = accountInputSchema.parse({ provider: 'surfercloud', label: 'SC', options: { projectId: 'p1', models: ['a', 'b'] } });
    expect(parsed.options).toEqual({ projectId: 'p1', models: ['a', 'b'] });
  });
  it('reports each bad field with its path', () => {
    const text = problems(accountInputSchema, { provider: 'x', label: '', baseUrl: 'nope', pollIntervalSec: 10 });
    expect(text.split('\n')).toEqual([
      'provider: Provider must be one of: newapi, openrouter, deepseek, surfercloud, openai, anthropic, moonshot, siliconflow, custom, xai, litellm',
      'label: Label must not be empty',
      `baseUrl: ${BASE_URL_MESSAGE}`,
      'pollIntervalSec: Poll interval must be at least 60 seconds',
    ]);
  });
  it('refuses a secret put among the options', () => {
    expect(problems(accountInputSchema, { provider: 'openrouter', label: 'x', options: { apiKey: 'sk-1' } })).toBe(
      "options.apiKey: 'apiKey' is a secret: it goes in the credentials, not among the options",
    );
  });
});

describe('accountSchema', () => {
  it('accepts an account with credential hints', () => {
    const a = { ...account, credentials: { apiKey: { set: true, masked: 'sk-or-v1-…a1b2', from: 'store' } }, source: 'settings' };
    expect(accountSchema.parse(a)).toEqual(a);
  });
  it('accepts the short-value mask', () => {
    expect(accountSchema.safeParse({ ...account, credentials: { apiKey: { set: true, masked: '••••', from: 'env', env: 'K' } } }).success).toBe(true);
  });
  it('refuses a credential value where a hint belongs', () => {
    expect(problems(accountSchema, { ...account, credentials: { apiKey: 'sk-or-v1-0123456789abcdef' } })).toMatch(
      /^credentials\.apiKey: Only a credential hint/,
    );
  });
  it('refuses a hint whose "masked" is the whole key', () => {
    const text = problems(accountSchema, { ...account, credentials: { apiKey: { set: true, masked: 'sk-or-v1-0123456789abcdef', from: 'store' } } });
    expect(text).toBe('credentials.apiKey.masked: A masked hint shows at most a prefix and the last 4 characters');
  });
  it('refuses unknown fields such as a stray apiKey', () => {
    expect(problems(accountSchema, { ...account, apiKey: 'sk-x' })).toBe('apiKey: unknown field');
  });
  it('requires the poll interval', () => {
    const { pollIntervalSec: _omit, ...rest } = account;
    expect(problems(accountSchema, rest)).toBe('pollIntervalSec: Poll interval must be a number of seconds');
  });
});

describe('seriesQuerySchema', () => {
  const q = { metric: 'cost', bucket: 'day', groupBy: 'model', from: 1_700_000_000_000, to: 1_700_000_000_000 + 30 * DAY };
  it('accepts a valid query with a zone', () => {
    expect(seriesQuerySchema.parse({ ...q, timeZone: 'America/New_York', maxPoints: 500 })).toMatchObject({ timeZone: 'America/New_York' });
  });
  it('requires from before to', () => {
    expect(problems(seriesQuerySchema, { ...q, to: q.from })).toBe("to: 'to' must be after 'from'");
  });
  it('refuses spans over two years', () => {
    expect(problems(seriesQuerySchema, { ...q, to: q.from + 800 * DAY })).toBe('to: The time range must span at most 2 years');
    expect(seriesQuerySchema.safeParse({ ...q, to: q.from + 700 * DAY }).success).toBe(true);
  });
  it('refuses a zone Intl does not know', () => {
    expect(problems(seriesQuerySchema, { ...q, timeZone: 'Mars/Olympus' })).toMatch(/^timeZone: Time zone must be an IANA zone/);
  });
  it('refuses unknown metric, bucket and grouping', () => {
    const lines = problems(seriesQuerySchema, { ...q, metric: 'dollars', bucket: 'year', groupBy: 'user' }).split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['metric', 'bucket', 'groupBy']);
  });
});

describe('totalsQuerySchema', () => {
  it('accepts a valid query and refuses groupBy none', () => {
    const q = { groupBy: 'key', from: 0, to: DAY, accountIds: ['a'] };
    expect(totalsQuerySchema.parse(q)).toEqual(q);
    expect(problems(totalsQuerySchema, { ...q, groupBy: 'none' })).toMatch(/^groupBy: /);
    expect(problems(totalsQuerySchema, { ...q, from: DAY, to: 0 })).toBe("to: 'to' must be after 'from'");
  });
});

describe('preferences and settings', () => {
  it('accepts the default preferences', () => {
    expect(preferencesSchema.parse(DEFAULT_PREFERENCES)).toEqual(DEFAULT_PREFERENCES);
  });
  it('needs an account for the balance glance and sane numbers', () => {
    const text = problems(preferencesSchema, { ...DEFAULT_PREFERENCES, glance: { kind: 'balance' }, retentionDays: 0, concurrency: 0 });
    expect(text.split('\n')).toEqual([
      'glance.accountId: Account id must be a string',
      'retentionDays: Keep raw snapshots at least 1 day',
      'concurrency: Concurrency must be at least 1',
    ]);
  });
  it('formats nested paths the way the brief shows', () => {
    const settings = { accounts: [account, { ...account, id: 'b', baseUrl: 'openrouter.ai' }], alerts: [], preferences: DEFAULT_PREFERENCES };
    const result = settingsSchema.safeParse(settings);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(formatIssues(result.error)).toBe(`accounts[1].baseUrl: ${BASE_URL_MESSAGE}`);
    expect(firstIssuePath(result.error)).toBe('accounts[1].baseUrl');
  });
  it('refuses two accounts with one id', () => {
    const text = problems(settingsSchema, { accounts: [account, account], alerts: [{ any: 'rule' }], preferences: DEFAULT_PREFERENCES });
    expect(text).toBe("accounts[1].id: Account id 'main' is used twice");
  });
  it('names an unknown key in the path', () => {
    const result = settingsSchema.safeParse({ accounts: [], alerts: [], preferences: DEFAULT_PREFERENCES, token: 'x' });
    expect(result.success).toBe(false);
    if (!result.success) expect(firstIssuePath(result.error)).toBe('token');
  });
});

describe('time zone names', () => {
  it('accepts the names of UTC without asking Intl (whose first use loads ICU), and asks it for the rest', () => {
    const real = Intl.DateTimeFormat;
    let asked = 0;
    Intl.DateTimeFormat = function (...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      asked++;
      return new real(...args);
    } as unknown as typeof Intl.DateTimeFormat;
    try {
      for (const zone of ['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT']) expect(isValidTimeZone(zone)).toBe(true);
      expect(asked).toBe(0);
      expect(isValidTimeZone('Europe/Berlin')).toBe(true);
      expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
      expect(asked).toBe(2);
    } finally {
      Intl.DateTimeFormat = real;
    }
  });
});
