import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient } from '../../../electron/core/http.ts';
import { litellmAdapter } from '../../../electron/core/providers/litellm.ts';
import { startLiteLlmFake, type LiteLlmFake, type LiteLlmFakeState } from '../../../electron/core/providers/fakes/litellm.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const TODAY = Date.UTC(2026, 10, 18);
const DAY = 86_400_000;
const MASTER = 'sk-master-test-000000000001';
const VKEY = 'sk-virtual-test-00000000002';

function fixture(over: Partial<LiteLlmFakeState> = {}): Partial<LiteLlmFakeState> {
  return {
    masterKey: MASTER,
    keys: { [VKEY]: { alias: 'app', spend: 212.35, maxBudget: 300, budgetDuration: '30d', budgetResetAt: '2026-12-01T00:00:00Z', expires: '2027-09-11T00:12:55.950000+00:00', userId: 'user-123', teamId: 'team-456' } },
    teams: { 'team-456': { alias: 'Platform', spend: 90, maxBudget: 120, budgetResetAt: '2026-12-01T00:00:00Z' }, 'team-999': { alias: 'Other', spend: 5, maxBudget: null, budgetResetAt: null } },
    users: { 'user-123': { spend: 212.35, maxBudget: 500 } },
    activity: [
      { date: '2026-11-17', model: 'gpt-4o', userId: 'user-123', spend: 1.23, prompt: 1000, completion: 200, cacheRead: 300, requests: 4 },
      { date: '2026-11-18', model: 'gpt-4o', userId: 'user-123', spend: 0.5, prompt: 400, completion: 100, cacheRead: 0, requests: 2 },
      { date: '2026-11-18', model: 'claude-3-5-sonnet', userId: 'user-123', spend: 0.25, prompt: 100, completion: 50, cacheRead: 0, requests: 1 },
      { date: '2026-11-18', model: 'gpt-4o', userId: 'someone-else', spend: 7, prompt: 7, completion: 7, cacheRead: 0, requests: 7 },
    ],
    noActivity: false,
    noDatabase: false,
    ...over,
  };
}

let fake: LiteLlmFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(over: Partial<LiteLlmFakeState> = {}) {
  fake = await startLiteLlmFake({ state: fixture(over), now: () => NOW });
  return fake;
}

