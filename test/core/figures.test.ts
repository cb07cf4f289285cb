// The arithmetic of the core's figures: burn rate and runway (top-ups excluded, the window they rest on), the pace
// of spend and the forecast to month end, including the month's first hour and a DST month.
import { afterEach, describe, expect, it } from 'vitest';
import { accountRunway, burnRate, runwayDays, RUNWAY_WINDOW_MS } from '../../electron/core/figures/runway.ts';
import { forecastMonthEnd, monthSpend, paceOf, paceWindow } from '../../electron/core/figures/forecast.ts';
import { describeRunway, formatDays } from '../../shared/figures.ts';
import type { Series } from '../../shared/domain.ts';
import { DAY, HOUR, balanceSnap, setup, snap, usageBucket, usd, type Setup } from './alerts/helpers.ts';

const M = 1_000_000;
const T = Date.UTC(2026, 2, 18, 12); // Wednesday 2026-03-18 12:00 UTC

describe('burn rate and runway', () => {
  it('sums the drops over the span they cover and skips top-ups', () => {
    // $10 a day for three days, with a $100 top-up on the second day.
    const points = [
      { time: T - 3 * DAY, micros: 50 * M },
      { time: T - 2 * DAY, micros: 40 * M },
      { time: T - 2 * DAY + HOUR, micros: 140 * M },
      { time: T - DAY, micros: 130.4166 * M },
      { time: T, micros: 120.4166 * M },
    ];
    const burn = burnRate(points, T)!;
    expect(burn.basisMs).toBe(3 * DAY);
    expect(burn.perDayMicros).toBeCloseTo(((10 + 9.5834 + 10) * M) / 3, 0);
    expect(runwayDays(120 * M, 10 * M)).toBe(12);
    expect(runwayDays(-5, 10 * M)).toBe(0);
  });

  it('uses only the window, and says nothing on too little history or no spend', () => {
    const old = { time: T - 10 * DAY, micros: 500 * M };
    const week = [old, { time: T - 7 * DAY, micros: 70 * M }, { time: T, micros: 0 }];
    expect(burnRate(week, T)!.perDayMicros).toBeCloseTo(10 * M, 0);
    expect(burnRate([{ time: T - HOUR, micros: 10 * M }, { time: T, micros: 9 * M }], T)).toBeNull();
    expect(burnRate([{ time: T - DAY, micros: 10 * M }, { time: T, micros: 12 * M }], T)).toBeNull();
  });

  it('an account runway is in its main balance currency and names the window it used', () => {
    const history = [0, 1, 2, 3].map((d) => balanceSnap('gw', T - (3 - d) * DAY, 40 - d * 2));
    const r = accountRunway(history[3]!, history, T)!;
    expect(r).toMatchObject({ balance: usd(34), burnPerDay: usd(2), windowMs: RUNWAY_WINDOW_MS, basisMs: 3 * DAY, at: T });
    expect(r.days).toBeCloseTo(17, 6);
    expect(describeRunway(r)).toBe("≈ 17 days at the last 3 days' burn ($2.00/day)");
    expect(accountRunway(snap('gw', T), history, T)).toBeNull();
    expect(formatDays(6.27)).toBe('6.2 days');
    expect(formatDays(400)).toBe('over a year');
  });
});

