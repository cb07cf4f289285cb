import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient, type HttpClient } from '../../../electron/core/http.ts';
import { moonshotAdapter } from '../../../electron/core/providers/moonshot.ts';
import { siliconflowAdapter } from '../../../electron/core/providers/siliconflow.ts';
import { DEMO_MOONSHOT_KEY, startMoonshotFake } from '../../../electron/core/providers/fakes/moonshot.ts';
import { DEMO_SILICONFLOW_KEY, startSiliconFlowFake } from '../../../electron/core/providers/fakes/siliconflow.ts';
import { FAULTS, type FakeServer } from '../../../electron/core/providers/fakes/server.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function ctx(provider: 'moonshot' | 'siliconflow', baseUrl: string, apiKey: string, options: Record<string, string> = {}, http: HttpClient = defaultHttpClient): FetchContext {
  return { account: { id: 'x', provider, label: 'x', pollIntervalSec: 300, options }, baseUrl, credentials: { apiKey }, http, timeoutMs: 5000, now: () => Date.now() };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

/** Sends requests for an official host to the fake, so the host decides the currency as it would for real. */
function via(f: FakeServer): HttpClient {
  return (req) => {
    const u = new URL(req.url);
    return defaultHttpClient({ ...req, url: `${f.url}${u.pathname}${u.search}` });
  };
}

describe('moonshot', () => {
  it('takes the currency from the host: .cn is CNY, .ai is USD', async () => {
    const f = (fake = await startMoonshotFake());
    const cn = await moonshotAdapter.fetch(ctx('moonshot', 'https://api.moonshot.cn/v1', DEMO_MOONSHOT_KEY, {}, via(f)));
    expect(cn.balance).toEqual({ micros: 129_789_040, currency: 'CNY' });
    const ai = await moonshotAdapter.fetch(ctx('moonshot', 'https://api.moonshot.ai', DEMO_MOONSHOT_KEY, {}, via(f)));
    expect(ai.balance).toEqual({ micros: 129_789_040, currency: 'USD' });
    expect(ai.notes).toContain('USD: 46.59 in vouchers, 83.20 cash.');
    expect(ai.available).toBe(true);
    expect(f.requests.at(-1)?.path).toBe('/v1/users/me/balance');
  });

  it('keeps a negative cash balance as a debt: only vouchers remain', async () => {
    const f = (fake = await startMoonshotFake({ keys: { 'sk-debt-000000001': { voucher: 4.5, cash: -1.25 } } }));
    const r = await moonshotAdapter.fetch(ctx('moonshot', f.url, 'sk-debt-000000001', { currency: 'CNY' }));
    expect(r.balance).toEqual({ micros: 4_500_000, currency: 'CNY' });
    expect(r.notes.some((n) => /cash balance is negative \(-1\.25 CNY\).*debt/.test(n))).toBe(true);
  });

  it('says when nothing is left to spend', async () => {
    const f = (fake = await startMoonshotFake({ keys: { 'sk-empty-00000001': { voucher: 0, cash: -3 } } }));
    const r = await moonshotAdapter.fetch(ctx('moonshot', f.url, 'sk-empty-00000001', { currency: 'USD' }));
    expect(r.available).toBe(false);
    expect(r.balance?.micros).toBe(0);
  });

  it('asks for the currency on a host it cannot place, and refuses a wrong one', async () => {
    const f = (fake = await startMoonshotFake());
    expect((await failure(moonshotAdapter.fetch(ctx('moonshot', f.url, DEMO_MOONSHOT_KEY)))).kind).toBe('config');
    expect((await failure(moonshotAdapter.fetch(ctx('moonshot', f.url, DEMO_MOONSHOT_KEY, { currency: 'EUR' })))).message).toMatch(/CNY or USD/);
  });

  it('treats code != 0 on HTTP 200 as an error, and a string amount that is not a number as a bad response', async () => {
    const f = (fake = await startMoonshotFake());
    f.fail({ path: '/v1/users/me/balance', times: 1, response: { body: { code: 5, status: false, message: 'account suspended' } } });
    const e = await failure(moonshotAdapter.fetch(ctx('moonshot', f.url, DEMO_MOONSHOT_KEY, { currency: 'USD' })));
    expect(e.kind).toBe('provider');
    expect(e.message).toMatch(/account suspended/);
    f.fail({ path: '/v1/users/me/balance', times: 1, response: { body: { code: 0, status: true, data: { available_balance: 'lots' } } } });
    expect((await failure(moonshotAdapter.fetch(ctx('moonshot', f.url, DEMO_MOONSHOT_KEY, { currency: 'USD' })))).kind).toBe('bad-response');
  });

  it('reports a wrong key as auth without the key', async () => {
    const f = (fake = await startMoonshotFake());
    const e = await failure(moonshotAdapter.fetch(ctx('moonshot', f.url, 'sk-wrong-0000000001', { currency: 'USD' })));
    expect(e.kind).toBe('auth');
    expect(e.message).not.toContain('sk-wrong-0000000001');
  });
});

