// Reads and writes of the alert tables. Every state change is written as it happens, so a restart neither repeats an
// alert nor forgets one.
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { AlertEvent, AlertHistoryFilter, Delivery } from '../../../shared/alerts.ts';
import type { CheckState } from './machine.ts';

export type NewEvent = Omit<AlertEvent, 'id' | 'acknowledgedAt' | 'snoozedUntil' | 'deliveries'>;

export interface PendingDelivery {
  eventId: number;
  channelId: string;
  /** Tries made so far. */
  attempts: number;
  /** When the next try is due (epoch ms). */
  nextAt: number;
}

interface EventRow {
  id: number;
  time: number;
  kind: string;
  rule_id: string;
  rule_type: string;
  rule_name: string | null;
  subject: string;
  account_id: string | null;
  window: string;
  dedupe_key: string;
  severity: string;
  title: string;
  body: string;
  value: number;
  threshold: number;
  unit: string;
  acknowledged_at: number | null;
  snoozed_until: number | null;
  popup: string;
  deliveries: string;
}

function toEvent(r: EventRow): AlertEvent {
  const e: AlertEvent = {
    id: r.id,
    time: r.time,
    kind: r.kind as AlertEvent['kind'],
    ruleId: r.rule_id,
    ruleType: r.rule_type as AlertEvent['ruleType'],
    subject: r.subject,
    window: r.window,
    dedupeKey: r.dedupe_key,
    severity: r.severity as AlertEvent['severity'],
    title: r.title,
    body: r.body,
    value: r.value,
    threshold: r.threshold,
    unit: JSON.parse(r.unit) as AlertEvent['unit'],
    acknowledgedAt: r.acknowledged_at,
    snoozedUntil: r.snoozed_until,
    popup: r.popup as AlertEvent['popup'],
    deliveries: JSON.parse(r.deliveries) as Delivery[],
  };
  if (r.rule_name !== null) e.ruleName = r.rule_name;
  if (r.account_id !== null) e.accountId = r.account_id;
  return e;
}

const STATE_KEEP_MS = 120 * 86_400_000;

