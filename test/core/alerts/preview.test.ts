import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateRules, type AlertRule } from '../../../shared/alerts.ts';
import { historyFromStore } from '../../../electron/core/alerts/history.ts';
import { previewRule } from '../../../electron/core/alerts/preview.ts';
import { DAY, HOUR, TestStore, balanceSnap, snap, tempDir, usageBucket, usd } from './helpers.ts';

const NOW = Date.UTC(2025, 2, 31, 12);
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function store(): TestStore {
  const tmp = tempDir();
  const st = new TestStore(join(tmp.dir, 'spendbar.db'));
  cleanup = () => {
    st.close();
    tmp.cleanup();
  };
  return st;
}

function rule(raw: Record<string, unknown>): AlertRule {
  const { rules, errors } = validateRules([raw], { accountIds: ['gw', 'or'] });
  expect(errors).toEqual([]);
  return rules[0]!;
}

describe('previewRule', () => {
  it('counts the breaches stored history would have fired, with hysteresis', () => {
    const st = store();
    // Every 6 h for 40 days: $10, with three dips under $5 in the last 30 days (one of them a wobble that stays
    // inside the margin and must count once) and one older dip outside the window.
    const dips = new Map<number, number[]>([[35, [4]], [25, [4.5]], [14, [3, 3.3, 2.9]], [3, [2]]]);
    for (let d = 40; d >= 0; d--) {
      const day = NOW - d * DAY;
      const values = dips.get(d) ?? [10];
      values.forEach((v, i) => st.save(balanceSnap('gw', day + i * 6 * HOUR - 12 * HOUR, v)));
      if (values[0] !== 10) st.save(balanceSnap('gw', day + 18 * HOUR - 12 * HOUR, 10));
    }
    const result = previewRule(rule({ type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' }), historyFromStore(st), {
      days: 30,
      now: NOW,
      timeZone: 'UTC',
      accountIds: ['gw', 'or'],
    });
    expect(result.fires).toBe(3);
    expect(result.times).toEqual([NOW - 25 * DAY - 12 * HOUR, NOW - 14 * DAY - 12 * HOUR, NOW - 3 * DAY - 12 * HOUR]);
    expect(result.from).toBe(NOW - 30 * DAY);
  });

  it('replays daily spend hour by hour in the user zone', () => {
    const st = store();
    // $1 an hour from 09:00 to 17:00 local (Shanghai) every day; $3 an hour on two days.
    const heavy = new Set([5, 12]);
    const usage = [];
    for (let d = 0; d < 30; d++) {
      const localMidnight = Date.UTC(2025, 2, 1 + d) - 8 * HOUR;
      for (let h = 9; h < 17; h++) usage.push(usageBucket(localMidnight + h * HOUR, { cost: usd(heavy.has(d) ? 3 : 1) }));
    }
    st.save(snap('gw', NOW - 40 * DAY, { usage }));
    const r = rule({ type: 'spend-above', account: 'gw', window: 'today', amount: 12, currency: 'USD' });
    const result = previewRule(r, historyFromStore(st), { now: NOW, timeZone: 'Asia/Shanghai', accountIds: ['gw'] });
    expect(result.fires).toBe(2);
    // $3/h passes $12 with the fifth hour, 13:00–14:00 local: known once it ends, at 14:00 local = 06:00 UTC.
    expect(result.times).toEqual([Date.UTC(2025, 2, 6, 6), Date.UTC(2025, 2, 13, 6)]);
  });
});
