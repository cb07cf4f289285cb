import { afterEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, balanceSnap, setup, snap, usageBucket, usd, type Setup } from './helpers.ts';

const T0 = Date.UTC(2025, 2, 4, 12, 0); // Tuesday 2025-03-04 12:00 UTC
let s: Setup | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

describe('balance-below', () => {
  it('fires once per breach and re-arms only past the 10% margin', async () => {
    s = await setup([{ type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' }], { t0: T0 });
    const poll = (b: number) => s!.poll(balanceSnap('gw', s!.clock.advance(5 * 60_000), b)).length;
    expect(poll(6)).toBe(0);
    const fired = s.poll(balanceSnap('gw', s.clock.advance(1), 4.2));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ kind: 'fired', accountId: 'gw', value: 4_200_000, threshold: 5_000_000, severity: 'critical', title: 'gw: balance $4.20' });
    expect(poll(4.1)).toBe(0);
    // Drifting up in steps smaller than a top-up, to 5.40: above the threshold but inside the margin (5.50).
    expect([4.5, 4.9, 5.2, 5.4, 4.9].map(poll)).toEqual([0, 0, 0, 0, 0]);
    // Past the margin: re-armed, so the next drop is a new breach.
    expect([5.3, 5.6, 4.0, 3.9].map(poll)).toEqual([0, 0, 1, 0]);
    await s.engine.idle();
    expect(s.notifier.shown.map((n) => n.title)).toEqual(['gw: balance $4.20', 'gw: balance $4.00']);
  });

  it('a top-up re-arms: a balance still under the threshold after it is a new breach', async () => {
    s = await setup([{ type: 'balance-below', account: 'gw', amount: 5, currency: 'USD', margin: 50 }], { t0: T0 });
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 2))).toHaveLength(1);
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 1.5))).toHaveLength(0);
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 4.5))).toHaveLength(1);
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 4.4))).toHaveLength(0);
  });

  it('a currency-wide rule sums every account of that currency', async () => {
    s = await setup([{ type: 'balance-below', currency: 'USD', amount: 5 }], { t0: T0 });
    expect(s.poll(balanceSnap('gw', s.clock.advance(1), 6))).toHaveLength(0);
    expect(s.poll(balanceSnap('ds', s.clock.advance(1), 1, 'CNY'))).toHaveLength(0);
    expect(s.poll(balanceSnap('or', s.clock.advance(1), 1.5))).toHaveLength(0);
    const fired = s.poll(balanceSnap('gw', s.clock.advance(1), 3));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ subject: 'currency:USD', value: 4_500_000 });
    expect(fired[0]!.accountId).toBeUndefined();
  });
});

describe('runway-below', () => {
  it('divides the balance by the last 7 days of drops, ignoring top-ups', async () => {
    s = await setup([{ type: 'runway-below', account: 'gw', days: 3 }], { t0: T0 });
    // $5 per 8 h, with a $50 top-up in the middle that must not count as negative spend.
    const fires: number[][] = [];
    for (const b of [100, 95, 90, 140, 135, 130, 110, 80, 50]) fires.push(s.poll(balanceSnap('gw', s.clock.advance(8 * HOUR), b)).map((e) => e.value));
    // At 110: drops 5+5+5+5+20 = $40 over 48 h = $20/day → 5.5 days. At 80: $70 over 56 h = $30/day → 2.67 days.
    expect(fires.map((f) => f.length)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(fires[7]![0]).toBeCloseTo(80 / 30, 6);
    expect(s.engine.history()[0]!.title).toBe('gw: about 2.6 days of credit left');
  });

  it('stays silent with too little history to know a burn rate', async () => {
    s = await setup([{ type: 'runway-below', account: 'gw', days: 3 }], { t0: T0 });
    s.poll(balanceSnap('gw', s.clock.advance(HOUR), 10));
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 1))).toHaveLength(0);
  });
});

