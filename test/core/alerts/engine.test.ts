import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureAlertTables, ALERT_SCHEMA_VERSION } from '../../../electron/core/alerts/tables.ts';
import { HOUR, balanceSnap, setup, tempDir, type Setup } from './helpers.ts';
import { validateRules } from '../../../shared/alerts.ts';

const T0 = Date.UTC(2025, 2, 4, 12, 0);
const LOW = [{ type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' }];
let s: Setup | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

describe('persistence', () => {
  it('a restart neither repeats an alert nor forgets it', async () => {
    s = await setup(LOW, { t0: T0 });
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 4))).toHaveLength(1);
    await s.restart();
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 3.9))).toHaveLength(0);
    expect(s.engine.history().map((e) => e.value)).toEqual([4_000_000]);
    expect(s.engine.active().map((e) => e.value)).toEqual([4_000_000]);
    // Recovery and re-arming carry across a second restart too.
    s.poll(balanceSnap('gw', s.clock.advance(HOUR), 20));
    await s.restart();
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 2))).toHaveLength(1);
    await s.engine.idle();
    expect(s.notifier.shown).toHaveLength(2);
  });

  it('sets up its tables idempotently with a version of its own', () => {
    const tmp = tempDir();
    const db = new DatabaseSync(`${tmp.dir}/x.db`);
    ensureAlertTables(db);
    ensureAlertTables(db);
    expect(db.prepare("SELECT value FROM alert_meta WHERE key = 'version'").get()).toEqual({ value: String(ALERT_SCHEMA_VERSION) });
    db.prepare("UPDATE alert_meta SET value = '99' WHERE key = 'version'").run();
    expect(() => ensureAlertTables(db)).toThrow(/version 99, newer than this Spendbar knows/);
    db.close();
    tmp.cleanup();
  });
});

describe('snooze and acknowledge', () => {
  it('snoozing an alert for an hour reminds once after it if the breach is still there', async () => {
    s = await setup(LOW, { t0: T0 });
    const [alert] = s.poll(balanceSnap('gw', s.clock.advance(1), 4));
    expect(s.engine.snooze({ eventId: alert!.id }, '1h')).toBe(s.clock.t + HOUR);
    expect(s.poll(balanceSnap('gw', s.clock.advance(30 * 60_000), 4))).toHaveLength(0);
    const reminder = s.poll(balanceSnap('gw', s.clock.advance(31 * 60_000), 4));
    expect(reminder).toHaveLength(1);
    expect(s.poll(balanceSnap('gw', s.clock.advance(HOUR), 4))).toHaveLength(0);
    expect(s.engine.history({ ruleId: alert!.ruleId }).find((e) => e.id === alert!.id)?.snoozedUntil).toBe(T0 + 1 + HOUR);
  });

  it('acknowledging a snoozed alert cancels the reminder and clears it from the active list', async () => {
    s = await setup(LOW, { t0: T0 });
    const [alert] = s.poll(balanceSnap('gw', s.clock.advance(1), 4));
    s.engine.snooze({ eventId: alert!.id }, '1h');
    expect(s.engine.acknowledge(alert!.id)).toBe(true);
    expect(s.engine.acknowledge(alert!.id)).toBe(false);
    expect(s.poll(balanceSnap('gw', s.clock.advance(2 * HOUR), 4))).toHaveLength(0);
    expect(s.engine.active()).toEqual([]);
    expect(s.engine.history({ acknowledged: true }).map((e) => e.id)).toEqual([alert!.id]);
  });

  it('snoozing a rule until tomorrow (in the user zone) holds new breaches until then', async () => {
    // 2025-03-04 15:00 UTC is 23:00 in Shanghai: "tomorrow" starts in one hour.
    s = await setup(LOW, { t0: Date.UTC(2025, 2, 4, 15), zone: 'Asia/Shanghai' });
    const ruleId = s.engine['rules'][0]!.id;
    expect(s.engine.snooze({ ruleId }, 'tomorrow')).toBe(Date.UTC(2025, 2, 4, 16));
    expect(s.poll(balanceSnap('gw', s.clock.advance(30 * 60_000), 4))).toHaveLength(0);
    expect(s.poll(balanceSnap('gw', s.clock.advance(31 * 60_000), 4))).toHaveLength(1);
  });
});

