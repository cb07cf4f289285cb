// Rate-limit headers of the three families, as the providers document them.
import { describe, expect, it } from 'vitest';
import { lowestPercent, parseGoDuration, readRateLimit } from '../../../electron/core/proxy/ratelimit.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('parseGoDuration', () => {
  it.each([
    ['6m0s', 360_000],
    ['12ms', 12],
    ['2m59.56s', 179_560],
    ['1s', 1000],
    ['1h2m3s', 3_723_000],
    ['0s', 0],
    ['250us', 0.25],
  ])('%s = %d ms', (text, ms) => expect(parseGoDuration(text)).toBeCloseTo(ms, 6));

  it.each(['', '6 minutes', 'm', '1.5'])('refuses %j', (text) => expect(parseGoDuration(text)).toBeUndefined());
});

describe('readRateLimit', () => {
  it('OpenAI: x-ratelimit-*-requests/tokens with Go-duration resets', () => {
    const r = readRateLimit(
      {
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '499',
        'x-ratelimit-reset-requests': '120ms',
        'x-ratelimit-limit-tokens': '30000',
        'x-ratelimit-remaining-tokens': '29000',
        'x-ratelimit-reset-tokens': '6m0s',
      },
      200,
      NOW,
    );
    expect(r).toEqual({ requests: { limit: 500, remaining: 499, resetAt: NOW + 120 }, tokens: { limit: 30000, remaining: 29000, resetAt: NOW + 360_000 } });
  });

  it('Anthropic: requests, tokens, input and output tokens with RFC 3339 resets', () => {
    const r = readRateLimit(
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '3',
        'anthropic-ratelimit-requests-reset': '2026-11-23T12:00:30Z',
        'anthropic-ratelimit-input-tokens-limit': '40000',
        'anthropic-ratelimit-input-tokens-remaining': '39000',
        'anthropic-ratelimit-input-tokens-reset': '2026-11-23T12:01:00Z',
        'anthropic-ratelimit-output-tokens-limit': '8000',
        'anthropic-ratelimit-output-tokens-remaining': '8000',
        'anthropic-ratelimit-output-tokens-reset': '2026-11-23T12:01:00Z',
      },
      200,
      NOW,
    );
    expect(r?.requests).toEqual({ limit: 50, remaining: 3, resetAt: NOW + 30_000 });
    expect(r?.inputTokens).toEqual({ limit: 40000, remaining: 39000, resetAt: NOW + 60_000 });
    expect(r?.outputTokens?.remaining).toBe(8000);
    expect(lowestPercent(r!)).toBe(6);
  });

  it('gateways: X-RateLimit-*-RPM/TPM/RPD with epoch-second resets and "unlimited"', () => {
    const r = readRateLimit(
      {
        'x-ratelimit-limit-rpm': '60',
        'x-ratelimit-remaining-rpm': '15',
        'x-ratelimit-reset-rpm': String(NOW / 1000 + 45),
        'x-ratelimit-limit-tpm': 'unlimited',
        'x-ratelimit-remaining-tpm': 'unlimited',
        'x-ratelimit-limit-rpd': '1000',
        'x-ratelimit-remaining-rpd': '900',
        'x-ratelimit-reset-rpd': '3600',
      },
      200,
      NOW,
    );
    expect(r?.requests).toEqual({ limit: 60, remaining: 15, resetAt: NOW + 45_000 });
    // "unlimited" is kept as such (limit null): the view says so instead of showing nothing.
    expect(r?.tokens).toEqual({ limit: null, remaining: null, resetAt: null });
    expect(r?.requestsPerDay).toEqual({ limit: 1000, remaining: 900, resetAt: NOW + 3_600_000 });
    expect(lowestPercent(r!)).toBe(25);
  });

  it('a 429 keeps its retry-after; no rate-limit headers at all is null', () => {
    expect(readRateLimit({ 'retry-after': '20' }, 429, NOW)).toEqual({ retryAfterMs: 20_000 });
    expect(readRateLimit({ 'retry-after': '20' }, 200, NOW)).toBeNull();
    expect(readRateLimit({ 'content-type': 'application/json' }, 200, NOW)).toBeNull();
  });

  it('ignores garbage values instead of storing NaN', () => {
    expect(readRateLimit({ 'x-ratelimit-limit-requests': 'lots', 'x-ratelimit-remaining-requests': '-' }, 200, NOW)).toBeNull();
  });
});