describe('spend-above', () => {
  it('uses the provider spent window when present, once per day', async () => {
    s = await setup([{ type: 'spend-above', account: 'gw', window: 'today', amount: 10, currency: 'USD' }], { t0: T0 });
    expect(s.poll(snap('gw', s.clock.advance(HOUR), { spent: { today: usd(9) } }))).toHaveLength(0);
    const fired = s.poll(snap('gw', s.clock.advance(HOUR), { spent: { today: usd(12) } }));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ window: '2025-03-04', value: 12_000_000, title: 'gw: spent $12.00 today' });
    expect(s.poll(snap('gw', s.clock.advance(HOUR), { spent: { today: usd(15) } }))).toHaveLength(0);
    s.clock.t = Date.UTC(2025, 2, 5, 9);
    expect(s.poll(snap('gw', s.clock.t, { spent: { today: usd(11) } }))[0]?.window).toBe('2025-03-05');
  });

  it('sums stored cost buckets when the provider has no window figure', async () => {
    s = await setup([{ type: 'spend-above', account: 'gw', window: 'month', amount: 20, currency: 'USD' }], { t0: T0 });
    const usage = [
      usageBucket(Date.UTC(2025, 1, 28, 10), { cost: usd(50) }), // last month: not counted
      usageBucket(Date.UTC(2025, 2, 1, 10), { cost: usd(8) }),
      usageBucket(Date.UTC(2025, 2, 3, 10), { cost: usd(8) }),
      usageBucket(Date.UTC(2025, 2, 3, 11), { cost: { micros: 9e6, currency: 'CNY' } }), // other currency
    ];
    expect(s.poll(snap('gw', s.clock.advance(1), { usage }))).toHaveLength(0);
    const fired = s.poll(snap('gw', s.clock.advance(HOUR), { usage: [usageBucket(Date.UTC(2025, 2, 4, 12), { cost: usd(5) })] }));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ window: '2025-03', value: 21_000_000 });
  });
});

describe('quota-used', () => {
  const quota = (usedPct: number) => ({ limit: usd(100), used: usd(usedPct), remaining: usd(100 - usedPct), resets: 'monthly' as const });

  it('fires each level once per quota window, the highest when several are crossed at once', async () => {
    s = await setup([{ type: 'quota-used', account: 'gw', levels: [50, 80, 95] }], { t0: T0 });
    expect(s.poll(snap('gw', s.clock.advance(HOUR), { quota: quota(40) }))).toHaveLength(0);
    expect(s.poll(snap('gw', s.clock.advance(HOUR), { quota: quota(55) })).map((e) => e.threshold)).toEqual([50]);
    expect(s.poll(snap('gw', s.clock.advance(HOUR), { quota: quota(60) }))).toHaveLength(0);
    const jump = s.poll(snap('gw', s.clock.advance(HOUR), { quota: quota(97) }));
    expect(jump.map((e) => [e.threshold, e.severity])).toEqual([[95, 'critical']]);
    expect(s.poll(snap('gw', s.clock.advance(HOUR), { quota: quota(99) }))).toHaveLength(0);
    // The quota resets with the month: the levels fire again in the new window.
    s.clock.t = Date.UTC(2025, 3, 2, 12);
    const april = s.poll(snap('gw', s.clock.t, { quota: quota(51) }));
    expect(april.map((e) => [e.threshold, e.window])).toEqual([[50, '2025-04']]);
  });

  it('keeps its hysteresis margin: dipping just under a level does not re-arm it', async () => {
    s = await setup([{ type: 'quota-used', account: 'gw', levels: [80], margin: 10 }], { t0: T0 });
    const poll = (pct: number) => s!.poll(snap('gw', s!.clock.advance(HOUR), { quota: quota(pct) })).length;
    expect(poll(81)).toBe(1);
    // A refund takes it to 75 %: under 80, but not under 72 (80 − 10 %), so jitter around the level stays quiet.
    expect([75, 82, 79, 85].map(poll)).toEqual([0, 0, 0, 0]);
    // Past the margin it re-arms, and the next crossing is news again.
    expect([71, 83].map(poll)).toEqual([0, 1]);
  });
});

describe('above() and below()', () => {
  it('recover only past the margin, for both directions', async () => {
    const { above, below } = await import('../../../electron/core/alerts/check.ts');
    expect(above(100, 100, 10)).toEqual({ breached: false, recovered: false });
    expect(above(100, 100, 10, true)).toMatchObject({ breached: true });
    expect(above(95, 100, 10).recovered).toBe(false);
    expect(above(90.5, 100, 10).recovered).toBe(false);
    expect(above(89.9, 100, 10).recovered).toBe(true);
    expect(above(99, 100, 0).recovered).toBe(true);
    expect(below(105, 100, 10).recovered).toBe(false);
    expect(below(110, 100, 10).recovered).toBe(true);
  });
});

describe('token-budget', () => {
  it('fires at the percentage of the monthly budget, counting this month only', async () => {
    s = await setup([{ type: 'token-budget', account: 'gw', tokens: 1_000_000, percent: 80 }], { t0: T0 });
    const tok = (start: number, n: number) => usageBucket(start, { inputTokens: n / 2, outputTokens: n / 2 });
    expect(s.poll(snap('gw', s.clock.advance(1), { usage: [tok(Date.UTC(2025, 1, 27), 900_000), tok(Date.UTC(2025, 2, 2), 700_000)] }))).toHaveLength(0);
    const fired = s.poll(snap('gw', s.clock.advance(HOUR), { usage: [tok(Date.UTC(2025, 2, 4, 12), 100_000)] }));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ value: 800_000, threshold: 800_000, window: '2025-03', unit: { kind: 'tokens' } });
    expect(fired[0]!.body).toContain('80% of your monthly budget of 1,000,000 tokens');
  });
});

