// Gateway figures in every display mode, fork and version the upstream handlers have (providers.md part 2).
import { describe, expect, it } from 'vitest';
import { gatewayRoot } from '../../../electron/core/providers/newapi.ts';
import { DEMO_NEWAPI_KEY, startNewApiFake } from '../../../electron/core/providers/fakes/newapi.ts';
import { FAULTS } from '../../../electron/core/providers/fakes/server.ts';
import { BASE_KEY, KEY, cny, notes, paths, poll, pollError, start, usd } from './newapi-helpers.ts';

const EXACT = { limit: usd(20_000_000), used: usd(4_691_356), remaining: usd(15_308_644), resets: 'never', expiresAt: null };

describe('newapi adapter: figures by display mode (New-API since 2025-09-29)', () => {
  it('reads USD display from the billing pair, with no rate-limited request', async () => {
    const fake = await start();
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.balances).toEqual([usd(15_308_644)]);
    expect(r.spent).toEqual({ total: usd(4_691_356) });
    expect(r.quota).toEqual(EXACT);
    expect(r.estimated).toBe(false);
    expect(r.available).toBeUndefined();
    expect(paths(fake)).not.toContain('/api/usage/token/');
    const sub = fake.requests.find((q) => q.path === '/dashboard/billing/subscription');
    expect(sub?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(fake.requests.find((q) => q.path === '/api/status')?.headers.authorization).toBeUndefined();
  });

  // 2,345,678 / 500000 × 7.3 = 34.2468988 CNY; 7,654,322 / 500000 × 7.3 = 111.7531012 CNY.
  it('shows CNY display in CNY at the gateway rate, estimated', async () => {
    const fake = await start({ displayType: 'CNY', usdExchangeRate: 7.3 });
    const r = await poll(fake);
    expect(r.quota).toEqual({ limit: cny(146_000_000), used: cny(34_246_899), remaining: cny(111_753_101), resets: 'never', expiresAt: null });
    expect(r.balance).toEqual(cny(111_753_101));
    expect(r.estimated).toBe(true);
    expect(notes(r)).toContain('7.3 CNY per USD');
  });

  // TOKENS: the billing pair holds raw quota. At 1,000,000 quota per $1: $10 granted, $2.345678 used.
  it('converts TOKENS display (raw quota) to USD via quota_per_unit', async () => {
    const fake = await start({ displayType: 'TOKENS', quotaPerUnit: 1_000_000 });
    const r = await poll(fake);
    expect(r.quota).toEqual({ limit: usd(10_000_000), used: usd(2_345_678), remaining: usd(7_654_322), resets: 'never', expiresAt: null });
    expect(r.estimated).toBe(false);
    expect(notes(r)).toContain('1,000,000 quota per $1');
  });

  it('never reads a TOKENS figure of 100,000,000 or more as "unlimited" ($200+ keys)', async () => {
    const fake = await start({ displayType: 'TOKENS', keys: { [KEY]: { ...BASE_KEY, granted: 150_000_000, used: 5_000_000 } } });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(290_000_000));
    expect(r.quota?.limit).toEqual(usd(300_000_000));
  });

  it('asks the per-key endpoint whether exactly 100,000,000 raw quota is a limit or the unlimited marker', async () => {
    const limited = await start({ displayType: 'TOKENS', keys: { [KEY]: { ...BASE_KEY, granted: 100_000_000, used: 0 } } });
    const r = await poll(limited);
    expect(r.balance).toEqual(usd(200_000_000));
    expect(r.estimated).toBe(false);
    expect(paths(limited)).toContain('/api/usage/token/');

    const unlimited = await start({ displayType: 'TOKENS', keys: { [KEY]: { ...BASE_KEY, unlimited: true } } });
    const u = await poll(unlimited);
    expect(u.balance).toBeNull();
    expect(u.quota?.limit).toBeNull();
    expect(u.spent.total).toEqual(usd(4_691_356));
  });

  it('shows CUSTOM display in USD (as the billing pair holds it) and says what the gateway shows', async () => {
    const fake = await start({ displayType: 'CUSTOM', customSymbol: '₽', customRate: 90 });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.quota).toEqual(EXACT);
    // 15.308644 × 90 = 1377.78
    expect(notes(r)).toContain('₽1377.78');
    expect(notes(r)).toContain('90 per US dollar');
  });

  it('reads a display type it does not know as dollars, as the gateway does, and says so', async () => {
    const fake = await start();
    fake.fail({ path: '/api/status', response: { body: { success: true, data: { quota_per_unit: 500000, quota_display_type: 'EUR', version: 'v1.0.0' } } } });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.estimated).toBe(true);
    expect(notes(r)).toContain('"EUR"');
  });
});

