import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient, type HttpClient } from '../../../electron/core/http.ts';
import {
  NOTE_FREE_TIER,
  NOTE_NEEDS_MANAGEMENT_KEY,
  NOTE_NO_KEYS_ACCESS,
  NOTE_NO_ACTIVITY_ACCESS,
  NOTE_NO_ACTIVITY_ENDPOINT,
  openrouterAdapter,
} from '../../../electron/core/providers/openrouter.ts';
import {
  DEMO_OPENROUTER_KEY,
  DEMO_OPENROUTER_PLAIN_KEY,
  demoActivity,
  startOpenRouterFake,
  type OpenRouterFake,
  type OpenRouterFakeKey,
  type OpenRouterFakeState,
} from '../../../electron/core/providers/fakes/openrouter.ts';
import { FAULTS } from '../../../electron/core/providers/fakes/server.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';

// Wednesday 2025-08-27 15:30 UTC: the activity window is 2025-07-28 .. 2025-08-26.
const NOW = Date.UTC(2025, 7, 27, 15, 30);
const DAY = 86_400_000;
const MGMT = 'sk-or-v1-test-management-0001';
const PLAIN = 'sk-or-v1-test-plain-0002';
const BATCH = 'sk-or-v1-test-batch-0003';

function key(over: Partial<OpenRouterFakeKey> = {}): OpenRouterFakeKey {
  return {
    label: 'test', limit: 100, limitReset: 'monthly', usage: 25.5, usageDaily: 1.2, usageWeekly: 8.3, usageMonthly: 20.25,
    isManagementKey: false, isFreeTier: false, expiresAt: '2025-12-31T23:59:59Z', ...over,
  };
}

const row = (date: string, model: string, endpoint: string, usage: number, requests: number, p: number, c: number, r: number) => ({
  date, model, endpoint_id: endpoint, provider_name: endpoint, usage, requests, prompt_tokens: p, completion_tokens: c, reasoning_tokens: r,
});

/** A management key (whose own /key usage is not the account's) and two API keys. */
function fixture(): Partial<OpenRouterFakeState> {
  return {
    keys: {
      [MGMT]: key({ label: 'mgmt', isManagementKey: true, limit: null, limitReset: null, usage: 7, usageDaily: 7, usageWeekly: 7, usageMonthly: 7, expiresAt: null }),
      [PLAIN]: key({ name: 'Production', createdAt: '2025-08-01T00:00:00Z' }),
      [BATCH]: key({ name: 'Batch', limit: null, limitReset: null, usage: 4, usageDaily: 0.3, usageWeekly: 1, usageMonthly: 2.5, expiresAt: null, createdAt: '2025-08-02T00:00:00Z' }),
    },
    totalCredits: 100.5,
    totalUsage: 25.75,
    activity: [
      row('2025-08-24', 'openai/gpt-4.1', 'openai', 0.015, 5, 50, 125, 25),
      row('2025-08-24', 'openai/gpt-4.1', 'azure', 0.0225, 3, 40, 60, 0),
      row('2025-08-24', 'anthropic/claude-sonnet-4', 'anthropic', 1.234567, 12, 12000, 3400, 0),
      row('2025-08-25', 'openai/gpt-4.1', 'openai', 0.1, 1, 10, 20, 5),
      row('2025-08-27', 'openai/gpt-4.1', 'openai', 9, 9, 9, 9, 9), // today: not a completed day
      row('2025-07-20', 'openai/gpt-4.1', 'openai', 7, 7, 7, 7, 7), // older than 30 days
    ],
  };
}

let fake: OpenRouterFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** null: the fake's own demo state. */
async function start(state: Partial<OpenRouterFakeState> | null = fixture(), now = () => NOW): Promise<OpenRouterFake> {
  fake = await startOpenRouterFake({ state: state ?? undefined, now });
  return fake;
}

