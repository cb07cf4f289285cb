// The alert engine's own tables in spendbar.db, set up idempotently with a version of their own, so they do not
// depend on the store's migration list. Append-only like any migration list: never edit a shipped step.
import type { DatabaseSync } from 'node:sqlite';

const STEPS: ((db: DatabaseSync) => void)[] = [
  (db) =>
    db.exec(`
      CREATE TABLE IF NOT EXISTS alert_state (
        key TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        window TEXT NOT NULL,
        fired INTEGER NOT NULL,
        signal REAL,
        updated INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS alert_state_updated ON alert_state (updated);
      CREATE TABLE IF NOT EXISTS alert_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        kind TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        rule_type TEXT NOT NULL,
        rule_name TEXT,
        subject TEXT NOT NULL,
        account_id TEXT,
        window TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        severity TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        value REAL NOT NULL,
        threshold REAL NOT NULL,
        unit TEXT NOT NULL,
        acknowledged_at INTEGER,
        snoozed_until INTEGER,
        popup TEXT NOT NULL,
        deliveries TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX IF NOT EXISTS alert_events_time ON alert_events (time);
      CREATE INDEX IF NOT EXISTS alert_events_popup ON alert_events (popup) WHERE popup = 'held';
      CREATE TABLE IF NOT EXISTS alert_snoozes (
        target TEXT PRIMARY KEY,
        until INTEGER NOT NULL,
        dedupe_key TEXT
      ) WITHOUT ROWID;
    `),
  // Webhook deliveries not finished yet, written in the same transaction as their alert: a process that dies during a
  // retry back-off resumes them at the next start. A row goes when its outcome is recorded on the event.
  (db) =>
    db.exec(`
      CREATE TABLE IF NOT EXISTS alert_deliveries (
        event_id INTEGER NOT NULL,
        channel_id TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        last_message TEXT,
        PRIMARY KEY (event_id, channel_id)
      ) WITHOUT ROWID;
    `),
];

export const ALERT_SCHEMA_VERSION = STEPS.length;

export function ensureAlertTables(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS alert_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const row = db.prepare("SELECT value FROM alert_meta WHERE key = 'version'").get() as { value: string } | undefined;
  const have = row ? Number(row.value) : 0;
  if (have > STEPS.length) {
    throw new Error(`The alert tables in this database have version ${have}, newer than this Spendbar knows (${STEPS.length}). Update Spendbar.`);
  }
  for (let v = have; v < STEPS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      (STEPS[v] as (db: DatabaseSync) => void)(db);
      db.prepare("INSERT INTO alert_meta (key, value) VALUES ('version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(v + 1));
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
}