describe('quiet hours', () => {
  it('holds popups and sends one summary afterwards, across a restart', async () => {
    const quietHours = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };
    const rules = [...LOW, { type: 'spend-above', account: 'gw', window: 'today', amount: 1, currency: 'USD' }];
    // 22:30 in Berlin (UTC+1 in March).
    s = await setup(rules, { t0: Date.UTC(2025, 2, 4, 21, 30), quietHours });
    const night = s.poll({ ...balanceSnap('gw', s.clock.t, 4), spent: { today: { micros: 2e6, currency: 'USD' } } });
    expect(night.map((e) => e.popup)).toEqual(['held', 'held']);
    s.clock.t = Date.UTC(2025, 2, 5, 3);
    await s.restart();
    s.engine.tick();
    await s.engine.idle();
    expect(s.notifier.shown).toEqual([]);
    s.clock.t = Date.UTC(2025, 2, 5, 6, 5); // 07:05 Berlin
    s.engine.tick();
    s.engine.tick();
    await s.engine.idle();
    expect(s.notifier.shown).toHaveLength(1);
    expect(s.notifier.shown[0]).toMatchObject({ title: '2 alerts during quiet hours', severity: 'critical' });
    expect(s.notifier.shown[0]!.body).toBe('• gw: balance $4.00\n• gw: spent $2.00 today');
    expect(s.engine.history().map((e) => e.popup)).toEqual(['summarized', 'summarized']);
  });
});

describe('channels per rule', () => {
  it('sends only to the channels a rule names', async () => {
    s = await setup([{ ...LOW[0], channels: ['hook'] }, { type: 'balance-below', account: 'or', amount: 5, currency: 'USD' }], {
      t0: T0,
      channels: [{ id: 'popup', type: 'popup' }, { id: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/hook', format: 'json' }],
      retry: { attempts: 1 },
    });
    expect(s.poll(balanceSnap('gw', s.clock.advance(1), 1))[0]!.popup).toBe('none');
    expect(s.poll(balanceSnap('or', s.clock.advance(1), 1))[0]!.popup).toBe('sent');
    await s.engine.idle();
    expect(s.notifier.shown.map((n) => n.accountId)).toEqual(['or']);
    const [orEvent, gwEvent] = s.engine.history();
    expect(gwEvent!.deliveries.map((d) => [d.channelId, d.ok])).toEqual([['hook', false]]);
    expect(orEvent!.deliveries.map((d) => d.channelId).sort()).toEqual(['hook', 'popup']);
  });
});

describe('work per poll', () => {
  it('evaluates a poll reading only that account, unless a rule sums a currency across accounts', async () => {
    s = await setup(
      [
        { type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' },
        { type: 'balance-below', account: '*', amount: 1, currency: 'USD' },
        { type: 'provider-failing', currency: 'USD', minutes: 30 },
      ],
      { t0: Date.UTC(2025, 2, 4, 12) },
    );
    const reads = { one: 0, all: 0 };
    const source = {
      one: () => (reads.one++, null),
      all: () => {
        reads.all++;
        throw new Error('a per-account rule read every account');
      },
    };
    const snapshot = balanceSnap('gw', s.clock.advance(60_000), 4);
    const events = s.engine.onSnapshot(snapshot, source);
    expect(events.map((e) => e.ruleType)).toEqual(['balance-below']);
    expect(reads).toEqual({ one: 1, all: 0 });

    // A currency-wide total needs the others, read once for the whole evaluation.
    s.engine.setRules(validateRules([{ type: 'balance-below', currency: 'USD', amount: 5 }], { accountIds: ['gw', 'or', 'ds'] }).rules);
    let all = 0;
    s.engine.onSnapshot(balanceSnap('gw', s.clock.advance(60_000), 4), { one: () => null, all: () => (all++, []) });
    expect(all).toBe(1);
  });
});