describe('spike', () => {
  const weeks = (hour: number, costs: number[]) => costs.map((c, i) => usageBucket(hour - (i + 1) * 7 * DAY, { cost: usd(c), requests: c * 10 }));
  const thisHour = Date.UTC(2025, 2, 4, 12);

  it('compares with the median of the same hour over the previous four weeks', async () => {
    s = await setup([{ type: 'spike', account: 'gw', metric: 'cost', window: 'hour', factor: 3, minimum: 2, currency: 'USD' }], { t0: thisHour + 20 * 60_000 });
    s.poll(snap('gw', s.clock.t, { usage: weeks(thisHour, [1, 2, 1, 9]) })); // median 1.5 → alert above $4.50
    expect(s.poll(snap('gw', s.clock.advance(60_000), { usage: [usageBucket(thisHour, { cost: usd(4) })] }))).toHaveLength(0);
    const fired = s.poll(snap('gw', s.clock.advance(60_000), { usage: [usageBucket(thisHour, { cost: usd(5) })] }));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ value: 5_000_000, threshold: 4_500_000, window: '2025-03-04T12' });
    expect(fired[0]!.body).toContain('3.3× the usual $1.50');
    expect(s.poll(snap('gw', s.clock.advance(60_000), { usage: [usageBucket(thisHour, { cost: usd(8) })] }))).toHaveLength(0);
  });

  it('respects the minimum and needs enough earlier weeks', async () => {
    s = await setup(
      [
        { type: 'spike', account: 'gw', metric: 'requests', window: 'hour', factor: 2, minimum: 100 },
        { type: 'spike', account: 'or', metric: 'requests', window: 'hour', factor: 2, minimum: 1 },
      ],
      { t0: thisHour + 60_000 },
    );
    s.poll(snap('gw', s.clock.t, { usage: [...weeks(thisHour, [1, 1, 1, 1]), usageBucket(thisHour, { requests: 50 })] }));
    expect(s.engine.history()).toHaveLength(0); // 50 requests is 5× the usual 10, but under the minimum of 100
    // Only one earlier week of data: no baseline yet.
    s.poll(snap('or', s.clock.advance(1), { usage: [...weeks(thisHour, [1]), usageBucket(thisHour, { requests: 500 })] }));
    expect(s.engine.history()).toHaveLength(0);
    s.poll(snap('gw', s.clock.advance(1), { usage: [usageBucket(thisHour, { requests: 150 })] }));
    expect(s.engine.history().map((e) => [e.accountId, e.value])).toEqual([['gw', 150]]);
  });
});

describe('provider-failing', () => {
  it('fires after N minutes without fresh figures, once, then reports recovery', async () => {
    s = await setup([{ type: 'provider-failing', account: 'gw', minutes: 30 }], { t0: T0 });
    const fail = () => snap('gw', s!.clock.t, { ok: false, error: { kind: 'server', message: 'gw.example had a server error (502).' } });
    expect(s.poll(balanceSnap('gw', s.clock.t, 10))).toHaveLength(0);
    s.clock.advance(10 * 60_000);
    expect(s.poll(fail())).toHaveLength(0);
    s.clock.advance(21 * 60_000);
    const fired = s.poll(fail());
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ kind: 'fired', value: 31, body: 'gw.example had a server error (502).' });
    s.clock.advance(10 * 60_000);
    expect(s.poll(fail())).toHaveLength(0);
    s.clock.advance(5 * 60_000);
    const back = s.poll(balanceSnap('gw', s.clock.t, 10));
    expect(back.map((e) => [e.kind, e.severity, e.title])).toEqual([['recovered', 'info', 'gw: working again']]);
    expect(s.poll(balanceSnap('gw', s.clock.advance(60_000), 10))).toHaveLength(0);
  });

  it('counts staleness as failing, also from the periodic evaluation', async () => {
    s = await setup([{ type: 'provider-failing', account: 'gw', minutes: 30 }], { t0: T0 });
    const ok = balanceSnap('gw', s.clock.t, 10);
    s.poll(ok);
    s.clock.advance(45 * 60_000);
    const fired = s.engine.evaluate([{ accountId: 'gw', latest: ok, lastSuccess: ok, stale: true, polling: false, paused: false, nextPollAt: null, consecutiveFailures: 0 }]);
    expect(fired.map((e) => e.value)).toEqual([45]);
  });
});
