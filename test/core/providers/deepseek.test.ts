import { afterEach, describe, expect, it } from 'vitest';
import { deepseekAdapter } from '../../../electron/core/providers/deepseek.ts';
import { DEMO_DEEPSEEK_KEY, startDeepSeekFake, type DeepSeekFake } from '../../../electron/core/providers/fakes/deepseek.ts';
import { FAULTS } from '../../../electron/core/providers/fakes/server.ts';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient } from '../../../electron/core/http.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';

let fake: DeepSeekFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function ctx(baseUrl: string, apiKey: string, over: Partial<FetchContext> = {}): FetchContext {
  return {
    account: { id: 'ds', provider: 'deepseek', label: 'DeepSeek', pollIntervalSec: 300 },
    baseUrl,
    credentials: { apiKey },
    http: defaultHttpClient,
    timeoutMs: 5_000,
    now: () => Date.now(),
    ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

/** Serves one raw /user/balance body to the next request. */
function serveOnce(f: DeepSeekFake, body: unknown, status = 200): void {
  f.fail({ path: '/user/balance', times: 1, response: { status, body } });
}

describe('deepseek descriptor', () => {
  it('asks for one secret API key and no options', () => {
    const d = deepseekAdapter.descriptor;
    expect(d.id).toBe('deepseek');
    expect(d.defaultBaseUrl).toBe('https://api.deepseek.com');
    expect(d.credentialFields.map((f) => [f.name, f.secret, f.required])).toEqual([['apiKey', true, true]]);
    expect(d.optionFields).toEqual([]);
  });
});

describe('deepseek adapter', () => {
  it('reads one balance per currency with the granted/topped-up split', async () => {
    fake = await startDeepSeekFake();
    const r = await deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY));
    expect(r.balances).toEqual([
      { micros: 110_000_000, currency: 'CNY' },
      { micros: 5_500_000, currency: 'USD' },
    ]);
    expect(r.balance).toEqual(r.balances[0]);
    expect(r.available).toBe(true);
    expect(r.notes).toContain('CNY: 10.00 granted, 100.00 topped up');
    expect(r.notes).toContain('USD: 0.00 granted, 5.50 topped up');
    expect(r.spent).toEqual({});
    expect(r.quota).toBeNull();
    expect(r.usage).toEqual([]);
    const req = fake.requests.at(-1);
    expect(req?.path).toBe('/user/balance');
    expect(req?.headers.authorization).toBe(`Bearer ${DEMO_DEEPSEEK_KEY}`);
  });

  it('follows spending: granted balance goes first', async () => {
    fake = await startDeepSeekFake();
    fake.spend(DEMO_DEEPSEEK_KEY, 'CNY', 12.5);
    const r = await deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY));
    expect(r.balance).toEqual({ micros: 97_500_000, currency: 'CNY' });
    expect(r.notes).toContain('CNY: 0.00 granted, 97.50 topped up');
  });

  it('accepts a base URL with the OpenAI-compatible /v1 suffix', async () => {
    fake = await startDeepSeekFake();
    const r = await deepseekAdapter.fetch(ctx(`${fake.url}/v1/`, DEMO_DEEPSEEK_KEY));
    expect(r.balance?.micros).toBe(110_000_000);
    expect(fake.requests.at(-1)?.path).toBe('/user/balance');
  });

  it('says when the account cannot pay for calls', async () => {
    fake = await startDeepSeekFake({ state: { keys: { 'sk-broke-0000000000': { isAvailable: false, balances: [{ currency: 'CNY', total: 0, granted: 0, toppedUp: 0 }] } } } });
    const r = await deepseekAdapter.fetch(ctx(fake.url, 'sk-broke-0000000000'));
    expect(r.available).toBe(false);
    expect(r.balance).toEqual({ micros: 0, currency: 'CNY' });
    expect(r.notes.some((n) => /cannot pay for calls: top up/.test(n))).toBe(true);
  });

  it('reports no balance, with a note, for an empty balance list', async () => {
    fake = await startDeepSeekFake({ state: { keys: { 'sk-new-00000000000': { isAvailable: false, balances: [] } } } });
    const r = await deepseekAdapter.fetch(ctx(fake.url, 'sk-new-00000000000'));
    expect(r.balance).toBeNull();
    expect(r.balances).toEqual([]);
    expect(r.notes.some((n) => /no balance/.test(n))).toBe(true);
  });

  it('converts decimal strings to micro-units exactly', async () => {
    fake = await startDeepSeekFake();
    serveOnce(fake, {
      is_available: true,
      balance_infos: [
        { currency: 'CNY', total_balance: '0.29', granted_balance: '0.07', topped_up_balance: '0.22' },
        { currency: 'USD', total_balance: '1234567.89', granted_balance: '0.000001', topped_up_balance: '1234567.889999' },
        { currency: 'CNY', total_balance: '999.00', granted_balance: '0', topped_up_balance: '999' },
      ],
    });
    const r = await deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY));
    // The repeated CNY entry is not added on top of the first.
    expect(r.balances).toEqual([
      { micros: 290_000, currency: 'CNY' },
      { micros: 1_234_567_890_000, currency: 'USD' },
    ]);
    expect(r.notes).toContain('USD: 0.000001 granted, 1234567.889999 topped up');
  });

  it('keeps a negative balance as a debt and says so', async () => {
    fake = await startDeepSeekFake();
    serveOnce(fake, { is_available: false, balance_infos: [{ currency: 'CNY', total_balance: '-1.50', granted_balance: '0.00', topped_up_balance: '-1.50' }] });
    const r = await deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY));
    expect(r.balance).toEqual({ micros: -1_500_000, currency: 'CNY' });
    expect(r.notes.some((n) => n.includes('negative (-1.50)') && n.includes('debt'))).toBe(true);
  });

  it.each([
    ['a non-numeric amount', { currency: 'CNY', total_balance: 'abc' }, /"abc"/],
    ['an absurdly large amount', { currency: 'CNY', total_balance: '1e300' }, /too large/],
    ['a bad granted figure', { currency: 'CNY', total_balance: '1.00', granted_balance: 'NaN' }, /granted_balance/],
  ])('rejects %s as a bad response', async (_what, info, message) => {
    fake = await startDeepSeekFake();
    serveOnce(fake, { is_available: true, balance_infos: [info] });
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY)));
    expect(err.kind).toBe('bad-response');
    expect(err.message).toMatch(message);
  });

  it.each([
    ['without a currency', [{ currency: 'CNY', total: 110, granted: 10, toppedUp: 100, omit: ['currency' as const] }, { currency: 'USD', total: 5.5, granted: 0, toppedUp: 5.5 }], [{ micros: 5_500_000, currency: 'USD' }], /1 balance entry without a currency/],
    ['with an odd currency', [{ currency: 'yuan!', total: 1, granted: 0, toppedUp: 1 }, { currency: 'USD', total: 5.5, granted: 0, toppedUp: 5.5 }], [{ micros: 5_500_000, currency: 'USD' }], /1 balance entry/],
    ['without a total but with both parts', [{ currency: 'CNY', total: 0, granted: 10, toppedUp: 100.25, omit: ['total_balance' as const] }], [{ micros: 110_250_000, currency: 'CNY' }], /10.00 granted, 100.25 topped up/],
    ['without a total or parts', [{ currency: 'CNY', total: 0, granted: 10, toppedUp: 100, omit: ['total_balance' as const, 'granted_balance' as const] }], [], /no balance is shown/],
    ['without the split', [{ currency: 'CNY', total: 42, granted: 0, toppedUp: 0, omit: ['granted_balance' as const, 'topped_up_balance' as const] }], [{ micros: 42_000_000, currency: 'CNY' }], null],
  ])('tolerates an entry %s, keeping the others', async (_what, balances, want, note) => {
    fake = await startDeepSeekFake({ state: { keys: { [DEMO_DEEPSEEK_KEY]: { isAvailable: true, balances } } } });
    const r = await deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY));
    expect(r.balances).toEqual(want);
    expect(r.balance).toEqual(want[0] ?? null);
    if (note) expect(r.notes.join(' ')).toMatch(note);
    expect(r.available).toBe(true);
  });

  it('tolerates an answer without is_available, or without balance_infos', async () => {
    fake = await startDeepSeekFake({ state: { keys: { [DEMO_DEEPSEEK_KEY]: { isAvailable: false, balances: [{ currency: 'CNY', total: 3, granted: 0, toppedUp: 3 }], omit: ['is_available'] } } } });
    const r = await deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY));
    expect(r.balance).toEqual({ micros: 3_000_000, currency: 'CNY' });
    expect(r.available).toBeUndefined();
    fake.state.keys[DEMO_DEEPSEEK_KEY]!.omit = ['balance_infos'];
    const r2 = await deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY));
    expect(r2.balance).toBeNull();
    expect(r2.available).toBe(false);
    expect(r2.notes.join(' ')).toContain('did not report balances');
  });

  it('rejects a body without balance_infos', async () => {
    fake = await startDeepSeekFake();
    serveOnce(fake, { data: [] });
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY)));
    expect(err.kind).toBe('bad-response');
  });

  it('asks for a key when none is set', async () => {
    const err = await failure(deepseekAdapter.fetch(ctx('http://127.0.0.1:9', '  ')));
    expect(err.kind).toBe('config');
  });
});

