import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient } from '../../../electron/core/http.ts';
import { customAdapter } from '../../../electron/core/providers/custom.ts';
import { DEMO_ASSISTERS_KEY, DEMO_BALANCE_KEY, DEMO_RESELLER_KEY, startCustomFake, type CustomFake } from '../../../electron/core/providers/fakes/custom.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';
import { accountInputSchema } from '../../../shared/schemas.ts';
import { readConfigAccount } from '../../../electron/core/settings/config-account.ts';
import { getDescriptor } from '../../../electron/core/providers/registry.ts';

let fake: CustomFake;
beforeAll(async () => {
  fake = await startCustomFake();
  return () => fake.close();
});
afterEach(() => fake.clearFaults());

function ctx(options: Record<string, string | string[]>, apiKey = ''): FetchContext {
  return { account: { id: 'c', provider: 'custom', label: 'Custom', pollIntervalSec: 300, options }, baseUrl: fake.url, credentials: apiKey ? { apiKey } : {}, http: defaultHttpClient, timeoutMs: 5000, now: () => Date.now() };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

describe('custom presets', () => {
  it('one-api-credit-grants: balance, total spend and the credit as a quota, in dollars', async () => {
    const r = await customAdapter.fetch(ctx({ preset: 'one-api-credit-grants' }, DEMO_RESELLER_KEY));
    expect(r.balance).toEqual({ micros: 37_660_000, currency: 'USD' });
    expect(r.spent).toEqual({ total: { micros: 12_340_000, currency: 'USD' } });
    expect(r.quota).toMatchObject({ limit: { micros: 50_000_000, currency: 'USD' }, used: { micros: 12_340_000, currency: 'USD' }, remaining: { micros: 37_660_000, currency: 'USD' } });
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${DEMO_RESELLER_KEY}`);
  });

  it('assisters: tokens this month against the tier allocation from the reply', async () => {
    const r = await customAdapter.fetch(ctx({ preset: 'assisters' }, DEMO_ASSISTERS_KEY));
    expect(r.quota).toEqual({ limit: { micros: 5_000_000 * 1e6, currency: 'TOKENS' }, used: { micros: 1_240_000 * 1e6, currency: 'TOKENS' }, remaining: { micros: 3_760_000 * 1e6, currency: 'TOKENS' }, resets: 'monthly', expiresAt: null });
    expect(r.balance).toBeNull();
  });

  it.each([
    ['free', 100_000],
    ['startup', 25_000_000],
  ])('assisters: the %s tier from the account when the reply names none', async (tier, tokens) => {
    fake.state.tier = null;
    try {
      const r = await customAdapter.fetch(ctx({ preset: 'assisters', tier }, DEMO_ASSISTERS_KEY));
      expect(r.quota?.limit?.micros).toBe(tokens * 1e6);
      const none = await customAdapter.fetch(ctx({ preset: 'assisters' }, DEMO_ASSISTERS_KEY));
      expect(none.quota?.limit).toBeNull();
      expect(none.notes.some((n) => /tier is unknown/.test(n))).toBe(true);
    } finally {
      fake.state.tier = 'developer';
    }
  });
});

describe('custom endpoint', () => {
  const balanceApi = { path: '/api/v2/account', headers: ['X-Api-Key: {apiKey}'], balance: 'account.wallet.amount', currency: '/account/wallet/currency', errorWhen: 'ok == `false` && error' };

  it('reads a figure by JMESPath and the currency by JSON Pointer, with the key in a header', async () => {
    const r = await customAdapter.fetch(ctx(balanceApi, DEMO_BALANCE_KEY));
    expect(r.balance).toEqual({ micros: 88_800_000, currency: 'CNY' });
    expect(fake.requests.at(-1)?.headers['x-api-key']).toBe(DEMO_BALANCE_KEY);
  });

  it('divides amounts for replies in cents or quota units', async () => {
    const r = await customAdapter.fetch(ctx({ ...balanceApi, divideBy: '100' }, DEMO_BALANCE_KEY));
    expect(r.balance?.micros).toBe(888_000);
  });

  it('an error body on HTTP 200 is an error, with its message', async () => {
    const e = await failure(customAdapter.fetch(ctx(balanceApi, 'wrong-key-000000000')));
    expect(e.kind).toBe('provider');
    expect(e.message).toMatch(/bad api key/);
  });

  it('a path that matches nothing names the figure', async () => {
    const e = await failure(customAdapter.fetch(ctx({ ...balanceApi, balance: '/account/wallet/amout' }, DEMO_BALANCE_KEY)));
    expect(e.kind).toBe('bad-response');
    expect(e.message).toMatch(/figures\.balance \("\/account\/wallet\/amout"\) matches nothing/);
  });

  it('a match that is not a number says so', async () => {
    const e = await failure(customAdapter.fetch(ctx({ ...balanceApi, balance: 'account.wallet.currency' }, DEMO_BALANCE_KEY)));
    expect(e.message).toMatch(/matches "CNY".*not a number/);
    const list = await failure(customAdapter.fetch(ctx({ ...balanceApi, balance: 'account.wallet' }, DEMO_BALANCE_KEY)));
    expect(list.message).toMatch(/matches object/);
  });

  it('sends POST with a JSON body', async () => {
    fake.fail({ path: '/report', times: 1, response: { body: { spend: { today: 1.5, month: '40.25' } } } });
    const r = await customAdapter.fetch(ctx({ method: 'POST', path: '/report', body: '{"key":"{apiKey}","window":"month"}', spentToday: 'spend.today', spentMonth: '/spend/month', currency: 'USD' }, 'k-000000001'));
    expect(r.spent).toEqual({ today: { micros: 1_500_000, currency: 'USD' }, month: { micros: 40_250_000, currency: 'USD' } });
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(JSON.parse(req.body)).toEqual({ key: 'k-000000001', window: 'month' });
    expect(req.headers['content-type']).toBe('application/json');
  });

  it.each([
    ['no figure at all', { path: '/x' }, /at least one figure/],
    ['a money figure without a currency', { balance: '/a' }, /which currency/],
    ['bad JMESPath', { balance: 'data.[', currency: 'USD' }, /not a valid JMESPath/],
    ['a bad method', { method: 'DELETE', balance: '/a', currency: 'USD' }, /GET or POST/],
    ['a full URL as path', { path: 'https://evil.example/x', balance: '/a', currency: 'USD' }, /start with "\/"/],
    ['an unknown preset', { preset: 'nope' }, /Unknown preset/],
    ['a literal secret in a header', { headers: ['Authorization: Bearer sk-literal'], balance: '/a', currency: 'USD' }, /\{apiKey\}/],
    ['divideBy zero', { balance: '/a', currency: 'USD', divideBy: '0' }, /positive number/],
  ])('refuses %s as a config error', async (_what, options, message) => {
    const e = await failure(customAdapter.fetch(ctx(options as Record<string, string | string[]>, 'k-000000001')));
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('sk-literal');
  });

  it('the account form refuses a header with a written-out key before anything is stored', () => {
    const parsed = accountInputSchema.safeParse({ provider: 'custom', label: 'x', options: { headers: ['Authorization: Bearer sk-live-123456'] } });
    expect(parsed.success).toBe(false);
  });

  it('asks for the key when the request uses {apiKey} and none is set', async () => {
    const e = await failure(customAdapter.fetch(ctx({ preset: 'one-api-credit-grants' })));
    expect(e.kind).toBe('config');
  });

  it('never echoes the key from an error reply', async () => {
    fake.fail({ path: '/v1/usage', times: 1, response: { status: 403, body: { error: { message: `key ${DEMO_ASSISTERS_KEY} is suspended` } } } });
    const e = await failure(customAdapter.fetch(ctx({ preset: 'assisters' }, DEMO_ASSISTERS_KEY)));
    expect(e.message).not.toContain(DEMO_ASSISTERS_KEY);
  });

  it("the README's second example, read from config: request and figures objects, JMESPath arithmetic, quota units", async () => {
    const raw = {
      id: 'gw-user', provider: 'custom', label: 'Gateway user', baseUrl: fake.url, apiKeyEnv: 'GATEWAY_ACCESS_TOKEN',
      request: { path: '/api/user/self', headers: { Authorization: 'Bearer {apiKey}', 'New-Api-User': '7' } },
      figures: { balance: 'data.quota', spentTotal: 'data.used_quota', quotaLimit: 'data.quota + data.used_quota', quotaUsed: 'data.used_quota', currency: 'USD', divideBy: 500000, errorWhen: 'success == `false` && message' },
    };
    const read = readConfigAccount(raw, 0, { env: { GATEWAY_ACCESS_TOKEN: 'tok-0000000000000001' }, descriptors: getDescriptor, taken: new Map(), allIds: new Set(['gw-user']) });
    expect(read.result.error).toBeUndefined();
    expect(read.warnings).toEqual([]);
    fake.fail({ path: '/api/user/self', times: 1, response: { body: { success: true, message: '', data: { quota: 4_000_000, used_quota: 1_000_000 } } } });
    const c = { ...ctx({}), account: read.result.account, credentials: read.result.credentials };
    const r = await customAdapter.fetch(c);
    expect(r.balance).toEqual({ micros: 8_000_000, currency: 'USD' });
    expect(r.quota).toMatchObject({ limit: { micros: 10_000_000 }, used: { micros: 2_000_000 }, remaining: { micros: 8_000_000 } });
    expect(fake.requests.at(-1)?.headers['new-api-user']).toBe('7');
    fake.fail({ path: '/api/user/self', times: 1, response: { body: { success: false, message: 'access token invalid' } } });
    expect((await failure(customAdapter.fetch(c))).message).toMatch(/access token invalid/);
  });

  it('a config file header with a written-out key is refused and never kept on the account', () => {
    const raw = { id: 'leak', provider: 'custom', label: 'x', baseUrl: fake.url, request: { headers: { 'X-Api-Key': 'sk-live-000000000000042' } }, figures: { balance: '/a', currency: 'USD' } };
    const read = readConfigAccount(raw, 0, { env: {}, descriptors: getDescriptor, taken: new Map(), allIds: new Set(['leak']) });
    expect(read.result.error?.message).toMatch(/\{apiKey\}/);
    expect(JSON.stringify(read.result)).not.toContain('sk-live-000000000000042');
  });
});
