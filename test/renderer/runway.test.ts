import { describe, it, expect } from 'vitest';
import { basisLabel, computeRunway, DAY_MS, formatRunway, runwayProjection } from '../../renderer/lib/runway.ts';
import type { SeriesPoint } from '../../shared/domain.ts';

const HOUR = 3_600_000;
const now = Date.UTC(2025, 2, 10, 12);

/** Hourly balances from `startMicros`, burning `perDayMicros` a day, over `days` days up to now. */
function linear(startMicros: number, perDayMicros: number, days: number): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let t = now - days * DAY_MS; t <= now; t += HOUR) points.push({ t, v: Math.round(startMicros - (perDayMicros * (t - (now - days * DAY_MS))) / DAY_MS) });
  return points;
}

describe('computeRunway', () => {
  it('divides the latest balance by the average daily burn over the last 7 days', () => {
    // 10 USD a day for 7 days from 132 → 62 left → 6.2 days.
    const r = computeRunway(linear(132e6, 10e6, 7), { now });
    expect(r).not.toBeNull();
    expect(r!.burnPerDayMicros).toBeCloseTo(10e6, -1);
    expect(r!.days).toBeCloseTo(6.2, 5);
    expect(r!.from).toEqual({ t: now, v: 62e6 });
    expect(formatRunway(r!)).toBe("≈ 6.2 days at the last 7 days' burn");
  });

  it('ignores history older than the window', () => {
    // 30 days: a fast burn long ago, then 2/day for the last week.
    const old = linear(500e6, 40e6, 30).filter((p) => p.t < now - 7 * DAY_MS);
    const recent = linear(100e6, 2e6, 7);
    const r = computeRunway([...old, ...recent], { now });
    expect(r!.burnPerDayMicros).toBeCloseTo(2e6, -1);
    expect(r!.days).toBeCloseTo(43, 5);
  });

  it('does not count a top-up as negative spend', () => {
    const points = linear(50e6, 5e6, 7).map((p) => (p.t >= now - 3 * DAY_MS ? { ...p, v: p.v + 100e6 } : p));
    const r = computeRunway(points, { now });
    expect(r!.burnPerDayMicros).toBeGreaterThan(4.9e6);
    expect(r!.burnPerDayMicros).toBeLessThan(5.1e6);
    expect(r!.days).toBeCloseTo((15e6 + 100e6) / r!.burnPerDayMicros, 5);
  });

  it('gives no runway without spend, with one point, or with under an hour of history', () => {
    expect(computeRunway(linear(10e6, 0, 7), { now })).toBeNull();
    expect(computeRunway([{ t: now, v: 5e6 }], { now })).toBeNull();
    expect(computeRunway([{ t: now - 60_000, v: 6e6 }, { t: now, v: 5e6 }], { now })).toBeNull();
    expect(computeRunway([], { now })).toBeNull();
  });

  it('says the balance is used up when it is at or below zero', () => {
    const r = computeRunway(linear(7e6, 1e6, 7), { now });
    expect(r!.days).toBe(0);
    expect(formatRunway(r!)).toBe("Balance used up at the last 7 days' burn");
  });

  it('names a shorter basis when there is less than a week of history', () => {
    const r = computeRunway(linear(30e6, 12e6, 1.5), { now });
    expect(basisLabel(r!.basisMs)).toBe("36 hours'");
    expect(formatRunway(r!)).toMatch(/^≈ 1\.0 days at the last 36 hours' burn$/);
    expect(basisLabel(3 * DAY_MS)).toBe("3 days'");
  });
});

describe('runwayProjection', () => {
  it('draws from the latest balance down to zero at the runway', () => {
    const r = computeRunway(linear(132e6, 10e6, 7), { now })!;
    const line = runwayProjection(r);
    expect(line[0]).toEqual({ t: now, v: 62e6 });
    expect(line[1]!.t).toBeCloseTo(now + 6.2 * DAY_MS, -3);
    expect(line[1]!.v).toBe(0);
  });

  it('stops at the horizon for a slow burn', () => {
    const r = computeRunway(linear(1000e6, 1e6, 7), { now })!;
    const line = runwayProjection(r, 30 * DAY_MS);
    expect(line[1]!.t).toBe(now + 30 * DAY_MS);
    expect(line[1]!.v).toBeCloseTo(993e6 - 30e6, -2);
  });
});
