// Used-up, expired and unlimited keys, and the wallet read with the system access token.
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../../electron/core/providers/fakes/server.ts';
import { BASE_KEY, KEY, TOKEN, USER, notes, paths, poll, pollError, start, usd } from './newapi-helpers.ts';

const PAST = Math.floor(Date.now() / 1000) - 86_400;
const usedUp = { ...BASE_KEY, used: BASE_KEY.granted, userId: 7 };

describe('newapi adapter: used-up and expired keys get their own state, not "check the key"', () => {
  it.each([
    ['One-API ("令牌 …（#1）额度已用尽")', { newApi: false, version: 'v0.6.10' }],
    ['New-API before 2026-04 ("该令牌额度已用尽 TokenStatusExhausted[sk-…]")', { refusals: 'new-api-2025' as const }],
  ])('reads a used-up key on %s as a zero balance that cannot pay', async (_name, state) => {
    const fake = await start({ ...state, keys: { [KEY]: usedUp } });
    const r = await poll(fake);
    expect(r.balance).toEqual(usd(0));
    expect(r.available).toBe(false);
    expect(notes(r)).toContain('used up');
    expect(notes(r)).not.toMatch(/check/i);
    expect(JSON.stringify(r)).not.toContain(KEY.slice(-3) + ']');
  });

  it('asks the read-only per-key endpoint when New-API (since 2026-04) refuses a key as merely "invalid"', async () => {
    const fake = await start({ refusals: 'new-api-2026', keys: { [KEY]: usedUp } });
    const r = await poll(fake);
    expect(paths(fake)).toContain('/api/usage/token/');
    expect(r.balance).toEqual(usd(0));
    expect(r.quota).toMatchObject({ limit: usd(20_000_000), used: usd(20_000_000), remaining: usd(0) });
    expect(r.available).toBe(false);
    expect(notes(r)).toContain('used up');
  });

  it('reads an expired key on One-API as unable to pay, with no balance it could spend', async () => {
    const fake = await start({ newApi: false, version: 'v0.6.10', keys: { [KEY]: { ...BASE_KEY, expiresAt: PAST } } });
    const r = await poll(fake);
    expect(r.available).toBe(false);
    expect(r.balance).toBeNull();
    expect(notes(r)).toContain('expired');
  });

  it.each(['new-api-2025', 'new-api-2026'] as const)('reads an expired key on New-API (%s) with its figures and expiry', async (refusals) => {
    const fake = await start({ refusals, keys: { [KEY]: { ...BASE_KEY, expiresAt: PAST } } });
    const r = await poll(fake);
    expect(r.available).toBe(false);
    expect(notes(r)).toContain('expired');
    if (refusals === 'new-api-2026') {
      expect(r.quota?.expiresAt).toBe(PAST * 1000);
      expect(r.balance).toEqual(usd(15_308_644));
    }
  });

  it('marks a key that is still accepted but past its expiry (a gateway that reports it) unable to pay', async () => {
    // The billing pair answers for a key whose expiry passed a moment ago (the gateway checks on its own clock).
    const fake = await start({ keys: { [KEY]: { ...BASE_KEY, expiresAt: Math.floor(Date.now() / 1000) + 3600 } } });
    const r = await poll(fake, { now: () => Date.now() + 2 * 3600_000 });
    expect(r.available).toBe(false);
    expect(r.quota?.expiresAt).toBe(fake.state.keys[KEY]!.expiresAt * 1000);
  });

  it('reports a future expiry and stays available', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 30 * 86_400;
    const fake = await start({ keys: { [KEY]: { ...BASE_KEY, expiresAt } } });
    const r = await poll(fake);
    expect(r.quota?.expiresAt).toBe(expiresAt * 1000);
    expect(r.available).toBeUndefined();
  });

  it('still says "check the key" for a key the gateway does not know', async () => {
    const fake = await start({ refusals: 'new-api-2026' });
    const e = await pollError(fake, { key: 'sk-unknown0000000000' });
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/rejected the API key/);
  });
});