function ctx(baseUrl: string, apiKey: string, over: Partial<FetchContext> = {}): FetchContext {
  return {
    account: { id: 'or1', provider: 'openrouter', label: 'OpenRouter', pollIntervalSec: 300 },
    baseUrl, credentials: { apiKey }, http: defaultHttpClient, timeoutMs: 5000, now: () => NOW, ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const usd = (micros: number) => ({ micros, currency: 'USD' });
const paths = (f: OpenRouterFake) => f.requests.map((q) => q.path);

describe('openrouter adapter: a management key reads the whole account', () => {
  it('sums spend windows over the keys, names each key with its cap, and reads balance and per-model activity', async () => {
    const f = await start();
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT));
    expect(r.balance).toEqual(usd(74_750_000));
    expect(r.balances).toEqual([usd(74_750_000)]);
    // Production 1.2 / 8.3 / 20.25 + Batch 0.3 / 1 / 2.5; the total is the account's, from /credits.
    expect(r.spent).toEqual({ today: usd(1_500_000), week: usd(9_300_000), month: usd(22_750_000), total: usd(25_750_000) });
    expect(r.quota).toBeNull();
    expect(r.keys).toEqual([
      { name: 'Batch', workspace: 'Default', spent: { today: usd(300_000), week: usd(1_000_000), month: usd(2_500_000), total: usd(4_000_000) }, limit: null, remaining: null, resets: 'never', expiresAt: null },
      {
        name: 'Production', workspace: 'Default', spent: { today: usd(1_200_000), week: usd(8_300_000), month: usd(20_250_000), total: usd(25_500_000) },
        limit: usd(100_000_000), remaining: usd(79_750_000), resets: 'monthly', expiresAt: Date.UTC(2025, 11, 31, 23, 59, 59),
      },
    ]);
    const base = { width: 'day', key: '', cachedTokens: 0 };
    expect(r.usage).toEqual([
      { ...base, start: Date.UTC(2025, 7, 24), model: 'anthropic/claude-sonnet-4', requests: 12, inputTokens: 12000, outputTokens: 3400, reasoningTokens: 0, cost: usd(1_234_567) },
      { ...base, start: Date.UTC(2025, 7, 24), model: 'openai/gpt-4.1', requests: 8, inputTokens: 90, outputTokens: 185, reasoningTokens: 25, cost: usd(37_500) },
      { ...base, start: Date.UTC(2025, 7, 25), model: 'openai/gpt-4.1', requests: 1, inputTokens: 10, outputTokens: 20, reasoningTokens: 5, cost: usd(100_000) },
    ]);
    // Today's per-model figure is labelled missing, not silently absent.
    expect(r.notes.join(' ')).toContain("today's spend ($1.50 so far) has no per-model breakdown until after 00:00 UTC");
    expect(r.notes.join(' ')).toContain('summed over the account\'s 2 key(s)');
    expect(r.estimated).toBe(false);
    expect(paths(f).sort()).toEqual(['/api/v1/activity', '/api/v1/credits', '/api/v1/key', '/api/v1/keys', '/api/v1/workspaces']);
    const keysReq = f.requests.find((q) => q.path === '/api/v1/keys');
    expect(keysReq?.query.get('include_disabled')).toBe('true');
    expect(keysReq?.query.get('workspace_id')).toBe('ws-default-0000');
    expect(f.requests.every((q) => q.headers.authorization === `Bearer ${MGMT}`)).toBe(true);
    // A key list never carries a key, nor OpenRouter's longer label.
    for (const k of [PLAIN, BATCH]) expect(JSON.stringify(r)).not.toContain(k.slice(0, 14));
  });

  it('reads every workspace, and every page of 100 keys', async () => {
    const keys: Record<string, OpenRouterFakeKey> = { [MGMT]: fixture().keys![MGMT]! };
    for (let i = 0; i < 230; i++) keys[`sk-or-v1-bulk-${i}`] = key({ name: `bulk ${i}`, limit: null, limitReset: null, usage: 1, usageDaily: 0.01, usageWeekly: 0.1, usageMonthly: 0.5, createdAt: `2025-08-${String(1 + (i % 28)).padStart(2, '0')}T00:00:${String(i % 60).padStart(2, '0')}Z` });
    keys['sk-or-v1-other-ws'] = key({ name: 'Research', workspace: 'ws-2', limit: 10, limitReset: 'daily', usage: 3, usageDaily: 2, usageWeekly: 3, usageMonthly: 3, disabled: true });
    const f = await start({ ...fixture(), keys, workspaces: [{ id: 'ws-default-0000', name: 'Default', slug: 'default' }, { id: 'ws-2', name: 'Research', slug: 'research' }] });
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT));
    expect(r.keys).toHaveLength(231);
    // 230 × 0.01 + 2 (a disabled key's spend still happened).
    expect(r.spent.today).toEqual(usd(4_300_000));
    expect(r.spent.month).toEqual(usd(230 * 500_000 + 3_000_000));
    expect(r.keys?.find((k) => k.name === 'Research')).toMatchObject({ workspace: 'Research', disabled: true, limit: usd(10_000_000), remaining: usd(8_000_000), resets: 'daily' });
    const offsets = f.requests.filter((q) => q.path.endsWith('/keys') && q.query.get('workspace_id') === 'ws-default-0000').map((q) => q.query.get('offset'));
    expect(offsets).toEqual(['0', '100', '200']);
    expect(f.requests.some((q) => q.path.endsWith('/keys') && q.query.get('workspace_id') === 'ws-2')).toBe(true);
    expect(r.notes.join(' ')).toContain('231 key(s) in 2 workspaces');
  });

  it('keeps balance and activity, and says so, when the management key may not list keys', async () => {
    const state = fixture();
    state.keys![MGMT]!.cannotListKeys = true;
    const f = await start(state);
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT));
    expect(r.balance).toEqual(usd(74_750_000));
    // Only the account's lifetime spend is known; the management key's own $7 windows are never shown.
    expect(r.spent).toEqual({ total: usd(25_750_000) });
    expect(r.keys).toBeUndefined();
    expect(r.usage).toHaveLength(3);
    expect(r.notes).toContain(NOTE_NO_KEYS_ACCESS);
  });

  it('lists the default workspace only on a router without workspaces', async () => {
    const f = await start();
    f.fail({ path: /\/workspaces$/, response: { status: 404, body: { error: { code: 404, message: 'Not Found' } } } });
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT));
    expect(r.spent.today).toEqual(usd(1_500_000));
    expect(f.requests.find((q) => q.path === '/api/v1/keys')?.query.has('workspace_id')).toBe(false);
  });
});