describe('newapi adapter: the display_in_currency era (One-API, New-API before 2025-09-29)', () => {
  it('reads dollars when display_in_currency is true', async () => {
    const fake = await start({ newApi: false, version: 'v0.5.11' });
    const r = await poll(fake);
    expect(r.quota).toEqual(EXACT);
    expect(r.estimated).toBe(false);
  });

  // The bug report: $15.31 shown as 7,654,322 USD.
  it('reads raw quota when display_in_currency is false (One-API)', async () => {
    const fake = await start({ newApi: false, version: 'v0.5.11', displayInCurrency: false });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.quota).toEqual(EXACT);
  });

  it('reads raw quota when display_in_currency is false (New-API before quota_display_type)', async () => {
    const fake = await start({ displayType: null, displayInCurrency: false });
    const r = await poll(fake);
    expect(r.quota).toEqual(EXACT);
  });

  it('keeps exactly 100,000,000 raw quota as a limit on One-API, marked estimated, since nothing can tell', async () => {
    const fake = await start({ newApi: false, version: 'v0.5.11', displayInCurrency: false, keys: { [KEY]: { ...BASE_KEY, granted: 100_000_000, used: 0 } } });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(200_000_000));
    expect(r.estimated).toBe(true);
    expect(notes(r)).toContain('100,000,000');
  });
});

describe('newapi adapter: One-API versions and stats modes', () => {
  it('reads v0.4.10-alpha.5 … v0.5.x as remaining + used in both modes', async () => {
    for (const stats of ['token', 'user'] as const) {
      // In per-user stats the figures are the wallet's: 40,000,000 left + 9,000,000 used = $98, $18 used.
      const fake = await start({ newApi: false, version: 'v0.4.10-alpha.5', stats, keys: { [KEY]: { ...BASE_KEY, userId: 7 } } });
      const r = await poll(fake);
      expect(r.balance).toEqual(stats === 'token' ? usd(15_308_644) : usd(80_000_000));
      expect(r.estimated).toBe(false);
    }
  });

  it('reads releases before mid-2023 (hard_limit_usd = remaining) exactly: no double subtraction', async () => {
    const fake = await start({ newApi: false, version: 'v0.4.9' });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.quota).toEqual(EXACT);
    expect(r.estimated).toBe(false);
  });

  it('v0.6+ per-key stats: exact balance, but estimated since per-user stats would look the same', async () => {
    const fake = await start({ newApi: false, version: 'v0.6.10' });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.estimated).toBe(true);
    expect(notes(r)).toContain('per-user stats');
    expect(notes(r)).toContain('access token');
  });

  // The bug report: per-user stats on v0.6+ report remaining as the limit; "limit − used" gave $10.62 for $15.31.
  it('v0.6+ per-user stats with the access token: the wallet, exactly', async () => {
    const fake = await start({
      newApi: false,
      version: 'v0.6.11-preview.7',
      stats: 'user',
      keys: { [KEY]: { ...BASE_KEY, userId: 7 } },
      users: { 7: { quota: 7_654_322, used: 2_345_678, requests: 55, accessToken: 'AccessToken0123456789abcdefABCD' } },
    });
    const without = await poll(fake);
    // Without the wallet the spend (4.69) is below the reported limit (15.31): assumed per-key, and said to be a guess.
    expect(without.estimated).toBe(true);
    const r = await poll(fake, { accessToken: 'AccessToken0123456789abcdefABCD' });
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.quota).toEqual(EXACT);
    expect(r.estimated).toBe(false);
    expect(notes(r)).toContain("user's wallet");
  });

  it('v0.6+ per-user stats without the token: reads remaining when spend exceeds the reported limit', async () => {
    const fake = await start({
      newApi: false,
      version: '',
      stats: 'user',
      keys: { [KEY]: { ...BASE_KEY, userId: 7 } },
      users: { 7: { quota: 3_000_000, used: 9_000_000, requests: 5, accessToken: 'x'.repeat(32) } },
    });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(6_000_000));
    expect(r.spent.total).toEqual(usd(18_000_000));
    expect(r.estimated).toBe(true);
    expect(notes(r)).toContain('per-user stats');
  });

  it('New-API is never read as remaining-only (it has no such bug)', async () => {
    const fake = await start({ stats: 'user', keys: { [KEY]: { ...BASE_KEY, userId: 7 } } });
    const r = await poll(fake);
    // Wallet figures: 40,000,000 left + 9,000,000 used.
    expect(r.balance).toEqual(usd(80_000_000));
    expect(r.estimated).toBe(false);
  });
});

