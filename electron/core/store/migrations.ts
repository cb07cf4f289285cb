// Schema migrations: plain functions applied in order, each in its own transaction, with the count applied kept in
// PRAGMA user_version. The list is append-only: a shipped migration is never edited or reordered, because
// user_version only says how many ran.
import type { DatabaseSync } from 'node:sqlite';

export type Migration = (db: DatabaseSync) => void;

/** v1: raw snapshots and usage buckets. */
function createRawTables(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE snapshots (
      id INTEGER PRIMARY KEY,
      account_id TEXT NOT NULL,
      time INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      error_kind TEXT,
      error_message TEXT,
      balance_micros INTEGER,
      balance_currency TEXT,
      spent_today_micros INTEGER,
      spent_today_currency TEXT,
      spent_week_micros INTEGER,
      spent_week_currency TEXT,
      spent_month_micros INTEGER,
      spent_month_currency TEXT,
      spent_total_micros INTEGER,
      spent_total_currency TEXT,
      data TEXT NOT NULL
    );
    CREATE INDEX snapshots_account_time ON snapshots (account_id, time);
    -- Time first: ingest appends at the end of the tree and range queries read one contiguous run.
    CREATE TABLE usage_buckets (
      start INTEGER NOT NULL,
      account_id TEXT NOT NULL,
      width TEXT NOT NULL,
      model TEXT NOT NULL,
      key TEXT NOT NULL,
      currency TEXT NOT NULL DEFAULT '',
      requests INTEGER NOT NULL,
      input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL,
      cached_tokens INTEGER NOT NULL,
      reasoning_tokens INTEGER NOT NULL,
      cost_micros INTEGER,
      PRIMARY KEY (start, account_id, width, model, key)
    ) WITHOUT ROWID;
  `);
}

/**
 * v2: roll-ups. usage_daily sums usage_buckets per local day of the store's zone (by bucket start; n counts the
 * buckets); writes keep it exact, and it is rebuilt at open when the zone changed (a migration does not know the
 * zone, so it leaves the roll-up to that rebuild). balance_hourly keeps the last ok balance per account, currency and UTC hour.
 * usage_coverage remembers the newest bucket start per account.
 */
function createRollups(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE usage_daily (
      day INTEGER NOT NULL,
      account_id TEXT NOT NULL,
      model TEXT NOT NULL,
      key TEXT NOT NULL,
      currency TEXT NOT NULL,
      n INTEGER NOT NULL,
      requests INTEGER NOT NULL,
      input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL,
      cached_tokens INTEGER NOT NULL,
      reasoning_tokens INTEGER NOT NULL,
      cost_micros INTEGER NOT NULL,
      cost_n INTEGER NOT NULL,
      PRIMARY KEY (day, account_id, model, key, currency)
    ) WITHOUT ROWID;
    CREATE TABLE balance_hourly (
      hour INTEGER NOT NULL,
      account_id TEXT NOT NULL,
      currency TEXT NOT NULL,
      time INTEGER NOT NULL,
      micros INTEGER NOT NULL,
      PRIMARY KEY (hour, account_id, currency)
    ) WITHOUT ROWID;
    CREATE TABLE usage_coverage (account_id TEXT PRIMARY KEY, newest_start INTEGER NOT NULL) WITHOUT ROWID;
    DELETE FROM meta WHERE key = 'rollup_zone';
    INSERT INTO usage_coverage (account_id, newest_start)
      SELECT account_id, MAX(start) FROM usage_buckets GROUP BY account_id;
  `);
  const fill = `
    INSERT INTO balance_hourly (hour, account_id, currency, time, micros)
    SELECT hour, account_id, currency, time, micros FROM (%SOURCE%) WHERE true
    ON CONFLICT (hour, account_id, currency) DO UPDATE SET time = excluded.time, micros = excluded.micros
      WHERE excluded.time >= balance_hourly.time`;
  db.exec(
    fill.replace(
      '%SOURCE%',
      `SELECT s.time / 3600000 * 3600000 AS hour, s.account_id, b.value ->> '$.currency' AS currency, s.time,
              b.value ->> '$.micros' AS micros
       FROM snapshots s, json_each(s.data, '$.balances') b WHERE s.ok = 1`,
    ),
  );
  db.exec(
    fill.replace(
      '%SOURCE%',
      `SELECT time / 3600000 * 3600000 AS hour, account_id, balance_currency AS currency, time, balance_micros AS micros
       FROM snapshots WHERE ok = 1 AND balance_micros IS NOT NULL AND json_array_length(data, '$.balances') = 0`,
    ),
  );
}

/**
 * v3: compact snapshot rows, a per-model daily usage roll-up and a daily balance roll-up.
 * - snapshots gains `provider_id` (into snapshot_providers: a provider's name is stored once, not per poll); rows
 *   written from now on keep in `data` only what no column holds (rowToSnapshot tells the forms apart by
 *   provider_id IS NULL, so older rows are read as they are and nothing is rewritten).
 * - usage_daily_model is usage_daily summed over accounts and keys (same days, same zone), so a per-model or overall
 *   daily series without an account or key filter reads one row per day, model and currency.
 * - balance_daily keeps per account, currency and local day (of the zone in meta `balance_zone`) the last ok balance
 *   and its time, and the lowest and highest balance seen that day. It is backfilled here from every stored ok
 *   snapshot, by the same rule as balance_hourly (each listed balance, else the main one), in UTC; opening the store
 *   in another zone rebuilds it. Scanning by id replays the polls in the order they were saved, so ties on time
 *   resolve as at ingest (the later poll wins).
 */
