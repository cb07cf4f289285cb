import { afterEach, describe, expect, it } from 'vitest';
import { inQuietHours, sameTimeWeeksBefore, startOfTomorrow, windowKey, windowStart } from '../../../electron/core/alerts/calendar.ts';
import { HOUR, setup, snap, usageBucket, usd, type Setup } from './helpers.ts';

let s: Setup | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

describe('calendar windows in the user zone', () => {
  it("'today' turns over at local midnight in Asia/Shanghai, not at UTC midnight", async () => {
    const rule = { type: 'spend-above', account: 'gw', window: 'today', amount: 3, currency: 'USD' };
    // 15:30 UTC = 23:30 in Shanghai on 2025-03-04.
    s = await setup([rule], { t0: Date.UTC(2025, 2, 4, 15, 30), zone: 'Asia/Shanghai' });
    const fired = s.poll(snap('gw', s.clock.t, { usage: [usageBucket(Date.UTC(2025, 2, 4, 1), { cost: usd(2) }), usageBucket(Date.UTC(2025, 2, 4, 15), { cost: usd(2) })] }));
    expect(fired.map((e) => [e.window, e.value])).toEqual([['2025-03-04', 4_000_000]]);
    // 16:30 UTC is 00:30 on the 5th locally: a new day and a new window, though UTC is still on the 4th.
    s.clock.t = Date.UTC(2025, 2, 4, 16, 30);
    expect(s.poll(snap('gw', s.clock.t, { usage: [usageBucket(Date.UTC(2025, 2, 4, 16), { cost: usd(2.5) })] }))).toHaveLength(0);
    const next = s.poll(snap('gw', s.clock.advance(60_000), { usage: [usageBucket(Date.UTC(2025, 2, 4, 16), { cost: usd(3.5) })] }));
    expect(next.map((e) => [e.window, e.value])).toEqual([['2025-03-05', 3_500_000]]);
  });

  it('handles the 23-hour DST day in America/New_York', async () => {
    const zone = 'America/New_York';
    // 2025-03-09: clocks jump from 02:00 EST to 03:00 EDT. The day starts 05:00 UTC and ends 04:00 UTC next day.
    const t = Date.UTC(2025, 2, 9, 20);
    expect(windowStart(zone, 'day', t)).toBe(Date.UTC(2025, 2, 9, 5));
    expect(windowKey(zone, 'day', Date.UTC(2025, 2, 10, 3, 59))).toBe('2025-03-09');
    expect(windowKey(zone, 'day', Date.UTC(2025, 2, 10, 4, 0))).toBe('2025-03-10');
    expect(startOfTomorrow(zone, t)).toBe(Date.UTC(2025, 2, 10, 4));
    // The same wall hour a week earlier is 7 days plus one hour of UTC time back.
    expect(sameTimeWeeksBefore(zone, Date.UTC(2025, 2, 10, 13), 1)).toBe(Date.UTC(2025, 2, 3, 14));

    const rule = { type: 'spend-above', account: 'gw', window: 'today', amount: 5, currency: 'USD' };
    s = await setup([rule], { t0: Date.UTC(2025, 2, 10, 3, 30), zone });
    const usage = [
      usageBucket(Date.UTC(2025, 2, 9, 4), { cost: usd(10) }), // 23:00 on the 8th: yesterday
      usageBucket(Date.UTC(2025, 2, 9, 5), { cost: usd(2) }), // 00:00 on the 9th
      usageBucket(Date.UTC(2025, 2, 10, 3), { cost: usd(2) }), // 23:00 on the 9th (EDT)
    ];
    expect(s.poll(snap('gw', s.clock.t, { usage }))).toHaveLength(0);
    const fired = s.poll(snap('gw', s.clock.advance(HOUR / 4), { usage: [usageBucket(Date.UTC(2025, 2, 10, 3), { cost: usd(3.5) })] }));
    expect(fired.map((e) => [e.window, e.value])).toEqual([['2025-03-09', 5_500_000]]);
  });

  it('quiet hours across midnight, in their own zone', () => {
    const q = { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' };
    expect(inQuietHours(q, Date.UTC(2025, 2, 4, 13, 59), 'UTC')).toBe(false); // 21:59
    expect(inQuietHours(q, Date.UTC(2025, 2, 4, 14, 0), 'UTC')).toBe(true); // 22:00
    expect(inQuietHours(q, Date.UTC(2025, 2, 4, 22, 59), 'UTC')).toBe(true); // 06:59
    expect(inQuietHours(q, Date.UTC(2025, 2, 4, 23, 0), 'UTC')).toBe(false); // 07:00
    expect(inQuietHours({ start: '12:00', end: '13:00' }, Date.UTC(2025, 2, 4, 12, 30), 'UTC')).toBe(true);
    expect(inQuietHours({ start: '12:00', end: '13:00' }, Date.UTC(2025, 2, 4, 12, 30), 'Asia/Shanghai')).toBe(false);
  });
});