function ctx(f: LiteLlmFake, apiKey = VKEY, options: Record<string, string[]> = {}): FetchContext {
  return { account: { id: 'l', provider: 'litellm', label: 'LiteLLM', pollIntervalSec: 300, options }, baseUrl: f.url, credentials: { apiKey }, http: defaultHttpClient, timeoutMs: 5000, now: () => NOW };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

const usd = (micros: number) => ({ micros, currency: 'USD' });

describe('litellm virtual key', () => {
  it('reads spend, budget, reset, expiry, its team budget and daily per-model spend of its own user', async () => {
    const f = await start();
    const r = await litellmAdapter.fetch(ctx(f));
    expect(r.quota).toEqual({ limit: usd(300_000_000), used: usd(212_350_000), remaining: usd(87_650_000), resets: 'monthly', expiresAt: Date.parse('2027-09-11T00:12:55.950Z') });
    expect(r.balance).toEqual(usd(87_650_000));
    // Budgeted spend counts since the last reset: no lifetime total is claimed.
    expect(r.spent).toEqual({ today: usd(750_000), week: usd(1_980_000), month: usd(1_980_000) });
    expect(r.notes.some((n) => /resets every 30d \(next reset 2026-12-01 00:00 UTC\)/.test(n))).toBe(true);
    expect(r.notes).toContain('Team Platform: $90.00 of $120.00 budget spent (75 %, resets 2026-12-01).');
    expect(r.usage).toEqual([
      { start: TODAY - DAY, width: 'day', model: 'gpt-4o', key: '', requests: 4, inputTokens: 1000, outputTokens: 200, cachedTokens: 300, reasoningTokens: 0, cost: usd(1_230_000) },
      { start: TODAY, width: 'day', model: 'claude-3-5-sonnet', key: '', requests: 1, inputTokens: 100, outputTokens: 50, cachedTokens: 0, reasoningTokens: 0, cost: usd(250_000) },
      { start: TODAY, width: 'day', model: 'gpt-4o', key: '', requests: 2, inputTokens: 400, outputTokens: 100, cachedTokens: 0, reasoningTokens: 0, cost: usd(500_000) },
    ]);
    expect(f.requests.some((q) => q.path === '/global/spend/report')).toBe(false);
  });

  it('a key without a budget reports lifetime spend and no balance', async () => {
    const f = await start({ keys: { [VKEY]: { alias: null, spend: 4.5, maxBudget: null, budgetDuration: null, budgetResetAt: null, expires: null, userId: 'user-123', teamId: null } } });
    const r = await litellmAdapter.fetch(ctx(f));
    expect(r.balance).toBeNull();
    expect(r.spent.total).toEqual(usd(4_500_000));
    expect(r.quota).toMatchObject({ limit: null, remaining: null, resets: 'never' });
  });

  it('says when the budget is spent', async () => {
    const f = await start({ keys: { [VKEY]: { alias: null, spend: 10, maxBudget: 10, budgetDuration: null, budgetResetAt: null, expires: null, userId: null, teamId: null } } });
    const r = await litellmAdapter.fetch(ctx(f));
    expect(r.available).toBe(false);
  });

  it('another team is refused to a virtual key, with a note that says why', async () => {
    const f = await start();
    const r = await litellmAdapter.fetch(ctx(f, VKEY, { teams: ['team-999'] }));
    expect(r.notes.some((n) => /team team-999 could not be read with this key \(403\).*master key/.test(n))).toBe(true);
  });

  it('an older proxy without daily activity keeps the key figures and says so', async () => {
    const f = await start({ noActivity: true });
    const r = await litellmAdapter.fetch(ctx(f));
    expect(r.usage).toEqual([]);
    expect(r.balance).toEqual(usd(87_650_000));
    expect(r.notes.some((n) => /does not offer daily activity/.test(n))).toBe(true);
  });
});

describe('litellm master key', () => {
  it('reads the whole proxy and the team and user budgets it is told to watch', async () => {
    const f = await start();
    const r = await litellmAdapter.fetch(ctx(f, MASTER, { teams: ['team-456', 'team-999'], users: ['user-123'] }));
    expect(r.quota).toBeNull();
    expect(r.spent.today).toEqual(usd(7_750_000));
    expect(r.notes).toContain('Team Platform: $90.00 of $120.00 budget spent (75 %, resets 2026-12-01).');
    expect(r.notes).toContain('Team Other: $5.00 spent, no budget.');
    expect(r.notes).toContain('User user-123: $212.35 of $500.00 budget spent (42 %).');
    expect(r.notes.some((n) => /master key/.test(n))).toBe(true);
  });
});

describe('litellm bad input', () => {
  it('a wrong key is an auth error without the key', async () => {
    const f = await start();
    const err = await failure(litellmAdapter.fetch(ctx(f, 'sk-wrong-000000000009')));
    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain('sk-wrong-000000000009');
  });

  it('a proxy without a database is a server error', async () => {
    const f = await start({ noDatabase: true });
    expect((await failure(litellmAdapter.fetch(ctx(f)))).kind).toBe('server');
  });

  it('negative or non-numeric spend is refused', async () => {
    const f = await start();
    f.fail({ path: '/key/info', times: 1, response: { body: { key: 'x', info: { spend: 'lots', max_budget: 10 } } } });
    expect((await failure(litellmAdapter.fetch(ctx(f)))).kind).toBe('bad-response');
  });

  it('the fake answers the Enterprise-only spend report with 400 and missing dates with 400', async () => {
    const f = await start();
    const h = { authorization: `Bearer ${MASTER}` };
    expect((await fetch(`${f.url}/global/spend/report?start_date=2026-11-01&end_date=2026-11-18`, { headers: h })).status).toBe(400);
    expect((await fetch(`${f.url}/user/daily/activity`, { headers: h })).status).toBe(400);
  });
});