describe('newapi adapter: unlimited keys and the wallet', () => {
  it.each([true, false])('reports an unlimited key without an access token: no balance, and says what would show it (New-API %s)', async (newApi) => {
    const fake = await start({ newApi, version: 'v0.6.10', keys: { [KEY]: { ...BASE_KEY, unlimited: true } } });
    const r = await poll(fake);
    expect(r.balance).toBeNull();
    expect(r.quota).toEqual({ limit: null, used: usd(4_691_356), remaining: null, resets: 'never', expiresAt: null });
    expect(r.spent.total).toEqual(usd(4_691_356));
    expect(notes(r)).toContain('access token');
  });

  it.each([
    ['New-API, stateless auth (since 2026-07)', { selfAuth: 'stateless' as const }, undefined],
    ['New-API, New-Api-User required (2025-01 → 2026-07)', { selfAuth: 'new-api-user' as const }, '7'],
    ['New-API before 2025-01', { selfAuth: 'legacy' as const }, undefined],
    ['One-API', { newApi: false, version: 'v0.6.10' }, undefined],
  ])('reads the wallet as the balance of an unlimited key on %s', async (_name, state, userId) => {
    const fake = await start({ ...state, keys: { [KEY]: { ...BASE_KEY, unlimited: true, userId: 7 } } });
    const r = await poll(fake, { accessToken: TOKEN, ...(userId ? { options: { userId } } : {}) });
    // 40,000,000 raw quota left = $80; 9,000,000 used = $18 over 1,234 requests.
    expect(r.balance).toEqual(usd(80_000_000));
    expect(r.quota?.limit).toBeNull();
    expect(notes(r)).toContain('$80.00 remaining, $18.00 used over 1,234 requests');
    const self = fake.requests.find((q) => q.path === '/api/user/self');
    expect(self?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    if (userId) expect(self?.headers['new-api-user']).toBe(userId);
    expect(paths(fake)).not.toContain('/api/user/token');
  });

  it('sends Bearer and New-Api-User together, which every generation accepts', async () => {
    for (const selfAuth of ['stateless', 'new-api-user', 'legacy'] as const) {
      const fake = await start({ selfAuth, keys: { [KEY]: { ...BASE_KEY, unlimited: true, userId: 7 } } });
      const r = await poll(fake, { accessToken: TOKEN, options: { userId: '7' } });
      expect(r.balance).toEqual(usd(80_000_000));
    }
  });

  it('takes the wallet as the balance when it holds less than the key has left', async () => {
    const fake = await start({ users: { 7: { ...USER, quota: 2_500_000 } }, keys: { [KEY]: { ...BASE_KEY, userId: 7 } } });
    const r = await poll(fake, { accessToken: TOKEN });
    expect(r.balance).toEqual(usd(5_000_000));
    expect(r.quota?.remaining).toEqual(usd(15_308_644));
    expect(notes(r)).toContain('wallet holds less');
  });

  it('keeps the key balance when the wallet holds more', async () => {
    const fake = await start({ keys: { [KEY]: { ...BASE_KEY, userId: 7 } } });
    const r = await poll(fake, { accessToken: TOKEN });
    expect(r.balance).toEqual(usd(15_308_644));
    expect(r.estimated).toBe(false);
  });
});

describe('newapi adapter: a wrong access token or user id', () => {
  it.each([
    ['stateless', { selfAuth: 'stateless' as const }],
    ['New-Api-User era', { selfAuth: 'new-api-user' as const }],
    ['legacy (HTTP 200 success:false)', { selfAuth: 'legacy' as const }],
    ['One-API (HTTP 200 success:false)', { newApi: false, version: 'v0.6.10' }],
  ])('fails the poll with a message about the access token (%s), keeping the key out of it', async (_name, state) => {
    const fake = await start({ ...state, keys: { [KEY]: { ...BASE_KEY, unlimited: true, userId: 7 } } });
    const wrong = 'WrongToken0000000000000000000000';
    const e = await pollError(fake, { accessToken: wrong, options: { userId: '7' } });
    expect(e.kind).toBe('auth');
    expect(e.message).toContain('access token');
    expect(e.message).not.toContain('sk-… key from this gateway');
    expect(e.message).not.toContain(wrong);
  });

  it('asks for the user id when the gateway needs New-Api-User', async () => {
    const fake = await start({ selfAuth: 'new-api-user', keys: { [KEY]: { ...BASE_KEY, unlimited: true, userId: 7 } } });
    const e = await pollError(fake, { accessToken: TOKEN });
    expect(e.kind).toBe('auth');
    expect(e.message).toContain('needs your user id');
  });

  it.each([
    ['another user', '8'],
    ['not a number', 'alice'],
  ])('says the user id does not match the token when it is %s', async (_name, userId) => {
    const fake = await start({ selfAuth: 'new-api-user', keys: { [KEY]: { ...BASE_KEY, unlimited: true, userId: 7 } } });
    const e = await pollError(fake, { accessToken: TOKEN, options: { userId } });
    expect(e.kind).toBe('auth');
    expect(e.message).toContain(`user id ${userId} does not match`);
  });

  it('keeps the key figures with a note when the wallet is briefly unreachable and the key has its own quota', async () => {
    const fake = await start();
    fake.fail({ path: '/api/user/self', response: FAULTS.serverError(502) });
    const r = await poll(fake, { accessToken: TOKEN });
    expect(r.balance).toEqual(usd(15_308_644));
    expect(notes(r)).toContain('The wallet was not read this time');
  });

  it('fails (to retry) when the wallet is unreachable and it is the only balance of an unlimited key', async () => {
    const fake = await start({ keys: { [KEY]: { ...BASE_KEY, unlimited: true } } });
    fake.fail({ path: '/api/user/self', response: FAULTS.serverError(502) });
    const e = await pollError(fake, { accessToken: TOKEN });
    expect(e.kind).toBe('server');
  });
});