describe('siliconflow', () => {
  it('reads decimal strings: total, granted and paid; .com is USD', async () => {
    const f = (fake = await startSiliconFlowFake());
    const r = await siliconflowAdapter.fetch(ctx('siliconflow', 'https://api.siliconflow.com/v1', DEMO_SILICONFLOW_KEY, {}, via(f)));
    expect(r.balance).toEqual({ micros: 134_500_000, currency: 'USD' });
    expect(r.notes).toContain('USD: 14.00 granted, 120.50 paid (charge balance).');
    const cn = await siliconflowAdapter.fetch(ctx('siliconflow', 'https://api.siliconflow.cn', DEMO_SILICONFLOW_KEY, {}, via(f)));
    expect(cn.balance?.currency).toBe('CNY');
  });

  it('treats code != 20000 on HTTP 200 as an error', async () => {
    const f = (fake = await startSiliconFlowFake());
    f.fail({ path: '/v1/user/info', times: 1, response: { body: { code: 50603, message: 'System is too busy now', status: false, data: null } } });
    const e = await failure(siliconflowAdapter.fetch(ctx('siliconflow', f.url, DEMO_SILICONFLOW_KEY, { currency: 'USD' })));
    expect(e.kind).toBe('provider');
    expect(e.message).toMatch(/code 50603.*too busy/);
  });

  it.each(['gone', 'code'] as const)('on the China host a retired endpoint (%s) is "balance unavailable", never zero', async (mode) => {
    const f = (fake = await startSiliconFlowFake({ state: { retired: mode } }));
    const e = await failure(siliconflowAdapter.fetch(ctx('siliconflow', 'https://api.siliconflow.cn', DEMO_SILICONFLOW_KEY, {}, via(f))));
    expect(e.message).toMatch(/^Balance unavailable/);
    expect(e.message).toContain('cloud.siliconflow.cn');
  });

  it('a wrong key stays an auth error, even on the China host', async () => {
    const f = (fake = await startSiliconFlowFake());
    const e = await failure(siliconflowAdapter.fetch(ctx('siliconflow', 'https://api.siliconflow.cn', 'sk-wrong-00000000009', {}, via(f))));
    expect(e.kind).toBe('auth');
    expect(e.message).not.toContain('sk-wrong-00000000009');
  });

  it('refuses a balance that is not a number, and passes on 429', async () => {
    const f = (fake = await startSiliconFlowFake());
    f.fail({ path: '/v1/user/info', times: 1, response: { body: { code: 20000, status: true, data: { totalBalance: '8,88' } } } });
    expect((await failure(siliconflowAdapter.fetch(ctx('siliconflow', f.url, DEMO_SILICONFLOW_KEY, { currency: 'USD' })))).kind).toBe('bad-response');
    f.fail({ path: '/v1/user/info', times: 1, response: FAULTS.rateLimited(5) });
    expect((await failure(siliconflowAdapter.fetch(ctx('siliconflow', f.url, DEMO_SILICONFLOW_KEY, { currency: 'USD' })))).retryAfterMs).toBe(5000);
  });
});