describe('openrouter adapter: other keys', () => {
  it('reads a plain key\'s own windows and cap, and notes what a management key adds', async () => {
    const f = await start();
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, PLAIN));
    expect(r.balance).toBeNull();
    expect(r.balances).toEqual([]);
    expect(r.usage).toEqual([]);
    expect(r.spent).toEqual({ today: usd(1_200_000), week: usd(8_300_000), month: usd(20_250_000), total: usd(25_500_000) });
    expect(r.quota).toEqual({ limit: usd(100_000_000), used: usd(20_250_000), remaining: usd(79_750_000), resets: 'monthly', expiresAt: Date.UTC(2025, 11, 31, 23, 59, 59) });
    expect(r.notes).toEqual([NOTE_NEEDS_MANAGEMENT_KEY]);
    expect(paths(f)).not.toContain('/api/v1/activity');
    expect(paths(f)).not.toContain('/api/v1/keys');
  });

  it.each(['zeros', 'zeros-unwrapped'] as const)('reads /credits %s for a plain key as "not available", never a $0 balance', async (mode) => {
    const f = await start({ ...fixture(), creditsForPlainKeys: mode });
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, PLAIN));
    expect(r.balance).toBeNull();
    expect(r.balances).toEqual([]);
    expect(r.notes).toContain(NOTE_NEEDS_MANAGEMENT_KEY);
  });

  it('reports no cap as a null limit and counts lifetime usage against it', async () => {
    const f = await start({ ...fixture(), keys: { [PLAIN]: key({ limit: null, limitReset: null, expiresAt: null }) } });
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, PLAIN));
    expect(r.quota).toEqual({ limit: null, used: usd(25_500_000), remaining: null, resets: 'never', expiresAt: null });
  });

  it('uses the daily window for a daily cap and notes a free-tier key', async () => {
    const f = await start({ ...fixture(), keys: { [PLAIN]: key({ limit: 5, limitReset: 'daily', isFreeTier: true }) } });
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, PLAIN));
    expect(r.quota).toMatchObject({ limit: usd(5_000_000), used: usd(1_200_000), remaining: usd(3_800_000), resets: 'daily' });
    expect(r.notes).toContain(NOTE_FREE_TIER);
  });

  it('reads /key and /credits concurrently', async () => {
    const f = await start();
    let inFlight = 0;
    let most = 0;
    const http: HttpClient = async (req) => {
      most = Math.max(most, ++inFlight);
      try {
        return await defaultHttpClient(req);
      } finally {
        inFlight--;
      }
    };
    await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT, { http }));
    expect(most).toBeGreaterThanOrEqual(2);
  });

  it('drops activity days that ended before usageSince', async () => {
    const f = await start();
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT, { usageSince: Date.UTC(2025, 7, 25) }));
    expect(r.usage.map((b) => [b.start, b.model])).toEqual([[Date.UTC(2025, 7, 25), 'openai/gpt-4.1']]);
  });

  // A compatible router whose /key says nothing about management keys: credits and activity are tried, windows are the key's.
  it('works with a compatible router at another base path', async () => {
    const f = await start();
    f.fail({ path: /\/key$/, response: { body: { data: { label: 'x', limit: null, usage: 3, usage_daily: 1, usage_weekly: 2, usage_monthly: 3 } } } });
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/router/v1/`, MGMT));
    expect(r.balance).toEqual(usd(74_750_000));
    expect(r.spent).toEqual({ today: usd(1_000_000), week: usd(2_000_000), month: usd(3_000_000), total: usd(3_000_000) });
    expect(r.usage).toHaveLength(3);
    expect(paths(f).sort()).toEqual(['/router/v1/activity', '/router/v1/credits', '/router/v1/key']);
  });

  it('treats 404 on /activity as not offered, and 403 as not allowed', async () => {
    const f = await start();
    f.fail({ path: /\/activity$/, times: 1, response: { status: 404, body: { error: { code: 404, message: 'Not Found' } } } });
    const r = await openrouterAdapter.fetch(ctx(`${f.url}/router/v1`, MGMT));
    expect(r.balance).toEqual(usd(74_750_000));
    expect(r.usage).toEqual([]);
    expect(r.notes).toContain(NOTE_NO_ACTIVITY_ENDPOINT);

    f.fail({ path: /\/activity$/, times: 1, response: { status: 403, body: { error: { code: 403, message: 'Forbidden' } } } });
    const r2 = await openrouterAdapter.fetch(ctx(`${f.url}/router/v1`, MGMT));
    expect(r2.notes).toContain(NOTE_NO_ACTIVITY_ACCESS);
  });
});

describe('openrouter adapter failures', () => {
  it('needs an API key', async () => {
    const err = await failure(openrouterAdapter.fetch(ctx('https://openrouter.ai/api/v1', '')));
    expect(err.kind).toBe('config');
  });

  it('reports an unknown key as an auth error without echoing it', async () => {
    const f = await start();
    const err = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, 'sk-or-v1-not-a-real-key-9999')));
    expect(err).toMatchObject({ kind: 'auth', status: 401 });
    expect(err.message).toMatch(/key/);
    expect(err.message).not.toContain('sk-or-v1-not-a-real-key-9999');

    f.fail({ path: /\/key$/, response: { status: 401, body: { error: { code: 401, message: `Invalid key ${MGMT}` } } } });
    const echoed = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(echoed.kind).toBe('auth');
    expect(echoed.message).toContain('Invalid key');
    expect(echoed.message).not.toContain(MGMT);
  });

  it('passes on Retry-After from a 429', async () => {
    const f = await start();
    f.fail({ path: /\/key$/, response: FAULTS.rateLimited(7) });
    const err = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(err).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 7000 });
  });

  it('fails the poll on a server error from /credits', async () => {
    const f = await start();
    f.fail({ path: /\/credits$/, response: FAULTS.serverError(503) });
    const err = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(err).toMatchObject({ kind: 'server', status: 503 });
  });

  it('times out on a provider that does not answer', async () => {
    const f = await start();
    f.fail({ path: /\/key$/, response: FAULTS.hang(10_000) });
    const err = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT, { timeoutMs: 200 })));
    expect(err.kind).toBe('timeout');
  });

  it('reports an HTML page and malformed JSON as bad responses', async () => {
    const f = await start();
    f.fail({ path: /\/key$/, times: 1, response: FAULTS.html(200) });
    const html = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(html.kind).toBe('bad-response');
    expect(html.message).toMatch(/HTML/);

    // No `times`: the first poll's /credits request may still be arriving and must not use up this fault.
    f.clearFaults();
    f.fail({ path: /\/credits$/, response: FAULTS.malformed() });
    const malformed = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(malformed.kind).toBe('bad-response');
    expect(malformed.message).toMatch(/not valid JSON/);
  });

  it('refuses absurd numbers', async () => {
    const f = await start({ ...fixture(), keys: { [MGMT]: key({ usage: -5, isManagementKey: true }) } });
    const negative = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(negative.kind).toBe('bad-response');
    expect(negative.message).toMatch(/usage/);

    f.state.keys[MGMT] = key({ isManagementKey: true });
    f.fail({ path: /\/key$/, times: 1, response: { body: { data: { ...key(), usage: 1, usage_daily: 'NaN' } } } });
    const nan = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(nan.kind).toBe('bad-response');
    expect(nan.message).toMatch(/usage_daily/);

    f.state.activity.push(row('2025-08-26', 'x/y', 'e', 0.1, 1, -40, 1, 0));
    const tokens = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(tokens.message).toMatch(/prompt_tokens/);
  });

  it('reads an error body sent with HTTP 200', async () => {
    const f = await start();
    f.fail({ path: /\/key$/, response: { status: 200, body: { error: { code: 500, message: 'Internal error' } } } });
    const err = await failure(openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, MGMT)));
    expect(err.kind).toBe('server');
    expect(err.message).toContain('Internal error');
  });
});

describe('openrouter fake', () => {
  it('serves the demo keys, and spend() moves balance, windows and activity', async () => {
    let now = NOW;
    const f = await start(null, () => now);
    const before = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, DEMO_OPENROUTER_KEY));
    const demo = demoActivity(NOW);
    expect(before.usage).toHaveLength(new Set(demo.map((a) => `${a.date}|${a.model}`)).size);
    const cost = before.usage.reduce((s, b) => s + (b.cost?.micros ?? 0), 0);
    expect(cost).toBe(demo.reduce((s, a) => s + Math.round(a.usage * 1e6), 0));

    f.spend(DEMO_OPENROUTER_KEY, 1.5, 'openai/gpt-4.1-mini', { prompt: 1000, completion: 200 });
    const after = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, DEMO_OPENROUTER_KEY));
    expect(after.balance!.micros).toBe(before.balance!.micros - 1_500_000);
    expect(after.spent.today!.micros).toBe(before.spent.today!.micros + 1_500_000);
    expect(after.spent.month!.micros).toBe(before.spent.month!.micros + 1_500_000);

    now += DAY; // the spend lands in yesterday's activity; today's window restarts
    const nextDay = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, DEMO_OPENROUTER_KEY, { now: () => now }));
    expect(nextDay.spent.today).toEqual(usd(0));
    const spentRow = nextDay.usage.find((b) => b.start === Date.UTC(2025, 7, 27) && b.model === 'openai/gpt-4.1-mini');
    expect(spentRow).toMatchObject({ requests: 1, inputTokens: 1000, outputTokens: 200, cost: usd(1_500_000) });
    const plain = await openrouterAdapter.fetch(ctx(`${f.url}/api/v1`, DEMO_OPENROUTER_PLAIN_KEY));
    expect(plain.notes).toContain(NOTE_NEEDS_MANAGEMENT_KEY);
    expect(plain.quota?.limit).toEqual(usd(25_000_000));
  });

  it('honours date= on /activity and refuses other keys', async () => {
    const f = await start();
    const get = (path: string, token: string) => fetch(`${f.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    const one = (await (await get('/activity?date=2025-08-24', MGMT)).json()) as { data: { date: string }[] };
    expect(one.data.map((a) => a.date)).toEqual(['2025-08-24', '2025-08-24', '2025-08-24']);
    expect((await get('/activity?date=2025-08-27', MGMT)).status).toBe(400);
    expect((await get('/activity', PLAIN)).status).toBe(403);
    const credits = await get('/credits', PLAIN);
    expect(credits.status).toBe(403);
    expect(await credits.json()).toEqual({ error: { code: 403, message: 'Only management keys can perform this operation' } });
    expect((await get('/key', 'sk-or-v1-unknown')).status).toBe(401);
  });

  it('generates a deterministic month with quieter weekends', () => {
    const a = demoActivity(NOW);
    expect(demoActivity(NOW)).toEqual(a);
    const dates = [...new Set(a.map((r) => r.date))].sort();
    expect(dates).toHaveLength(30);
    expect(dates[0]).toBe('2025-07-28');
    expect(dates.at(-1)).toBe('2025-08-26');
    // A day's figures depend on the day alone, so a later `now` repeats the overlapping days.
    const later = demoActivity(NOW + DAY).filter((r) => r.date === '2025-08-20');
    expect(later).toEqual(a.filter((r) => r.date === '2025-08-20'));
    const perDay = (weekend: boolean) => {
      const days = dates.filter((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()) === weekend);
      return a.filter((r) => days.includes(r.date)).reduce((s, r) => s + r.requests, 0) / days.length;
    };
    expect(perDay(false)).toBeGreaterThan(2 * perDay(true));
    const pairs = a.map((r) => `${r.date}|${r.model}`);
    expect(new Set(pairs).size).toBeLessThan(pairs.length);
  });
});
