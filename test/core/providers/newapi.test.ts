import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { fetchHttpClient } from '../../../electron/core/http.ts';
import { gatewayRoot, newapiAdapter } from '../../../electron/core/providers/newapi.ts';
import { DEMO_NEWAPI_KEY, startNewApiFake, type NewApiFake, type NewApiFakeState } from '../../../electron/core/providers/fakes/newapi.ts';
import { FAULTS } from '../../../electron/core/providers/fakes/server.ts';
import type { ProviderReading } from '../../../electron/core/providers/types.ts';

const KEY = 'sk-test-gateway-7f3a9c';
// $20 granted at 500000 quota per $1; 2,345,678 quota used.
const BASE_KEY = { name: 'primary', granted: 10_000_000, used: 2_345_678, unlimited: false, expiresAt: 0 };

const running: NewApiFake[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()));
});

async function start(state: Partial<NewApiFakeState> = {}): Promise<NewApiFake> {
  const fake = await startNewApiFake({ state: { keys: { [KEY]: { ...BASE_KEY } }, ...state } });
  running.push(fake);
  return fake;
}

function poll(fake: NewApiFake, opts: { key?: string; baseUrl?: string; timeoutMs?: number } = {}): Promise<ProviderReading> {
  return newapiAdapter.fetch({
    account: { id: 'gw', provider: 'newapi', label: 'Gateway', pollIntervalSec: 300 },
    baseUrl: opts.baseUrl ?? fake.url,
    credentials: { apiKey: opts.key ?? KEY },
    http: fetchHttpClient,
    timeoutMs: opts.timeoutMs ?? 5_000,
    now: () => Date.now(),
  });
}