export class AlertRepo {
  private readonly db: DatabaseSync;
  private readonly cache = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  private stmt(sql: string): StatementSync {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  state(key: string): CheckState | undefined {
    const row = this.stmt('SELECT fired, signal FROM alert_state WHERE key = ?').get(key) as { fired: number; signal: number | null } | undefined;
    return row ? { fired: row.fired === 1, signal: row.signal } : undefined;
  }

  putState(key: string, ruleId: string, subject: string, window: string, s: CheckState, now: number): void {
    this.stmt(
      `INSERT INTO alert_state (key, rule_id, subject, window, fired, signal, updated) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET fired = excluded.fired, signal = excluded.signal, updated = excluded.updated`,
    ).run(key, ruleId, subject, window, s.fired ? 1 : 0, s.signal, now);
  }

  setFired(key: string, fired: boolean): void {
    this.stmt('UPDATE alert_state SET fired = ? WHERE key = ?').run(fired ? 1 : 0, key);
  }

  insert(e: NewEvent): AlertEvent {
    const row = this.stmt(
      `INSERT INTO alert_events (time, kind, rule_id, rule_type, rule_name, subject, account_id, window, dedupe_key, severity,
         title, body, value, threshold, unit, popup) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ).get(
      e.time, e.kind, e.ruleId, e.ruleType, e.ruleName ?? null, e.subject, e.accountId ?? null, e.window, e.dedupeKey,
      e.severity, e.title, e.body, e.value, e.threshold, JSON.stringify(e.unit), e.popup,
    ) as unknown as EventRow;
    return toEvent(row);
  }

  event(id: number): AlertEvent | undefined {
    const row = this.stmt('SELECT * FROM alert_events WHERE id = ?').get(id) as EventRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  setPopup(ids: number[], popup: AlertEvent['popup']): void {
    for (const id of ids) this.stmt('UPDATE alert_events SET popup = ? WHERE id = ?').run(popup, id);
  }

  held(): AlertEvent[] {
    return (this.stmt("SELECT * FROM alert_events WHERE popup = 'held' ORDER BY id").all() as unknown as EventRow[]).map(toEvent);
  }

  addDelivery(id: number, d: Delivery): void {
    this.stmt("UPDATE alert_events SET deliveries = json_insert(deliveries, '$[#]', json(?)) WHERE id = ?").run(JSON.stringify(d), id);
  }

  /** A webhook delivery owed for this event: written with the event, removed when its outcome is recorded. */
  addPending(eventId: number, channelId: string, nextAt: number): void {
    this.stmt('INSERT OR IGNORE INTO alert_deliveries (event_id, channel_id, attempts, next_at) VALUES (?, ?, 0, ?)').run(eventId, channelId, nextAt);
  }

  pending(): PendingDelivery[] {
    const rows = this.stmt('SELECT event_id, channel_id, attempts, next_at FROM alert_deliveries ORDER BY next_at, event_id').all() as {
      event_id: number;
      channel_id: string;
      attempts: number;
      next_at: number;
    }[];
    return rows.map((r) => ({ eventId: r.event_id, channelId: r.channel_id, attempts: r.attempts, nextAt: r.next_at }));
  }

  /** One more try failed and another is due at nextAt. */
  retryPending(eventId: number, channelId: string, attempts: number, nextAt: number, message: string): void {
    this.stmt('UPDATE alert_deliveries SET attempts = ?, next_at = ?, last_message = ? WHERE event_id = ? AND channel_id = ?').run(attempts, nextAt, message, eventId, channelId);
  }

  /** The delivery's outcome goes on the event and the debt is cleared, together. */
  finishPending(eventId: number, d: Delivery): void {
    this.transaction(() => {
      this.stmt('DELETE FROM alert_deliveries WHERE event_id = ? AND channel_id = ?').run(eventId, d.channelId);
      this.addDelivery(eventId, d);
    });
  }

  acknowledge(id: number, now: number): boolean {
    return Number(this.stmt('UPDATE alert_events SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL').run(now, id).changes) > 0;
  }

  markSnoozed(id: number, until: number): void {
    this.stmt('UPDATE alert_events SET snoozed_until = ? WHERE id = ?').run(until, id);
  }

  list(f: AlertHistoryFilter): AlertEvent[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    const add = (sql: string, v: SQLInputValue) => (where.push(sql), params.push(v));
    if (f.from !== undefined) add('time >= ?', f.from);
    if (f.to !== undefined) add('time < ?', f.to);
    if (f.ruleId !== undefined) add('rule_id = ?', f.ruleId);
    if (f.accountId !== undefined) add('account_id = ?', f.accountId);
    if (f.kind !== undefined) add('kind = ?', f.kind);
    if (f.acknowledged !== undefined) where.push(f.acknowledged ? 'acknowledged_at IS NOT NULL' : 'acknowledged_at IS NULL');
    const sql = `SELECT * FROM alert_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, Math.min(Math.max(1, f.limit ?? 500), 5000)) as unknown as EventRow[]).map(toEvent);
  }

  /** Fired, unacknowledged events whose breach is still on: what the tray shows. */
  active(since: number): AlertEvent[] {
    const sql = `SELECT e.* FROM alert_events e JOIN alert_state s ON s.key = e.dedupe_key
      WHERE e.kind = 'fired' AND e.acknowledged_at IS NULL AND s.fired = 1 AND e.time >= ?
        AND e.id = (SELECT max(id) FROM alert_events WHERE dedupe_key = e.dedupe_key)
      ORDER BY e.time DESC`;
    return (this.stmt(sql).all(since) as unknown as EventRow[]).map(toEvent);
  }

  snooze(target: string, until: number, dedupeKey: string | null): void {
    this.stmt(
      'INSERT INTO alert_snoozes (target, until, dedupe_key) VALUES (?, ?, ?) ON CONFLICT (target) DO UPDATE SET until = excluded.until, dedupe_key = excluded.dedupe_key',
    ).run(target, until, dedupeKey);
  }

  snoozeRow(target: string): { until: number; dedupeKey: string | null } | undefined {
    const row = this.stmt('SELECT until, dedupe_key FROM alert_snoozes WHERE target = ?').get(target) as { until: number; dedupe_key: string | null } | undefined;
    return row ? { until: row.until, dedupeKey: row.dedupe_key } : undefined;
  }

  unsnooze(target: string): void {
    this.stmt('DELETE FROM alert_snoozes WHERE target = ?').run(target);
  }

  /** Drops expired snoozes and states of windows long gone; events stay as history. */
  prune(now: number): void {
    this.stmt('DELETE FROM alert_snoozes WHERE until <= ?').run(now);
    this.stmt("DELETE FROM alert_state WHERE updated < ? AND window != ''").run(now - STATE_KEEP_MS);
  }

  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }
}