describe('newapi adapter: base URLs and settings', () => {
  it('retries the billing endpoints under /v1/ when the root 404s', async () => {
    const fake = await start({ newApi: false, version: 'v0.5.0' });
    fake.fail({ path: /^\/dashboard\//, response: { status: 404, body: 'not found' } });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(paths(fake)).toEqual(expect.arrayContaining(['/v1/dashboard/billing/subscription', '/v1/dashboard/billing/usage']));
  });

  it.each(['/v1', '/v1/', '/', '//'])('reads /api/status at the root for base URL suffix %j', async (suffix) => {
    const fake = await start();
    const r = await poll(fake, { baseUrl: fake.url + suffix });
    expect(r.balance).toEqual(usd(15_308_644));
    expect(paths(fake)).toContain('/api/status');
  });

  it('normalises base URLs with a path prefix', () => {
    expect(gatewayRoot('https://gw.example/openai/v1/')).toBe('https://gw.example/openai');
    expect(gatewayRoot('https://smai.ai')).toBe('https://smai.ai');
  });

  it.each([
    ['a 404', { status: 404, body: { error: { message: 'Invalid URL' } } }],
    ['an HTML page', FAULTS.html(200)],
    ['success:false', { status: 200, body: { success: false, message: 'no' } }],
  ])('assumes the defaults, estimated and said, when /api/status is %s', async (_name, response) => {
    const fake = await start({ newApi: false, version: 'v0.5.0' });
    fake.fail({ path: '/api/status', response });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.estimated).toBe(true);
    expect(notes(r)).toContain('assumed dollar display and 500,000 quota per $1');
  });

  it.each([
    ['missing', {}],
    ['zero', { quota_per_unit: 0 }],
    ['text', { quota_per_unit: 'lots' }],
  ])('uses the default quota_per_unit, estimated and said, when it is %s', async (_name, extra) => {
    const fake = await start({ displayType: 'TOKENS' });
    fake.fail({ path: '/api/status', response: { body: { success: true, data: { version: 'v0.9.1', quota_display_type: 'TOKENS', ...extra } } } });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.estimated).toBe(true);
    expect(notes(r)).toContain('quota_per_unit');
  });

  it('reads the demo key from the default state', async () => {
    const fake = await startNewApiFake();
    try {
      const r = await poll(fake, { key: DEMO_NEWAPI_KEY });
      const k = fake.state.keys[DEMO_NEWAPI_KEY]!;
      expect(r.spent.total).toEqual(usd(Math.round((k.used * 1_000_000) / 500_000)));
    } finally {
      await fake.close();
    }
  });
});

