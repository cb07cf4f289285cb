// The alert engine's clock: it wakes only when a rule or held alerts need it, on one unref'd timer set for the next
// due time; with no such rule an idle process has no alert timer at all.
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateRules, type AlertRule } from '../../../shared/alerts.ts';
import { AlertEngine } from '../../../electron/core/alerts/index.ts';
import type { AlertHistory } from '../../../electron/core/alerts/history.ts';
import { nextWake, quietHoursEnd } from '../../../electron/core/alerts/wake.ts';
import { balanceSnap, statusOf } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 30, 15);
const noHistory: AlertHistory = { snapshots: () => [], usage: () => [], dataSince: () => null };

function rules(raw: unknown[]): AlertRule[] {
  const { rules: valid, errors } = validateRules(raw, { accountIds: ['oa'] });
  expect(errors).toEqual([]);
  return valid;
}

const base = { quietHours: null, held: false, zone: 'UTC', now: NOW, everyMs: 60_000 };

describe('nextWake', () => {
  it('is never for rules that change only with new figures', () => {
    const r = rules([
      { type: 'balance-below', account: 'oa', amount: 5, currency: 'USD' },
      { type: 'quota-used', account: 'oa', levels: [80] },
      { type: 'ratelimit-headroom', account: 'oa', percent: 20 },
    ]);
    expect(nextWake({ ...base, rules: r })).toBeNull();
    expect(nextWake({ ...base, rules: [] })).toBeNull();
  });

  it('is the tick for rules that need the clock, unless they are disabled', () => {
    expect(nextWake({ ...base, rules: rules([{ type: 'provider-failing', account: 'oa', minutes: 30 }]) })).toBe(NOW + 60_000);
    expect(nextWake({ ...base, rules: rules([{ type: 'rate-limited', account: 'oa', count: 3, minutes: 10 }]) })).toBe(NOW + 60_000);
    expect(nextWake({ ...base, rules: rules([{ type: 'provider-failing', account: 'oa', minutes: 30, enabled: false }]) })).toBeNull();
  });

  it("is a spend window's end in the user's zone", () => {
    const today = rules([{ type: 'spend-above', account: 'oa', window: 'today', amount: 5, currency: 'USD' }]);
    expect(nextWake({ ...base, rules: today })).toBe(Date.UTC(2026, 10, 24));
    // Midnight in Tokyo is 15:00 UTC.
    expect(nextWake({ ...base, rules: today, zone: 'Asia/Tokyo' })).toBe(Date.UTC(2026, 10, 23, 15));
    const month = rules([{ type: 'spend-above', account: 'oa', window: 'month', amount: 5, currency: 'USD' }]);
    expect(nextWake({ ...base, rules: [...month, ...today] })).toBe(Date.UTC(2026, 10, 24));
  });

  it('is the end of quiet hours only while alerts are held', () => {
    const quietHours = { start: '22:00', end: '13:00' };
    expect(nextWake({ ...base, rules: [], quietHours })).toBeNull();
    expect(nextWake({ ...base, rules: [], quietHours, held: true })).toBe(Date.UTC(2026, 10, 23, 13));
    expect(quietHoursEnd({ start: '22:00', end: '07:00', timeZone: 'UTC' }, Date.UTC(2026, 10, 23, 23, 10), 'UTC')).toBe(Date.UTC(2026, 10, 24, 7));
    expect(quietHoursEnd({ start: '22:00', end: '07:00' }, NOW, 'UTC')).toBe(NOW);
  });
});

describe('the alert engine on an idle process', () => {
  afterEach(() => vi.useRealTimers());

  function engine(raw: unknown[], opts: { quietHours?: { start: string; end: string } } = {}) {
    vi.useFakeTimers({ now: NOW });
    const statuses = vi.fn(() => [statusOf(balanceSnap('oa', NOW, 5))]);
    const e = new AlertEngine({ db: new DatabaseSync(':memory:'), history: noHistory, rules: rules(raw), channels: [], quietHours: opts.quietHours ?? null, statuses, timeZone: 'UTC' });
    return { e, statuses };
  }

  it('arms no timer when no rule needs the clock', async () => {
    const { e, statuses } = engine([{ type: 'balance-below', account: 'oa', amount: 1, currency: 'USD' }]);
    expect(vi.getTimerCount()).toBe(0);
    e.onSnapshot(balanceSnap('oa', NOW, 5), [statusOf(balanceSnap('oa', NOW, 5))]);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(statuses).not.toHaveBeenCalled();
    await e.close();
  });

  it('wakes every tick while a provider-failing rule exists, and stops when it goes', async () => {
    const { e, statuses } = engine([{ type: 'provider-failing', account: 'oa', minutes: 30 }]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(statuses).toHaveBeenCalledTimes(5);
    e.setRules([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(statuses.mock.calls.length).toBeLessThanOrEqual(6);
    await e.close();
  });

  it('wakes once at the end of the day for a daily spend rule, not every minute', async () => {
    const { e, statuses } = engine([{ type: 'spend-above', account: 'oa', window: 'today', amount: 500, currency: 'USD' }]);
    await vi.advanceTimersByTimeAsync(Date.UTC(2026, 10, 24) - NOW - 1_000);
    expect(statuses).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(statuses).toHaveBeenCalledTimes(1);
    // And re-arms for the next midnight.
    expect(vi.getTimerCount()).toBe(1);
    await e.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
