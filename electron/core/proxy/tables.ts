// The proxy's own tables in spendbar.db, set up with a version of their own (like the alert tables), so they do not
// take a slot in the store's migration list. Append-only: never edit a shipped step.
//   proxy_requests    one row per request (never text, never a key: keys are masked)
//   proxy_hourly      sums per UTC hour × account × model × key × app × kind × currency; the same columns as
//                     usage_buckets, so the store's series and totals code reads it as "metered" usage
//   proxy_ratelimits  the latest rate-limit figures per account and key id (step 2: keyed by key_id, a keyed hash of
//                     the full key, so two keys that mask alike keep figures of their own; rows from before keep
//                     'masked:' + their masked key as id)
import type { DatabaseSync } from 'node:sqlite';

const STEPS: ((db: DatabaseSync) => void)[] = [
  (db) =>
    db.exec(`
      CREATE TABLE IF NOT EXISTS proxy_requests (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        key TEXT NOT NULL,
        app TEXT NOT NULL,
        kind TEXT NOT NULL,
        model TEXT NOT NULL,
        model_requested TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        stream INTEGER NOT NULL,
        status INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cached_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cost_micros INTEGER,
        currency TEXT NOT NULL,
        cost_source TEXT NOT NULL,
        estimated INTEGER NOT NULL,
        latency_ms INTEGER NOT NULL,
        ttfb_ms INTEGER,
        rate_limit TEXT,
        note TEXT
      );
      CREATE INDEX IF NOT EXISTS proxy_requests_time ON proxy_requests (time);
      CREATE INDEX IF NOT EXISTS proxy_requests_account ON proxy_requests (account_id, time);
      CREATE INDEX IF NOT EXISTS proxy_requests_429 ON proxy_requests (account_id, time) WHERE status = 429;
      CREATE TABLE IF NOT EXISTS proxy_hourly (
        hour INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        model TEXT NOT NULL,
        key TEXT NOT NULL,
        app TEXT NOT NULL,
        kind TEXT NOT NULL,
        currency TEXT NOT NULL,
        requests INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cached_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cost_micros INTEGER,
        unpriced INTEGER NOT NULL,
        estimated INTEGER NOT NULL,
        PRIMARY KEY (hour, account_id, model, key, app, kind, currency)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS proxy_ratelimits (
        account_id TEXT NOT NULL,
        key TEXT NOT NULL,
        time INTEGER NOT NULL,
        rate_limit TEXT NOT NULL,
        PRIMARY KEY (account_id, key)
      ) WITHOUT ROWID;
    `),
  (db) =>
    db.exec(`
      ALTER TABLE proxy_requests ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
      CREATE TABLE proxy_ratelimits_v2 (
        account_id TEXT NOT NULL,
        key_id TEXT NOT NULL,
        key TEXT NOT NULL,
        time INTEGER NOT NULL,
        rate_limit TEXT NOT NULL,
        PRIMARY KEY (account_id, key_id)
      ) WITHOUT ROWID;
      INSERT INTO proxy_ratelimits_v2 (account_id, key_id, key, time, rate_limit) SELECT account_id, 'masked:' || key, key, time, rate_limit FROM proxy_ratelimits;
      DROP TABLE proxy_ratelimits;
      ALTER TABLE proxy_ratelimits_v2 RENAME TO proxy_ratelimits;
    `),
];

export const PROXY_SCHEMA_VERSION = STEPS.length;

export function ensureProxyTables(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS proxy_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const row = db.prepare("SELECT value FROM proxy_meta WHERE key = 'version'").get() as { value: string } | undefined;
  const have = row ? Number(row.value) : 0;
  if (have > STEPS.length) {
    throw new Error(`The metering tables in this database have version ${have}, newer than this Spendbar knows (${STEPS.length}). Update Spendbar.`);
  }
  for (let v = have; v < STEPS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      (STEPS[v] as (db: DatabaseSync) => void)(db);
      db.prepare("INSERT INTO proxy_meta (key, value) VALUES ('version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(v + 1));
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
}

/** Removes every metered row of an account (when the account is removed). */
export function deleteProxyAccount(db: DatabaseSync, accountId: string): void {
  for (const t of ['proxy_requests', 'proxy_hourly', 'proxy_ratelimits']) db.prepare(`DELETE FROM ${t} WHERE account_id = ?`).run(accountId);
}
