// formatNumber writes numbers as en-US does without Intl (which loads ICU's data into the serve process): checked
// against Intl itself over a fixed set of awkward values and a seeded spread of ordinary ones.
import { describe, expect, it } from 'vitest';
import { formatMoney, formatNumber } from '../../shared/money.ts';
import { seeded as rng } from '../../electron/core/providers/fakes/report.ts';

const AWKWARD = [0, -0, 1, -1, 0.5, 1.005, 2.675, 999.9995, 999_999.99995, 1e21, 1.5e-7, 123_456_789.123456, -0.0001, 0.00005, 9.99995, 0.1 + 0.2, 1 / 3, 5e-324, Number.MAX_SAFE_INTEGER];
const DIGITS: [number, number][] = [[0, 0], [0, 2], [0, 3], [2, 4], [4, 4], [6, 6]];

describe('formatNumber', () => {
  it('matches Intl en-US on awkward values (rounding half away from zero on the shortest decimal, carries, grouping, signs)', () => {
    for (const v of AWKWARD) for (const [min, max] of DIGITS) {
      expect(formatNumber(v, min, max), `${v} (${min}–${max})`).toBe(v.toLocaleString('en-US', { minimumFractionDigits: min, maximumFractionDigits: max }));
    }
  });

  it('matches Intl en-US on 20,000 seeded values of every size', () => {
    const r = rng(42);
    const intl = DIGITS.map(([min, max]) => new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max }));
    const misses: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = (r() < 0.5 ? -1 : 1) * Math.round(r() * 10 ** Math.floor(r() * 14)) / 10 ** Math.floor(r() * 8);
      for (const [k, [min, max]] of DIGITS.entries()) {
        const want = intl[k]!.format(v);
        if (formatNumber(v, min, max) !== want) misses.push(`${v} ${min}–${max}: ${formatNumber(v, min, max)} vs ${want}`);
      }
    }
    expect(misses.slice(0, 5)).toEqual([]);
  });

  it('defaults to toLocaleString()’s up-to-three decimals', () => {
    expect(formatNumber(1234567.89123)).toBe('1,234,567.891');
    expect(formatNumber(20)).toBe('20');
  });

  it('is what formatMoney writes', () => {
    expect(formatMoney({ micros: 1_234_567_891, currency: 'USD' })).toBe('$1,234.5679');
    expect(formatMoney({ micros: -5_000_000, currency: 'USD' })).toBe('-$5.00');
    expect(formatMoney({ micros: 110_000_000, currency: 'CNY' })).toBe('¥110.00');
    expect(formatMoney({ micros: 1_234_500_000, currency: 'CHF' })).toBe('1,234.50 CHF');
    expect(formatMoney({ micros: 1_234_567_000_000, currency: 'TOKENS' })).toBe('1,234,567 tokens');
  });
});

describe('the machine time zone without Intl', async () => {
  const { zoneOfMachine } = await import('../../electron/core/store/tz.ts');
  const none = () => null;
  it('reads $TZ, then the /etc/localtime link, and falls back to Intl', () => {
    expect(zoneOfMachine({ TZ: 'Europe/Berlin' }, none)).toBe('Europe/Berlin');
    expect(zoneOfMachine({ TZ: ':America/New_York' }, none)).toBe('America/New_York');
    expect(zoneOfMachine({ TZ: '' }, none)).toBe('UTC');
    expect(zoneOfMachine({ TZ: 'Etc/UTC' }, none)).toBe('UTC');
    expect(zoneOfMachine({}, () => '/usr/share/zoneinfo/Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(zoneOfMachine({}, () => '/var/db/timezone/zoneinfo/America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
    expect(zoneOfMachine({}, () => '../usr/share/zoneinfo/Etc/UTC')).toBe('UTC');
    const intl = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(zoneOfMachine({}, none)).toBe(intl);
    expect(zoneOfMachine({ TZ: 'EST5EDT,M3.2.0,M11.1.0' }, none)).toBe(intl);
    expect(zoneOfMachine({}, () => '/etc/some-file')).toBe(intl);
  });
});
