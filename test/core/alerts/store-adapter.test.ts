// The same rules over the real SnapshotStore through historyFromStore, as the core wires them.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateRules } from '../../../shared/alerts.ts';
import type { Snapshot } from '../../../shared/domain.ts';
import { AlertEngine, historyFromStore, previewRule } from '../../../electron/core/alerts/index.ts';
import { SnapshotStore } from '../../../electron/core/store/index.ts';
import { Clock, DAY, HOUR, balanceSnap, recordingNotifier, snap, statusOf, tempDir, usageBucket, usd } from './helpers.ts';

let done: (() => Promise<void>) | undefined;
afterEach(async () => done?.());

function open(raw: unknown[], t0: number, zone = 'UTC') {
  const tmp = tempDir();
  const store = SnapshotStore.open(join(tmp.dir, 'spendbar.db'), { timeZone: zone });
  const { rules } = validateRules(raw, { accountIds: ['gw'] });
  const clock = new Clock(t0);
  const engine = new AlertEngine({ db: store.db, history: historyFromStore(store), rules, notifier: recordingNotifier(), now: clock.now, timeZone: zone, tickMs: 0 });
  done = async () => {
    await engine.close();
    store.close();
    tmp.cleanup();
  };
  const poll = (s: Snapshot) => {
    store.saveSnapshot(s);
    return engine.onSnapshot(s, [statusOf(s)]);
  };
  return { store, engine, clock, poll, rules };
}

describe('alerts over the real SnapshotStore', () => {
  it('spend-above and spike read hourly cost from the store', async () => {
    const hour = Date.UTC(2025, 2, 4, 12);
    const { poll, clock } = open(
      [
        { type: 'spend-above', account: 'gw', window: 'today', amount: 4, currency: 'USD' },
        { type: 'spike', account: 'gw', metric: 'cost', window: 'hour', factor: 3, minimum: 1, currency: 'USD' },
      ],
      hour + 30 * 60_000,
    );
    const past = [1, 2, 4, 3].map((c, i) => usageBucket(hour - (i + 1) * 7 * DAY, { cost: usd(c) })); // median 2.5
    expect(poll(snap('gw', clock.t, { usage: [...past, usageBucket(hour - 2 * HOUR, { cost: usd(2) })] }))).toHaveLength(0);
    const fired = poll(snap('gw', clock.advance(60_000), { usage: [usageBucket(hour, { cost: usd(8) })] }));
    expect(fired.map((e) => [e.ruleType, e.value])).toEqual([
      ['spend-above', 10_000_000],
      ['spike', 8_000_000],
    ]);
  });

  it('runway and preview read balance snapshots from the store', () => {
    const t0 = Date.UTC(2025, 2, 1);
    const { store, rules } = open([{ type: 'runway-below', account: 'gw', days: 2 }], t0);
    // $10 a day down from $100: the runway falls under 2 days once the balance is under $20.
    for (let h = 0; h <= 9 * 24; h += 6) store.saveSnapshot(balanceSnap('gw', t0 + h * HOUR, 100 - (10 * h) / 24));
    const result = previewRule(rules[0]!, historyFromStore(store), { now: t0 + 9 * DAY, days: 10, timeZone: 'UTC', accountIds: ['gw'] });
    expect(result.fires).toBe(1);
    expect(result.times[0]).toBe(t0 + 8 * DAY + 6 * HOUR); // the first snapshot under $20: $17.50
  });
});
