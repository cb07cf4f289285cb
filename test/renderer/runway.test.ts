import { describe, it, expect } from 'vitest';
import { runwayProjection } from '../../renderer/lib/runway.ts';
import type { Runway } from '../../shared/domain.ts';

const DAY = 86_400_000;
const now = Date.UTC(2025, 2, 10, 12);
const runway = (balance: number, perDay: number): Runway => ({
  balance: { micros: balance * 1e6, currency: 'USD' },
  at: now,
  burnPerDay: { micros: perDay * 1e6, currency: 'USD' },
  days: balance / perDay,
  windowMs: 7 * DAY,
  basisMs: 7 * DAY,
});

describe('runwayProjection', () => {
  it('draws the served runway from the latest balance to zero', () => {
    const line = runwayProjection(runway(62, 10));
    expect(line).toEqual([{ t: now, v: 62e6 }, { t: now + 6.2 * DAY, v: 0 }]);
  });

  it('cuts a slow burn at the horizon and keeps the burn rate', () => {
    const line = runwayProjection(runway(1000, 10), 30 * DAY);
    expect(line[1]).toEqual({ t: now + 30 * DAY, v: 700e6 });
  });

  it('a used-up balance has no line forward', () => {
    expect(runwayProjection({ ...runway(0, 10), days: 0 })).toHaveLength(1);
  });
});
