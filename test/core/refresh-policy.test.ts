import { describe, expect, it } from 'vitest';
import type { ErrorKind, PollError } from '../../shared/domain.ts';
import {
  FIRST_RETRY_MS,
  HOUR_MS,
  MAX_RETRY_AFTER_MS,
  START_STAGGER_MS,
  effectiveIntervalMs,
  isStale,
  nextPollDelay,
  startDelay,
} from '../../electron/core/refresh-policy.ts';

const fixed = (n: number) => () => n;
const err = (kind: ErrorKind, retryAfterMs?: number): PollError => ({ kind, message: kind, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const FIVE_MIN = 300_000;

describe('effectiveIntervalMs', () => {
  it('uses the configured interval in ms', () => {
    expect(effectiveIntervalMs(120)).toBe(120_000);
    expect(effectiveIntervalMs(3600)).toBe(3_600_000);
  });
  it('never goes under the 60 s floor', () => {
    expect(effectiveIntervalMs(1)).toBe(60_000);
    expect(effectiveIntervalMs(59.9)).toBe(60_000);
  });
  it('falls back to 300 s when unset or nonsense', () => {
    for (const v of [undefined, null, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(effectiveIntervalMs(v)).toBe(300_000);
  });
});

describe('nextPollDelay after success', () => {
  it('stays within ±10% of the interval', () => {
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 0, random: fixed(0) })).toBe(270_000);
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 0, random: fixed(0.5) })).toBe(300_000);
    const top = nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 0, random: fixed(0.999999) });
    expect(top).toBeGreaterThan(329_000);
    expect(top).toBeLessThanOrEqual(330_000);
  });
  it('keeps out-of-range random values inside the band', () => {
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 0, random: fixed(-3) })).toBe(270_000);
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 0, random: fixed(7) })).toBeLessThanOrEqual(330_000);
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 0, random: fixed(Number.NaN) })).toBe(270_000);
  });
});

describe('nextPollDelay after transient failures', () => {
  const at = (n: number, kind: ErrorKind = 'server', intervalMs = FIVE_MIN) =>
    nextPollDelay({ intervalMs, consecutiveFailures: n, error: err(kind), random: fixed(0) });

  it('doubles from 60 s per consecutive failure', () => {
    expect([1, 2, 3, 4, 5].map((n) => at(n))).toEqual([60_000, 120_000, 240_000, 480_000, 960_000]);
  });
  it('caps at an hour for short intervals', () => {
    expect(at(7)).toBe(HOUR_MS);
    expect(at(50)).toBe(HOUR_MS);
    expect(at(10_000)).toBe(HOUR_MS);
  });
  it('caps at the interval when the interval is longer than an hour', () => {
    const day = 24 * HOUR_MS;
    expect(at(1, 'network', day)).toBe(FIRST_RETRY_MS);
    expect(at(40, 'network', day)).toBe(day);
  });
  it('treats every transient kind alike', () => {
    for (const kind of ['rate-limited', 'server', 'timeout', 'network', 'bad-response'] as const) expect(at(2, kind)).toBe(120_000);
  });
  it('jitters only upwards, by at most 10%', () => {
    const high = nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 1, error: err('timeout'), random: fixed(0.999999) });
    expect(high).toBeGreaterThan(FIRST_RETRY_MS);
    expect(high).toBeLessThanOrEqual(66_000);
  });
  it('never retries sooner than Retry-After', () => {
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 1, error: err('rate-limited', 600_000), random: fixed(0.5) })).toBe(600_000);
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 1, error: err('rate-limited', 7_500), random: fixed(0) })).toBe(60_000);
  });
  it('ignores an absurd Retry-After beyond a day', () => {
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 1, error: err('server', 30 * 24 * HOUR_MS), random: fixed(0) })).toBe(MAX_RETRY_AFTER_MS);
  });
  it('treats a failure with no recorded error as transient', () => {
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 3, random: fixed(0) })).toBe(240_000);
  });
});

describe('nextPollDelay after permanent failures', () => {
  const at = (n: number, kind: ErrorKind = 'auth', intervalMs = FIVE_MIN) =>
    nextPollDelay({ intervalMs, consecutiveFailures: n, error: err(kind), random: fixed(0) });

  it('waits at least the normal interval and doubles per failure', () => {
    expect([1, 2, 3, 4].map((n) => at(n))).toEqual([300_000, 600_000, 1_200_000, 2_400_000]);
  });
  it('caps at an hour', () => {
    expect(at(5)).toBe(HOUR_MS);
    expect(at(99)).toBe(HOUR_MS);
  });
  it('keeps a longer interval as it is', () => {
    expect(at(3, 'forbidden', 2 * HOUR_MS)).toBe(2 * HOUR_MS);
  });
  it('treats every permanent kind alike and never retries fast', () => {
    for (const kind of ['auth', 'forbidden', 'config', 'not-found', 'provider'] as const) {
      expect(at(1, kind)).toBe(FIVE_MIN);
      expect(at(1, kind)).toBeGreaterThan(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 1, error: err('server'), random: fixed(0) }));
    }
  });
  it('still honours a Retry-After that is further out', () => {
    expect(nextPollDelay({ intervalMs: FIVE_MIN, consecutiveFailures: 1, error: err('provider', 900_000), random: fixed(0) })).toBe(900_000);
  });
});

describe('startDelay', () => {
  it('spreads first polls over the start window', () => {
    expect(startDelay(fixed(0))).toBe(0);
    expect(startDelay(fixed(0.5))).toBe(START_STAGGER_MS / 2);
    expect(startDelay(fixed(0.9999))).toBeLessThanOrEqual(START_STAGGER_MS);
  });
});

describe('isStale', () => {
  const now = 10_000_000;
  it('is fresh within three intervals of the last success', () => {
    expect(isStale(now - 3 * 60_000, 60_000, now, 0)).toBe(false);
    expect(isStale(now - 3 * 60_000 - 1, 60_000, now, 0)).toBe(true);
  });
  it('counts from `since` when there was never a success', () => {
    expect(isStale(null, 60_000, now, now - 180_000)).toBe(false);
    expect(isStale(null, 60_000, now, now - 180_001)).toBe(true);
  });
  it('prefers the last success over `since`', () => {
    expect(isStale(now - 1000, 60_000, now, 0)).toBe(false);
  });
});