describe('newapi adapter: failures', () => {
  it('turns an unknown key into an auth error that says to check the key', async () => {
    const fake = await start({ newApi: false, version: 'v0.6.10' });
    const e = await pollError(fake, { key: 'sk-not-a-real-key-123' });
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(401);
    expect(e.message).toContain('Check that it is the whole sk-… key');
  });

  it('reports a disabled key as disabled, not as wrong', async () => {
    const fake = await start({ newApi: false, version: 'v0.6.10', keys: { [KEY]: { ...BASE_KEY, disabled: true } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('auth');
    expect(e.message).toContain('disabled');
  });

  it('reports 403 as forbidden', async () => {
    const fake = await start();
    fake.fail({ path: /dashboard/, response: { status: 403, body: { error: { message: 'group may not read usage', type: 'one_api_error' } } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('forbidden');
    expect(e.message).toContain('group may not read usage');
  });

  it('reports 429 on the billing pair with Retry-After', async () => {
    const fake = await start();
    fake.fail({ path: /dashboard/, response: FAULTS.rateLimited(7) });
    const e = await pollError(fake);
    expect(e.kind).toBe('rate-limited');
    expect(e.retryAfterMs).toBe(7_000);
  });

  it.each([
    ['everywhere', undefined],
    ['on /api/status', '/api/status'],
  ])('reports 5xx %s as a server error (no settings: no guessing at units)', async (_name, path) => {
    const fake = await start();
    fake.fail({ path, response: FAULTS.serverError(503) });
    const e = await pollError(fake);
    expect(e.kind).toBe('server');
    expect(e.status).toBe(503);
  });

  it.each([
    ['everywhere', undefined],
    ['on /api/status', '/api/status'],
  ])('times out %s', async (_name, path) => {
    const fake = await start();
    fake.fail({ path, response: FAULTS.hang(5_000) });
    const e = await pollError(fake, { timeoutMs: 150 });
    expect(e.kind).toBe('timeout');
  });

  it.each(['upstream_error', 'new_api_error', 'one_api_error'])('treats a %s body on HTTP 200 as a server failure', async (type) => {
    const fake = await start();
    fake.fail({ path: '/dashboard/billing/usage', response: { status: 200, body: { error: { message: 'database is locked', type } } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('server');
    expect(e.message).toContain('database is locked');
  });

  it('treats success:false from a billing endpoint as a failure', async () => {
    const fake = await start({ newApi: false });
    fake.fail({ path: '/dashboard/billing/subscription', response: { status: 200, body: { success: false, message: 'billing is disabled for this group' } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('provider');
    expect(e.message).toContain('billing is disabled for this group');
  });

  it('never quotes a key the gateway echoes, whole or in part', async () => {
    const fake = await start();
    const bare = KEY.replace(/^sk-/, '');
    fake.fail({ path: '/dashboard/billing/subscription', response: { status: 200, body: { success: false, message: `token ${bare.toUpperCase()} [sk-tes***a9c] ${bare.slice(2, 14)}` } } });
    const e = await pollError(fake);
    expect(e.message).not.toMatch(/tes\*\*\*a9c/);
    expect(e.message.toLowerCase()).not.toContain(bare.slice(2, 14).toLowerCase());
    expect(e.message).toContain('[key]');
  });

  it.each([
    ['malformed JSON', FAULTS.malformed()],
    ['an HTML page', FAULTS.html(200)],
  ])('reports %s as a bad response', async (_name, response) => {
    const fake = await start();
    fake.fail({ path: /dashboard/, response });
    const e = await pollError(fake);
    expect(e.kind).toBe('bad-response');
  });

  it.each([
    ['negative usage', { object: 'list', total_usage: -5 }],
    ['"NaN" usage', { object: 'list', total_usage: 'NaN' }],
  ])('rejects %s as a bad response', async (_name, body) => {
    const fake = await start();
    fake.fail({ path: '/dashboard/billing/usage', response: { status: 200, body } });
    const e = await pollError(fake);
    expect(e.kind).toBe('bad-response');
    expect(e.message).toContain('total_usage');
  });

  it('rejects an absurd limit', async () => {
    const fake = await start();
    fake.fail({ path: '/dashboard/billing/subscription', response: { status: 200, body: { hard_limit_usd: 1e300, access_until: 0 } } });
    expect((await pollError(fake)).kind).toBe('bad-response');
  });

  it('asks for a key and a valid base URL before calling out', async () => {
    const fake = await start();
    expect((await pollError(fake, { key: '' })).kind).toBe('config');
    expect((await pollError(fake, { baseUrl: 'not a url' })).kind).toBe('config');
    expect(fake.requests).toEqual([]);
  });
});