describe('pace and forecast', () => {
  const daily = (currency: string, from: number, days: number, micros: number): Series => ({
    group: 'all',
    currency,
    points: Array.from({ length: days }, (_, i) => ({ t: from + i * DAY, v: micros })),
  });

  it('the pace is the last 7 whole days plus today so far, over that time', () => {
    const w = paceWindow('UTC', T);
    expect(w.from).toBe(Date.UTC(2026, 2, 11));
    const pace = paceOf([daily('USD', w.from, 8, 3 * M)], 'USD', w.from, T)!;
    expect(pace.basisMs).toBe(7.5 * DAY);
    expect(pace.perDayMicros).toBeCloseTo((24 * M) / 7.5, 0);
    // Only since the data began, for a new account; other currencies never mix in.
    const young = paceOf([daily('USD', T - 2 * DAY, 3, 3 * M), daily('CNY', w.from, 8, 100 * M)], 'USD', w.from, T)!;
    expect(young.basisMs).toBe(2 * DAY);
    expect(paceOf([daily('USD', T - HOUR, 1, M)], 'USD', w.from, T)).toBeNull();
  });

  it('forecasts month to date plus the pace over the rest of the month', () => {
    const end = Date.UTC(2026, 3, 1);
    expect(forecastMonthEnd(50 * M, 4 * M, T, end)).toBe(50 * M + 4 * M * 13.5);
    expect(forecastMonthEnd(50 * M, null, T, end)).toBe(50 * M);
    expect(forecastMonthEnd(50 * M, 4 * M, end + HOUR, end)).toBe(50 * M);
  });

  it('on the 1st just after midnight: month to date is today, the forecast a whole month at the pace', () => {
    const now = Date.UTC(2026, 3, 1, 0, 30);
    const w = paceWindow('UTC', now);
    const spentToday = balanceSnap('gw', now, 10);
    spentToday.spent = { today: usd(0.2), month: usd(0.2) };
    const [usdMonth] = monthSpend({ snapshots: [spentToday], cost: [daily('USD', w.from, 8, 2 * M)], budgets: [usd(50)], now, timeZone: 'UTC' });
    expect(usdMonth).toMatchObject({ currency: 'USD', monthToDate: usd(0.2), budget: usd(50), monthStart: Date.UTC(2026, 3, 1), monthEnd: Date.UTC(2026, 4, 1) });
    const pace = usdMonth!.pacePerDay!.micros;
    // The pace is rounded to the micro-unit when served; the forecast is computed before rounding.
    expect(Math.abs(usdMonth!.forecast.micros - (0.2 * M + (pace * (30 * DAY - 30 * 60_000)) / DAY))).toBeLessThan(20);
  });

  it('month windows follow the zone, across a DST change', () => {
    const now = Date.parse('2026-03-31T22:30:00Z'); // 00:30 on April 1st in Berlin (CEST)
    const [m] = monthSpend({ snapshots: [], cost: [], budgets: [{ micros: M, currency: 'EUR' }], now, timeZone: 'Europe/Berlin' });
    expect(m!.monthStart).toBe(Date.parse('2026-03-31T22:00:00Z'));
    expect(m!.monthEnd).toBe(Date.parse('2026-04-30T22:00:00Z'));
    expect(m!.forecast.micros).toBe(0);
  });
});

describe('budget-pace alert', () => {
  let s: Setup | undefined;
  afterEach(async () => {
    await s?.cleanup();
    s = undefined;
  });

  it('fires once a month when the forecast passes the budget, and not without a budget', async () => {
    s = await setup([{ type: 'budget-pace', currency: 'USD' }], { t0: T, budgets: [usd(100)] });
    // $5 a day for the last 8 days: month to date $90 on the 18th, forecast $90 + 13.5 × ~$5.3 > $100.
    for (let d = 8; d >= 1; d--) s.store.save(snap('gw', T - d * DAY, { usage: [usageBucket(T - d * DAY, { cost: usd(5), width: 'day' })] }));
    const month = balanceSnap('gw', s.clock.advance(1), 20);
    month.spent = { month: usd(90) };
    const fired = s.poll(month);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.title).toMatch(/^On pace to spend \$1\d\d\.\d\d this month$/);
    expect(fired[0]!.body).toContain('your monthly USD budget is $100.00');
    const again = balanceSnap('gw', s.clock.advance(HOUR), 19);
    again.spent = { month: usd(91) };
    expect(s.poll(again)).toHaveLength(0);
  });

  it('is silent when no budget is set for the currency', async () => {
    s = await setup([{ type: 'budget-pace', currency: 'USD' }], { t0: T, budgets: [{ micros: 100 * M, currency: 'CNY' }] });
    const month = balanceSnap('gw', s.clock.advance(1), 20);
    month.spent = { month: usd(900) };
    expect(s.poll(month)).toHaveLength(0);
  });
});

describe('image generations', () => {
  it('are counted per account, a revised day replacing its earlier count', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const { ImageCounts } = await import('../../electron/core/store/images.ts');
    const db = new DatabaseSync(':memory:');
    const images = new ImageCounts(db);
    const day = Date.UTC(2026, 2, 18);
    images.save('sc', [usageBucket(day, { width: 'day', images: 4 }), usageBucket(day - DAY, { width: 'day', images: 2 }), usageBucket(day, { model: 'chat' })]);
    images.save('sc', [usageBucket(day, { width: 'day', images: 6 })]);
    expect(images.totals(day, day + DAY)).toEqual(new Map([['sc', 6]]));
    expect(images.totals(day - DAY, day + DAY)).toEqual(new Map([['sc', 8]]));
    // Opening the same database again keeps the table and its rows.
    expect(new ImageCounts(db).totals(0, day + DAY).get('sc')).toBe(8);
    images.deleteAccount('sc');
    expect(images.totals(0, day + DAY).size).toBe(0);
  });
});