function compactSnapshotsAndDailyBalances(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE snapshot_providers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    ALTER TABLE snapshots ADD COLUMN provider_id INTEGER REFERENCES snapshot_providers (id);
    CREATE TABLE balance_daily (
      day INTEGER NOT NULL,
      account_id TEXT NOT NULL,
      currency TEXT NOT NULL,
      time INTEGER NOT NULL,
      micros INTEGER NOT NULL,
      min_micros INTEGER NOT NULL,
      max_micros INTEGER NOT NULL,
      PRIMARY KEY (day, account_id, currency)
    ) WITHOUT ROWID;
    INSERT INTO balance_daily (day, account_id, currency, time, micros, min_micros, max_micros)
    SELECT time - time % 86400000 - (CASE WHEN time % 86400000 < 0 THEN 86400000 ELSE 0 END), account_id, currency,
      time, micros, micros, micros
    FROM (
      SELECT s.id, s.account_id, b.value ->> '$.currency' AS currency, s.time, b.value ->> '$.micros' AS micros
      FROM snapshots s, json_each(s.data, '$.balances') b WHERE s.ok = 1
      UNION ALL
      SELECT id, account_id, balance_currency, time, balance_micros FROM snapshots
      WHERE ok = 1 AND balance_micros IS NOT NULL AND coalesce(json_array_length(data, '$.balances'), 0) = 0
      ORDER BY 1)
    WHERE micros IS NOT NULL AND currency IS NOT NULL
    ON CONFLICT (day, account_id, currency) DO UPDATE SET
      time = CASE WHEN excluded.time >= time THEN excluded.time ELSE time END,
      micros = CASE WHEN excluded.time >= time THEN excluded.micros ELSE micros END,
      min_micros = min(min_micros, excluded.min_micros), max_micros = max(max_micros, excluded.max_micros);
    INSERT INTO meta (key, value) VALUES ('balance_zone', 'UTC')
      ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    CREATE TABLE usage_daily_model (
      day INTEGER NOT NULL,
      model TEXT NOT NULL,
      currency TEXT NOT NULL,
      n INTEGER NOT NULL,
      requests INTEGER NOT NULL,
      input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL,
      cached_tokens INTEGER NOT NULL,
      reasoning_tokens INTEGER NOT NULL,
      cost_micros INTEGER NOT NULL,
      cost_n INTEGER NOT NULL,
      PRIMARY KEY (day, model, currency)
    ) WITHOUT ROWID;
    INSERT INTO usage_daily_model (day, model, currency, n, requests, input_tokens, output_tokens, cached_tokens,
      reasoning_tokens, cost_micros, cost_n)
    SELECT day, model, currency, sum(n), sum(requests), sum(input_tokens), sum(output_tokens), sum(cached_tokens),
      sum(reasoning_tokens), sum(cost_micros), sum(cost_n)
    FROM usage_daily GROUP BY day, model, currency;
  `);
}

/**
 * Every migration of spendbar.db, in order; user_version = how many have run. Other core modules (alerts, …) add
 * their tables with registerMigration, before the store is opened.
 */
export const MIGRATIONS: Migration[] = [createRawTables, createRollups, compactSnapshotsAndDailyBalances];

/**
 * Appends a migration as schema version `version`. The caller names the version it expects so that two modules
 * claiming the same slot, or registering in a different order than they shipped, fail loudly at start-up instead of
 * silently skipping a migration on existing databases.
 */
export function registerMigration(version: number, migration: Migration): void {
  if (MIGRATIONS[version - 1] === migration) return;
  if (version !== MIGRATIONS.length + 1) {
    throw new Error(
      `Migration for schema version ${version} cannot be registered: the next free version is ${MIGRATIONS.length + 1}.`,
    );
  }
  MIGRATIONS.push(migration);
}

export class SchemaTooNewError extends Error {
  readonly found: number;
  readonly known: number;
  constructor(path: string, found: number, known: number) {
    super(
      `The database ${path} has schema version ${found}, but this Spendbar knows only up to version ${known}: it was ` +
        `written by a newer Spendbar. Update Spendbar, or move the file aside to start a fresh history.`,
    );
    this.name = 'SchemaTooNewError';
    this.found = found;
    this.known = known;
  }
}

export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

/** Brings the database up to MIGRATIONS.length; refuses, touching nothing, a database from a newer version. */
export function migrate(db: DatabaseSync, path: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const before = schemaVersion(db);
  if (before > migrations.length) throw new SchemaTooNewError(path, before, migrations.length);
  for (let v = before; v < migrations.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have migrated while we waited for the write lock.
      const current = schemaVersion(db);
      if (current > v) {
        db.exec('COMMIT');
        v = current - 1;
        continue;
      }
      (migrations[v] as Migration)(db);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
}