describe('deepseek errors', () => {
  it('reports a rejected key as auth, without the key', async () => {
    fake = await startDeepSeekFake();
    const key = 'sk-wrong-key-1234567890abcdef';
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, key)));
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^DeepSeek rejected the API key/);
    expect(err.message).not.toContain(key);
  });

  it('reports 402 as a provider error that says to top up', async () => {
    fake = await startDeepSeekFake();
    serveOnce(fake, { error: { message: 'Insufficient Balance', type: 'unknown_error' } }, 402);
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY)));
    expect(err.kind).toBe('provider');
    expect(err.message).toMatch(/insufficient balance.*top up/);
  });

  it('passes on 429 with its Retry-After', async () => {
    fake = await startDeepSeekFake();
    fake.fail({ path: '/user/balance', times: 1, response: FAULTS.rateLimited(7) });
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY)));
    expect(err.kind).toBe('rate-limited');
    expect(err.retryAfterMs).toBe(7_000);
  });

  it('masks the key when an error body echoes it', async () => {
    fake = await startDeepSeekFake();
    fake.fail({ path: '/user/balance', times: 1, response: { status: 429, body: { error: { message: `Too many requests for ${DEMO_DEEPSEEK_KEY}` } } } });
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY)));
    expect(err.kind).toBe('rate-limited');
    expect(err.message).toContain('Too many requests');
    expect(err.message).not.toContain(DEMO_DEEPSEEK_KEY);
  });

  it('reports 5xx as a server error', async () => {
    fake = await startDeepSeekFake();
    fake.fail({ path: '/user/balance', times: 1, response: FAULTS.serverError(503) });
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY)));
    expect(err.kind).toBe('server');
    expect(err.status).toBe(503);
  });

  it('times out on a hanging server', async () => {
    fake = await startDeepSeekFake();
    fake.fail({ path: '/user/balance', times: 1, response: FAULTS.hang(10_000) });
    const started = Date.now();
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY, { timeoutMs: 200 })));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports an HTML page as a bad response', async () => {
    fake = await startDeepSeekFake();
    fake.fail({ path: '/user/balance', times: 1, response: FAULTS.html(200) });
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY)));
    expect(err.kind).toBe('bad-response');
    expect(err.message).toMatch(/HTML/);
  });

  it('reports truncated JSON as a bad response', async () => {
    fake = await startDeepSeekFake();
    fake.fail({ path: '/user/balance', times: 1, response: FAULTS.malformed() });
    const err = await failure(deepseekAdapter.fetch(ctx(fake.url, DEMO_DEEPSEEK_KEY)));
    expect(err.kind).toBe('bad-response');
    expect(err.message).toMatch(/not valid JSON/);
  });
});
