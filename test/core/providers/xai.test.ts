import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient } from '../../../electron/core/http.ts';
import { XAI_MODEL, xaiAdapter } from '../../../electron/core/providers/xai.ts';
import { DEMO_XAI_INFERENCE_KEY, startXaiFake, type XaiFake, type XaiFakeState } from '../../../electron/core/providers/fakes/xai.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 10, 18);
const KEY = 'xai-mgmt-test-0000000000000001';

function fixture(over: Partial<XaiFakeState> = {}): Partial<XaiFakeState> {
  return {
    keys: { [KEY]: 't-1' },
    inferenceKeys: [DEMO_XAI_INFERENCE_KEY],
    teams: { 't-1': { ledgerCents: -2500, postpaid: null, daily: { '2026-10-31': 9, '2026-11-16': 1.25, '2026-11-17': 0.5, '2026-11-18': 0.2 } } },
    validation: true,
    usageForbidden: false,
    limitReached: false,
    ...over,
  };
}

let fake: XaiFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(over: Partial<XaiFakeState> = {}) {
  fake = await startXaiFake({ state: fixture(over), now: () => NOW });
  return fake;
}

function ctx(f: XaiFake, apiKey = KEY, options: Record<string, string> = {}): FetchContext {
  return { account: { id: 'x', provider: 'xai', label: 'xAI', pollIntervalSec: 300, options }, baseUrl: f.url, credentials: { apiKey }, http: defaultHttpClient, timeoutMs: 5000, now: () => NOW };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

const usd = (micros: number) => ({ micros, currency: 'USD' });

describe('xai adapter', () => {
  it('inverts the prepaid ledger (cents), sums daily USD series and takes this cycle off the posted balance', async () => {
    const f = await start();
    const r = await xaiAdapter.fetch(ctx(f));
    // Posted: −(−2500) cents = $25.00; this month so far $1.95 → $23.05 live, estimated.
    expect(r.balance).toEqual(usd(23_050_000));
    expect(r.estimated).toBe(true);
    expect(r.spent).toEqual({ today: usd(200_000), week: usd(1_950_000), month: usd(1_950_000) });
    expect(r.usage.map((u) => [u.start, u.model, u.cost?.micros])).toEqual([
      [Date.UTC(2026, 9, 31), XAI_MODEL, 9_000_000],
      [TODAY - 2 * DAY, XAI_MODEL, 1_250_000],
      [TODAY - DAY, XAI_MODEL, 500_000],
      [TODAY, XAI_MODEL, 200_000],
    ]);
    expect(r.notes.some((n) => /postpaid billing is not set up/.test(n))).toBe(true);
    expect(r.notes.some((n) => /posted \$25\.00 less \$1\.95/.test(n))).toBe(true);
    const usageReq = f.requests.find((q) => q.path.endsWith('/usage'))!;
    expect(usageReq.method).toBe('POST');
    expect(JSON.parse(usageReq.body).analyticsRequest.timeRange.timezone).toBe('Etc/GMT');
  });

  it('reads the spending limit from the invoice preview, and prepaid credits used this cycle', async () => {
    const f = await start({ teams: { 't-1': { ledgerCents: -10_000, postpaid: { limitCents: 5000, invoiceCents: 1234, prepaidUsedCents: 300 }, daily: {} } } });
    const r = await xaiAdapter.fetch(ctx(f));
    expect(r.quota).toEqual({ limit: usd(50_000_000), used: usd(12_340_000), remaining: usd(37_660_000), resets: 'monthly', expiresAt: null });
    expect(r.balance).toEqual(usd(97_000_000));
  });

  it('a positive ledger total is a debt', async () => {
    const f = await start({ teams: { 't-1': { ledgerCents: 2500, postpaid: null, daily: {} } } });
    const r = await xaiAdapter.fetch(ctx(f));
    expect(r.balance).toEqual(usd(-25_000_000));
  });

  it('uses the configured team id when the key cannot say, and asks for it otherwise', async () => {
    const f = await start({ validation: false });
    const err = await failure(xaiAdapter.fetch(ctx(f)));
    expect(err.kind).toBe('config');
    expect(err.message).toMatch(/team id/);
    const r = await xaiAdapter.fetch(ctx(f, KEY, { teamId: 't-1' }));
    expect(r.balance?.currency).toBe('USD');
    expect(f.requests.some((q) => q.path === '/v1/billing/teams/t-1/prepaid/balance')).toBe(true);
  });

  it('an inference key is told to use a management key', async () => {
    const f = await start();
    const err = await failure(xaiAdapter.fetch(ctx(f, DEMO_XAI_INFERENCE_KEY)));
    expect(err.kind).toBe('forbidden');
    expect(err.message).toMatch(/management key/);
    expect(err.message).not.toContain(DEMO_XAI_INFERENCE_KEY);
  });

  it('without usage access it keeps the posted balance, says so, and reports no spend', async () => {
    const f = await start({ usageForbidden: true });
    const r = await xaiAdapter.fetch(ctx(f));
    expect(r.balance).toEqual(usd(25_000_000));
    expect(r.usage).toEqual([]);
    expect(r.notes.some((n) => /cannot read usage analytics/.test(n))).toBe(true);
  });

  it('refuses a missing or non-string ledger total instead of reading $0, and notes partial data', async () => {
    const f = await start({ limitReached: true });
    const partial = await xaiAdapter.fetch(ctx(f));
    expect(partial.notes.some((n) => /size limit/.test(n))).toBe(true);
    for (const body of [{ changes: [] }, { total: { val: 2500 } }, { total: { val: 'ten' } }]) {
      f.fail({ path: '/v1/billing/teams/t-1/prepaid/balance', times: 1, response: { body } });
      const err = await failure(xaiAdapter.fetch(ctx(f)));
      expect(err.kind).toBe('bad-response');
    }
    f.fail({ path: '/v1/billing/teams/t-1/usage', times: 1, response: { body: { timeSeries: [{ dataPoints: [{ timestamp: '2026-11-18T00:00:00Z', values: ['0.5'] }] }] } } });
    expect((await failure(xaiAdapter.fetch(ctx(f)))).message).toMatch(/not an amount of USD/);
  });
});
