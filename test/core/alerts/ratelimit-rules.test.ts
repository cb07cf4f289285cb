// The rate-limit rules: headroom below P % (refilled windows count as full, re-arms past the margin) and repeated
// 429s, each firing once per breach through the real engine and its tables.
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { validateRules } from '../../../shared/alerts.ts';
import type { Headroom, RateLimit } from '../../../shared/metering.ts';
import { AlertEngine } from '../../../electron/core/alerts/index.ts';
import { tightestWindow } from '../../../electron/core/alerts/rules-ratelimit.ts';
import type { AlertHistory } from '../../../electron/core/alerts/history.ts';
import { balanceSnap, statusOf } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const noHistory: AlertHistory = { snapshots: () => [], usage: () => [], dataSince: () => null };

function setup(raw: unknown[]) {
  const { rules, errors } = validateRules(raw, { accountIds: ['oa'] });
  expect(errors).toEqual([]);
  let limits: RateLimit = {};
  let n429 = 0;
  let now = NOW;
  const meter = {
    headroom: (id: string): Headroom[] => [{ accountId: id, key: 'sk-…0001', keyId: 'k_test0001', time: now, rateLimit: limits, lowestPercent: null, rateLimited1h: 0, rateLimited24h: 0 }],
    rateLimitedSince: () => n429,
  };
  const engine = new AlertEngine({ db: new DatabaseSync(':memory:'), history: noHistory, rules, channels: [], tickMs: 0, now: () => now, meter });
  const statuses = [statusOf(balanceSnap('oa', NOW, 5))];
  return {
    run: () => engine.onMetered(['oa'], statuses).map((e) => e.title),
    set: (r: RateLimit) => void (limits = r),
    set429: (n: number) => void (n429 = n),
    advance: (ms: number) => void (now += ms),
  };
}

describe('ratelimit-headroom', () => {
  it('fires once under the threshold, stays quiet until it recovers past the margin, then fires again', () => {
    const t = setup([{ type: 'ratelimit-headroom', account: 'oa', percent: 20 }]);
    t.set({ requests: { limit: 100, remaining: 50, resetAt: NOW + 60_000 } });
    expect(t.run()).toEqual([]);
    t.set({ requests: { limit: 100, remaining: 50, resetAt: NOW + 60_000 }, tokens: { limit: 10_000, remaining: 1_500, resetAt: NOW + 60_000 } });
    expect(t.run()).toEqual(['oa (key sk-…0001): 15% of the rate limit left']);
    t.set({ tokens: { limit: 10_000, remaining: 1_000, resetAt: NOW + 60_000 } });
    expect(t.run()).toEqual([]);
    // 21% is not past the 10 % margin (22 %): still armed off.
    t.set({ tokens: { limit: 10_000, remaining: 2_100, resetAt: NOW + 60_000 } });
    expect(t.run()).toEqual([]);
    t.set({ tokens: { limit: 10_000, remaining: 9_000, resetAt: NOW + 60_000 } });
    expect(t.run()).toEqual([]);
    t.set({ tokens: { limit: 10_000, remaining: 100, resetAt: NOW + 60_000 } });
    expect(t.run()).toEqual(['oa (key sk-…0001): 1% of the rate limit left']);
  });

  it('a window whose reset time has passed has refilled and does not count', () => {
    expect(tightestWindow({ requests: { limit: 10, remaining: 0, resetAt: NOW - 1 }, tokens: { limit: 10, remaining: 8, resetAt: null } }, NOW)).toEqual({ name: 'tokens', percent: 80, resetAt: null });
    expect(tightestWindow({ tokens: { limit: null, remaining: null, resetAt: null } }, NOW)).toBeNull();
    const t = setup([{ type: 'ratelimit-headroom', account: 'oa', percent: 20 }]);
    t.set({ requests: { limit: 10, remaining: 0, resetAt: NOW - 1 } });
    expect(t.run()).toEqual([]);
  });
});

describe('rate-limited', () => {
  it('fires when the 429s in the window reach the count', () => {
    const t = setup([{ type: 'rate-limited', account: 'oa', count: 5, minutes: 30 }]);
    t.set429(4);
    expect(t.run()).toEqual([]);
    t.set429(5);
    expect(t.run()).toEqual(['oa: rate limited 5 times in 30 min']);
    t.set429(9);
    expect(t.run()).toEqual([]);
  });

  it('validation: needs an account; count and minutes are checked', () => {
    expect(validateRules([{ type: 'rate-limited', currency: 'USD' }], { accountIds: ['oa'] }).errors[0]?.message).toMatch(/needs an "account"/);
    expect(validateRules([{ type: 'rate-limited', account: 'oa', count: 0.5 }], { accountIds: ['oa'] }).errors[0]?.message).toMatch(/429 answers/);
    expect(validateRules([{ type: 'ratelimit-headroom', account: '*', percent: 150 }], { accountIds: ['oa'] }).errors[0]?.message).toMatch(/at most 100/);
    expect(validateRules([{ type: 'rate-limited', account: '*' }], { accountIds: ['oa'] }).rules[0]).toMatchObject({ count: 5, minutes: 60 });
  });
});
