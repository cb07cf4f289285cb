// Shared set-up for the gateway adapter tests: a fake per test, polled through the real HTTP client.
import { afterEach, expect } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient } from '../../../electron/core/http.ts';
import { newapiAdapter } from '../../../electron/core/providers/newapi.ts';
import { startNewApiFake, type NewApiFake, type NewApiFakeState } from '../../../electron/core/providers/fakes/newapi.ts';
import type { ProviderReading } from '../../../electron/core/providers/types.ts';
import type { RequestBudget } from '../../../electron/core/request-budget.ts';

export const KEY = 'sk-test-gateway-7f3a9c';
export const TOKEN = 'AccessToken0123456789abcdefABCD';
/** $20 granted at 500,000 quota per $1; 2,345,678 quota ($4.691356) used; $15.308644 left. */
export const BASE_KEY = { name: 'primary', granted: 10_000_000, used: 2_345_678, unlimited: false, expiresAt: 0 };
export const USER = { quota: 40_000_000, used: 9_000_000, requests: 1234, accessToken: TOKEN };

const running: NewApiFake[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()));
});

export async function start(state: Partial<NewApiFakeState> = {}, now?: () => number): Promise<NewApiFake> {
  const fake = await startNewApiFake({ state: { keys: { [KEY]: { ...BASE_KEY } }, users: { 7: { ...USER } }, ...state }, ...(now ? { now } : {}) });
  running.push(fake);
  return fake;
}

export interface PollOptions {
  key?: string;
  baseUrl?: string;
  timeoutMs?: number;
  accessToken?: string;
  options?: Record<string, string>;
  budget?: RequestBudget;
  usageSince?: number;
  accountId?: string;
  now?: () => number;
}

export function poll(fake: NewApiFake, opts: PollOptions = {}): Promise<ProviderReading> {
  const credentials: Record<string, string> = { apiKey: opts.key ?? KEY };
  if (opts.accessToken) credentials.accessToken = opts.accessToken;
  return newapiAdapter.fetch({
    account: { id: opts.accountId ?? 'gw', provider: 'newapi', label: 'Gateway', pollIntervalSec: 300, ...(opts.options ? { options: opts.options } : {}) },
    baseUrl: opts.baseUrl ?? fake.url,
    credentials,
    http: defaultHttpClient,
    timeoutMs: opts.timeoutMs ?? 5_000,
    now: opts.now ?? (() => Date.now()),
    ...(opts.budget ? { budget: opts.budget } : {}),
    ...(opts.usageSince !== undefined ? { usageSince: opts.usageSince } : {}),
  });
}

export async function pollError(fake: NewApiFake, opts: PollOptions = {}): Promise<ProviderError> {
  const err = await poll(fake, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  const pe = err as ProviderError;
  const key = opts.key ?? KEY;
  if (key) {
    expect(pe.message).not.toContain(key);
    expect(pe.message).not.toContain(key.replace(/^sk-/, ''));
  }
  if (opts.accessToken) expect(pe.message).not.toContain(opts.accessToken);
  return pe;
}

export const paths = (fake: NewApiFake) => fake.requests.map((r) => r.path);
export const usd = (micros: number) => ({ micros, currency: 'USD' });
export const cny = (micros: number) => ({ micros, currency: 'CNY' });
export const notes = (r: ProviderReading) => r.notes.join(' ');