async function pollError(fake: NewApiFake, opts: Parameters<typeof poll>[1] = {}): Promise<ProviderError> {
  const err = await poll(fake, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  const pe = err as ProviderError;
  const key = opts.key ?? KEY;
  if (key) expect(pe.message).not.toContain(key);
  return pe;
}

const paths = (fake: NewApiFake) => fake.requests.map((r) => r.path);
const usd = (micros: number) => ({ micros, currency: 'USD' });
const cny = (micros: number) => ({ micros, currency: 'CNY' });

describe('newapi adapter: figures', () => {
  it('reads the per-key endpoint in USD', async () => {
    const fake = await start();
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.balances).toEqual([usd(15_308_644)]);
    expect(r.spent).toEqual({ total: usd(4_691_356) });
    expect(r.quota).toEqual({ limit: usd(20_000_000), used: usd(4_691_356), remaining: usd(15_308_644), resets: 'never', expiresAt: null });
    expect(r.usage).toEqual([]);
    expect(r.estimated).toBe(false);
    expect(r.available).toBeUndefined();
    expect(paths(fake).sort()).toEqual(['/api/status', '/api/usage/token/']);
    const token = fake.requests.find((q) => q.path === '/api/usage/token/');
    expect(token?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(fake.requests.find((q) => q.path === '/api/status')?.headers.authorization).toBeUndefined();
  });

  it('sends a key typed without sk- as given', async () => {
    const fake = await start();
    const r = await poll(fake, { key: KEY.slice(3) });
    expect(r.balance).toEqual(usd(15_308_644));
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY.slice(3)}`);
  });

  it('moves with spend()', async () => {
    const fake = await start();
    fake.spend(KEY, 500_000);
    const r = await poll(fake);
    expect(r.spent.total).toEqual(usd(5_691_356));
    expect(r.balance).toEqual(usd(14_308_644));
  });

  // 2,345,678 / 500000 × 7.3 = 34.2468988 CNY; 7,654,322 / 500000 × 7.3 = 111.7531012 CNY.
  it.each([
    ['per-key endpoint', false],
    ['billing endpoints', true],
  ])('shows CNY display in CNY, estimated (%s)', async (_name, noTokenEndpoint) => {
    const fake = await start({ displayType: 'CNY', usdExchangeRate: 7.3 });
    if (noTokenEndpoint) fake.fail({ path: '/api/usage/token/', response: { status: 404, body: { error: { message: 'Invalid URL' } } } });
    const r = await poll(fake);
    expect(r.quota).toEqual({ limit: cny(146_000_000), used: cny(34_246_899), remaining: cny(111_753_101), resets: 'never', expiresAt: null });
    expect(r.balance).toEqual(cny(111_753_101));
    expect(r.spent.total).toEqual(cny(34_246_899));
    expect(r.estimated).toBe(true);
    expect(r.notes.join(' ')).toContain('7.3 CNY per USD');
    expect(paths(fake).includes('/dashboard/billing/usage')).toBe(noTokenEndpoint);
  });

  // At 1,000,000 quota per $1: 10,000,000 granted = $10, 2,345,678 used = $2.345678.
  it.each([
    ['per-key endpoint', false],
    ['billing endpoints', true],
  ])('converts TOKENS display to USD via quota_per_unit (%s)', async (_name, noTokenEndpoint) => {
    const fake = await start({ displayType: 'TOKENS', quotaPerUnit: 1_000_000 });
    if (noTokenEndpoint) fake.fail({ path: '/api/usage/token/', response: { status: 200, body: { code: false, message: 'disabled' } } });
    const r = await poll(fake);
    expect(r.quota).toEqual({ limit: usd(10_000_000), used: usd(2_345_678), remaining: usd(7_654_322), resets: 'never', expiresAt: null });
    expect(r.estimated).toBe(false);
    expect(r.notes.join(' ')).toContain('1000000 quota per $1');
    expect(paths(fake).includes('/dashboard/billing/subscription')).toBe(noTokenEndpoint);
  });

  it('falls back to the billing endpoints on One-API', async () => {
    // 3,000,000 quota = $6; 1,234,567 quota = $2.469134.
    const fake = await start({ newApi: false, keys: { [KEY]: { ...BASE_KEY, granted: 3_000_000, used: 1_234_567 } } });
    const r = await poll(fake);
    expect(r.quota).toEqual({ limit: usd(6_000_000), used: usd(2_469_134), remaining: usd(3_530_866), resets: 'never', expiresAt: null });
    expect(r.balance).toEqual(usd(3_530_866));
    expect(r.estimated).toBe(false);
    expect(r.notes.join(' ')).toContain('billing endpoints');
    expect(paths(fake)).toEqual(expect.arrayContaining(['/api/status', '/api/usage/token/', '/dashboard/billing/subscription', '/dashboard/billing/usage']));
  });

  it('retries the billing endpoints under /v1/ when the root 404s', async () => {
    const fake = await start({ newApi: false });
    fake.fail({ path: /^\/dashboard\//, response: { status: 404, body: 'not found' } });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(paths(fake)).toEqual(expect.arrayContaining(['/v1/dashboard/billing/subscription', '/v1/dashboard/billing/usage']));
  });

  it.each(['/v1', '/v1/', '/', '//'])('reads /api/status at the root for base URL suffix %j', async (suffix) => {
    const fake = await start();
    const r = await poll(fake, { baseUrl: fake.url + suffix });
    expect(r.balance).toEqual(usd(15_308_644));
    expect(paths(fake).sort()).toEqual(['/api/status', '/api/usage/token/']);
  });

  it('normalises base URLs with a path prefix', () => {
    expect(gatewayRoot('https://gw.example/openai/v1/')).toBe('https://gw.example/openai');
    expect(gatewayRoot('https://smai.ai')).toBe('https://smai.ai');
  });

  it.each([
    ['a 404', { status: 404, body: { error: { message: 'Invalid URL' } } }],
    ['an HTML page', FAULTS.html(200)],
  ])('assumes One-API defaults when /api/status is %s', async (_name, response) => {
    const fake = await start({ newApi: false });
    fake.fail({ path: '/api/status', response });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.notes.join(' ')).toContain('assumed USD display and 500000 quota per $1');
  });

  it.each([true, false])('reports an unlimited key with no balance (newApi %s)', async (newApi) => {
    const fake = await start({ newApi, keys: { [KEY]: { ...BASE_KEY, unlimited: true } } });
    const r = await poll(fake);
    expect(r.balance).toBeNull();
    expect(r.balances).toEqual([]);
    expect(r.quota).toEqual({ limit: null, used: usd(4_691_356), remaining: null, resets: 'never', expiresAt: null });
    expect(r.spent.total).toEqual(usd(4_691_356));
    expect(r.notes.join(' ')).toContain('Unlimited key');
  });

  it.each([true, false])('reports a future expiry (newApi %s)', async (newApi) => {
    const expiresAt = Math.floor(Date.now() / 1000) + 30 * 86_400;
    const fake = await start({ newApi, keys: { [KEY]: { ...BASE_KEY, expiresAt } } });
    const r = await poll(fake);
    expect(r.quota?.expiresAt).toBe(expiresAt * 1000);
    expect(r.available).toBeUndefined();
  });

  it('marks an expired key unavailable when the gateway still reports it', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) - 86_400;
    const fake = await start({ keys: { [KEY]: { ...BASE_KEY, expiresAt } } });
    const r = await poll(fake);
    expect(r.quota?.expiresAt).toBe(expiresAt * 1000);
    expect(r.available).toBe(false);
    expect(r.notes.join(' ')).toContain('expired');
  });

  it('marks a used-up key unavailable', async () => {
    const fake = await start({ keys: { [KEY]: { ...BASE_KEY, used: BASE_KEY.granted } } });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(0));
    expect(r.available).toBe(false);
  });

  it('reads the demo key from the default state', async () => {
    const fake = await startNewApiFake();
    running.push(fake);
    const r = await poll(fake, { key: DEMO_NEWAPI_KEY });
    const k = fake.state.keys[DEMO_NEWAPI_KEY]!;
    expect(r.spent.total).toEqual(usd(Math.round((k.used * 1_000_000) / fake.state.quotaPerUnit)));
  });
});

describe('newapi adapter: failures', () => {
  it('turns an unknown key into an auth error quoting the gateway', async () => {
    const fake = await start();
    const e = await pollError(fake, { key: 'sk-not-a-real-key-123' });
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(401);
    expect(e.message).toContain('Invalid token');
  });

  it('passes on why an expired key is refused (One-API)', async () => {
    const fake = await start({ newApi: false, keys: { [KEY]: { ...BASE_KEY, expiresAt: 1_600_000_000 } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('auth');
    expect(e.message).toContain('expired');
  });

  it('masks the key when the gateway echoes it', async () => {
    const fake = await start();
    fake.fail({ response: { status: 401, body: { error: { message: `token ${KEY} not found`, type: 'one_api_error' } } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('auth');
    expect(e.message).toContain('not found');
  });

  it('reports 403 as forbidden', async () => {
    const fake = await start();
    fake.fail({ response: { status: 403, body: { error: { message: 'group may not read usage', type: 'one_api_error' } } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('forbidden');
    expect(e.message).toContain('group may not read usage');
  });

  it('reports 429 with Retry-After', async () => {
    const fake = await start();
    fake.fail({ response: FAULTS.rateLimited(7) });
    const e = await pollError(fake);
    expect(e.kind).toBe('rate-limited');
    expect(e.retryAfterMs).toBe(7_000);
  });

  it.each([
    ['everywhere', undefined],
    ['on /api/status', '/api/status'],
  ])('reports 5xx %s as a server error', async (_name, path) => {
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

  it.each([
    ['upstream_error', true, '/api/usage/token/'],
    ['new_api_error', false, '/dashboard/billing/usage'],
  ])('treats a %s body on HTTP 200 as a failure', async (type, newApi, path) => {
    const fake = await start({ newApi });
    fake.fail({ path, response: { status: 200, body: { error: { message: 'database is locked', type } } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('provider');
    expect(e.message).toContain('database is locked');
  });

  it('treats success:false from a billing endpoint as a failure', async () => {
    const fake = await start({ newApi: false });
    fake.fail({ path: '/dashboard/billing/subscription', response: { status: 200, body: { success: false, message: 'billing is disabled for this group' } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('provider');
    expect(e.message).toContain('billing is disabled for this group');
  });

  it.each([
    ['malformed JSON', FAULTS.malformed()],
    ['an HTML page', FAULTS.html(200)],
  ])('reports %s as a bad response', async (_name, response) => {
    const fake = await start();
    fake.fail({ response });
    const e = await pollError(fake);
    expect(e.kind).toBe('bad-response');
  });

  it('reports an HTML 502 from a proxy as a server error', async () => {
    const fake = await start();
    fake.fail({ response: FAULTS.html(502) });
    expect((await pollError(fake)).kind).toBe('server');
  });

  const tokenBody = (data: Record<string, unknown>) => ({
    status: 200,
    body: { code: true, message: 'ok', data: { total_granted: 1_000_000, total_used: 10, total_available: 999_990, unlimited_quota: false, expires_at: 0, ...data } },
  });

  it.each([
    ['negative usage', '/api/usage/token/', tokenBody({ total_used: -5 })],
    ['"NaN" usage', '/api/usage/token/', tokenBody({ total_used: 'NaN' })],
    ['an absurd grant', '/api/usage/token/', tokenBody({ total_granted: 1e300 })],
    ['quota_per_unit 0', '/api/status', { status: 200, body: { success: true, data: { quota_per_unit: 0 } } }],
  ])('rejects %s as a bad response', async (_name, path, response) => {
    const fake = await start();
    fake.fail({ path, response });
    const e = await pollError(fake);
    expect(e.kind).toBe('bad-response');
  });

  it('rejects "NaN" total_usage from the billing endpoint', async () => {
    const fake = await start({ newApi: false });
    fake.fail({ path: '/dashboard/billing/usage', response: { status: 200, body: { object: 'list', total_usage: 'NaN' } } });
    const e = await pollError(fake);
    expect(e.kind).toBe('bad-response');
    expect(e.message).toContain('total_usage');
  });

  it('asks for a key and a valid base URL before calling out', async () => {
    const fake = await start();
    expect((await pollError(fake, { key: '' })).kind).toBe('config');
    expect((await pollError(fake, { baseUrl: 'not a url' })).kind).toBe('config');
    expect(fake.requests).toEqual([]);
  });
});
