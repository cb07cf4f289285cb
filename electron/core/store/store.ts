// The snapshot store: one SQLite file (WAL) holding every poll, the usage buckets providers reported, and roll-ups
// that keep dashboard queries fast on years of history.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { TotalsQuery } from '../../../shared/api.ts';
import type { SeriesQuery, SeriesResult, Snapshot, UsageTotals } from '../../../shared/domain.ts';
import { ensureMetricsTotals, METRICS_TOTALS_STEPS, metricsTotalsInPlace, metricsTotalsVersion, readMetricsTotals, type MetricsMarks, type MetricsTotals, type MetricsTotalsRead } from './metrics-totals.ts';
import { migrate } from './migrations.ts';
import type { QueryContext, UsageTables } from './plan.ts';
import { DAILY_BY_MODEL } from './plan.ts';
import { LOCAL_DAY_FN, PendingRollups, SUBTRACT_ACCOUNT_DAILY_MODEL, rebuildDailyBalances, rebuildDailyRollup, type RollupDeps } from './rollup.ts';
import {
  balancesOf,
  INSERT_SNAPSHOT,
  rowToSnapshot,
  SNAPSHOT_COLUMNS,
  snapshotParams,
  type SnapshotRow,
} from './rows.ts';
import { querySeries } from './series.ts';
import { queryTotals } from './totals.ts';
import { checkTimeZone, dayStarter, nextBucketStart } from './tz.ts';
import { onOwnConnection, withSmallCache } from './small-cache.ts';
import { writeVersion } from './write-version.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface StoreOptions {
  /**
   * IANA zone of the daily roll-up (the user's zone, so "per day" queries are answered from it). Queries in another
   * zone stay correct but read hourly rows. Changing it rebuilds the roll-up on open. Default UTC.
   */
  timeZone?: string;
}

// Retention keeps, per account and UTC hour, the last ok snapshot, or the last failed one when none succeeded. It reads
// only [$since, $cutoff): meta `retention_until` remembers how far earlier runs thinned (a write of an older poll moves
// it back), so the daily run sorts a day of polls, not the whole history. Accounts are walked with index seeks.
const RETENTION = `
  DELETE FROM snapshots WHERE id IN (
    SELECT id FROM (
      SELECT s.id, row_number() OVER (
        PARTITION BY s.account_id, s.time / ${HOUR} ORDER BY s.ok DESC, s.time DESC, s.id DESC) AS rn
      FROM (
        WITH RECURSIVE every(id) AS (
          SELECT min(account_id) FROM snapshots
          UNION ALL
          SELECT (SELECT min(account_id) FROM snapshots WHERE account_id > every.id) FROM every WHERE every.id IS NOT NULL)
        SELECT id FROM every WHERE id IS NOT NULL) a
      CROSS JOIN snapshots s
      WHERE s.account_id = a.id AND s.time >= $since AND s.time < $cutoff)
    WHERE rn > 1)`;

const RETENTION_STEP = 7 * DAY;

/** Lowers meta retention_until to the hour of an older poll just written, so the next run thins its hour again. */
const RETENTION_BACK = `
  UPDATE meta SET value = CAST(? AS TEXT) WHERE key = 'retention_until' AND CAST(value AS INTEGER) > ?`;

export class SnapshotStore {
  readonly db: DatabaseSync;
  readonly timeZone: string;
  private readonly statements = new Map<string, StatementSync>();
  private filterValuesKept: { version: string; models: string[]; keys: string[] } | null = null;
  private readonly ctx: QueryContext;
  private readonly rollupDeps: RollupDeps;
  private readonly pending: PendingRollups;
  private metricsSteps = 0;
  /** snapshot_providers ids by name (an id never changes once given, so other connections cannot make it stale). */
  private readonly providerIds = new Map<string, number>();

  private constructor(db: DatabaseSync, timeZone: string) {
    this.db = db;
    this.timeZone = timeZone;
    const dayOf = dayStarter(timeZone);
    const nextDays = new Map<number, number>();
    const nextDay = (day: number) => {
      let next = nextDays.get(day);
      if (next === undefined) {
        next = nextBucketStart(timeZone, 'day', day);
        if (nextDays.size > 10_000) nextDays.clear();
        nextDays.set(day, next);
      }
      return next;
    };
    const stmt = (sql: string) => this.cached(sql, false);
    const arrays = (sql: string) => this.cached(sql, true);
    this.ctx = { stmt, arrays, storeZone: timeZone, storeDay: dayOf };
    this.rollupDeps = { stmt, arrays, dayOf, nextDay };
    this.pending = new PendingRollups(this.rollupDeps);
    db.function(LOCAL_DAY_FN, { deterministic: true }, (t) => dayOf(Number(t)));
  }

  /** Opens (creating and migrating) the database at `path`; ':memory:' works for throwaway stores. */
  static open(path: string, opts: StoreOptions = {}): SnapshotStore {
    const zone = checkTimeZone(opts.timeZone ?? 'UTC');
    const db = new DatabaseSync(path);
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      migrate(db, path);
      // A 16 MB page cache (SQLite's default is 2 MB): with a year of history the B-trees outgrow the default and
      // every upsert starts missing it (ingest measured 193k → 278k rows/s on a one-year database).
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;');
      const store = new SnapshotStore(db, zone);
      store.ensureRollupZone();
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** A cached prepared statement for `sql`. */
  stmt(sql: string): StatementSync {
    return this.cached(sql, false);
  }

  private arrays(sql: string): StatementSync {
    return this.cached(sql, true);
  }

  private cached(sql: string, arrays: boolean): StatementSync {
    const k = arrays ? `[]${sql}` : sql;
    let s = this.statements.get(k);
    if (!s) {
      s = this.db.prepare(sql);
      if (arrays) s.setReturnArrays(true);
      this.statements.set(k, s);
    }
    return s;
  }

  /** Rebuilds the daily roll-ups (usage, balances) that are keyed in another zone than the store's. */
  private ensureRollupZone(): void {
    const zoneOf = (key: string) => (this.stmt(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined)?.value;
    const setZone = (key: string) =>
      this.stmt(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, this.timeZone);
    if (zoneOf('rollup_zone') !== this.timeZone) {
      this.transaction(() => {
        rebuildDailyRollup(this.rollupDeps);
        setZone('rollup_zone');
      });
    }
    if (zoneOf('balance_zone') !== this.timeZone) {
      this.transaction(() => {
        rebuildDailyBalances(this.rollupDeps);
        setZone('balance_zone');
      });
    }
  }

  /** Runs fn in a write transaction; roll-ups noted by writes are brought up to date just before COMMIT. */
  private transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.pending.flush();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.pending.discard();
      this.providerIds.clear(); // an id given in this transaction is gone with it
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Saves polls; a failed one carries no figures and never touches balances or usage recorded by good polls. */
  private write(list: readonly Snapshot[]): void {
    const pending = this.pending;
    const insert = this.stmt(INSERT_SNAPSHOT);
    let oldest = Infinity;
    for (const s of list) {
      if (s.time < oldest) oldest = s.time;
      insert.run(...snapshotParams(s, this.providerId(s.provider)));
      if (!s.ok) continue;
      for (const b of balancesOf(s)) pending.balance(s.accountId, s.time, b);
    }
    pending.usage(list);
    if (oldest !== Infinity) {
      const hour = Math.floor(oldest / HOUR) * HOUR;
      this.stmt(RETENTION_BACK).run(hour, hour);
    }
  }

  private providerId(provider: unknown): number {
    const name = typeof provider === 'string' ? provider : '';
    let id = this.providerIds.get(name);
    if (id === undefined) {
      this.stmt(`INSERT INTO snapshot_providers (name) VALUES (?) ON CONFLICT (name) DO NOTHING`).run(name);
      id = (this.stmt(`SELECT id FROM snapshot_providers WHERE name = ?`).get(name) as { id: number }).id;
      this.providerIds.set(name, id);
    }
    return id;
  }

  /** Saves one poll: the snapshot row and, for a successful poll, its balances and usage, atomically. */
  saveSnapshot(s: Snapshot): void {
    this.transaction(() => this.write([s]));
  }

  /** Saves many polls in one transaction. */
  saveSnapshots(list: readonly Snapshot[]): void {
    this.transaction(() => this.write(list));
  }

  /** The newest snapshot of the account, ok or not. Loaded snapshots carry `usage: []`. */
  latest(accountId: string): Snapshot | null {
    const row = this.arrays(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE account_id = ? ORDER BY time DESC, id DESC LIMIT 1`).get(accountId);
    return row ? rowToSnapshot(row as unknown as SnapshotRow) : null;
  }

  /** The newest successful snapshot of the account. */
  lastSuccess(accountId: string): Snapshot | null {
    const row = this.arrays(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE account_id = ? AND ok = 1 ORDER BY time DESC, id DESC LIMIT 1`,
    ).get(accountId);
    return row ? rowToSnapshot(row as unknown as SnapshotRow) : null;
  }

  /** Snapshots with time in [from, to), oldest first; with `limit`, only the newest `limit` of them. */
  snapshots(accountId: string, from: number, to: number, opts: { okOnly?: boolean; limit?: number } = {}): Snapshot[] {
    const rows = this.arrays(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE account_id = ? AND time >= ? AND time < ? AND (ok = 1 OR ? = 0)
       ORDER BY time DESC, id DESC LIMIT ?`,
    ).all(accountId, from, to, opts.okOnly ? 1 : 0, opts.limit ?? -1) as unknown as SnapshotRow[];
    return rows.reverse().map(rowToSnapshot);
  }

  /** Start of the newest usage bucket stored for the account, or null: where an incremental fetch resumes. */
  usageCoverage(accountId: string): number | null {
    const row = this.stmt(`SELECT newest_start FROM usage_coverage WHERE account_id = ?`).get(accountId) as
      | { newest_start: number }
      | undefined;
    return row ? row.newest_start : null;
  }

  /**
   * Starts (and cost currency, '' when unpriced) of the account's buckets of `model` with start in [from, to), oldest
   * first. The daily roll-up finds the days that hold any, so a long range costs one seek per such day, not a scan of
   * every account's buckets.
   */
  bucketStarts(accountId: string, model: string, from: number, to: number): { start: number; currency: string }[] {
    const days = this.stmt(`SELECT DISTINCT day FROM usage_daily WHERE day >= ? AND day < ? AND account_id = ? AND model = ? ORDER BY day`).all(
      this.rollupDeps.dayOf(from),
      to,
      accountId,
      model,
    ) as { day: number }[];
    const inDay = this.stmt(`SELECT start, currency FROM usage_buckets WHERE start >= ? AND start < ? AND account_id = ? AND model = ? ORDER BY start`);
    const out: { start: number; currency: string }[] = [];
    for (const { day } of days) {
      const rows = inDay.all(Math.max(day, from), Math.min(this.rollupDeps.nextDay(day), to), accountId, model) as { start: number; currency: string }[];
      for (const r of rows) out.push({ start: r.start, currency: r.currency });
    }
    return out;
  }

  /** Whether the account has usage of any model but `exceptModel` in a bucket starting on a local day from `since`'s on. */
  hasUsageSince(accountId: string, since: number, exceptModel = ''): boolean {
    return (
      this.stmt(`SELECT 1 AS x FROM usage_daily WHERE day >= ? AND account_id = ? AND model <> ? LIMIT 1`).get(this.rollupDeps.dayOf(since), accountId, exceptModel) !==
      undefined
    );
  }

  /** Time of the account's first stored snapshot: since when Spendbar has watched it. */
  firstSnapshotTime(accountId: string): number | null {
    const row = this.stmt(`SELECT min(time) AS t FROM snapshots WHERE account_id = ?`).get(accountId) as { t: number | null } | undefined;
    return row?.t ?? null;
  }

  series(q: SeriesQuery): SeriesResult {
    return querySeries(this.ctx, q);
  }

  /**
   * Series and totals over another usage table of usage_buckets' columns in this database (the metering proxy's
   * hourly sums), answered by the same code so both kinds of usage mean the same thing. Never mixed with the store's.
   */
  usageView(tables: UsageTables): { series(q: SeriesQuery): SeriesResult; totals(q: TotalsQuery): UsageTotals[] } {
    const ctx: QueryContext = { ...this.ctx, usage: tables };
    return { series: (q) => querySeries(ctx, q), totals: (q) => queryTotals(ctx, q) };
  }

  totals(q: TotalsQuery): UsageTotals[] {
    return queryTotals(this.ctx, q);
  }

  /**
   * Models and keys seen in usage ("" — a provider that does not name keys — is left out). Models come from the
   * per-model roll-up (usage_daily summed over accounts and keys: the same models in a tenth of the rows, 14.9 →
   * 0.9 ms on a year of 20 accounts × 10 models); keys only usage_daily holds.
   */
  filterValues(): { models: string[]; keys: string[] } {
    // Kept until the next write: the keys scan all of usage_daily (4 ms on a year of 5 accounts × 10 models, 14–18 ms
    // through serve), and every page load opening on Usage asks for them.
    const version = writeVersion(this.stmt.bind(this));
    if (this.filterValuesKept?.version !== version) {
      const values = (col: string, table: string) =>
        (this.stmt(`SELECT DISTINCT ${col} AS v FROM ${table} WHERE ${col} <> '' ORDER BY v`).all() as {
          v: string;
        }[]).map((r) => r.v);
      this.filterValuesKept = { version, models: values('model', DAILY_BY_MODEL), keys: values('key', 'usage_daily') };
    }
    return { models: [...this.filterValuesKept.models], keys: [...this.filterValuesKept.keys] };
  }

  /** Removes every snapshot, usage bucket and roll-up row of the account. */
  deleteAccount(accountId: string): void {
    this.transaction(() => {
      this.stmt(SUBTRACT_ACCOUNT_DAILY_MODEL).run(accountId);
      this.stmt(`DELETE FROM usage_daily_model WHERE n = 0`).run();
      for (const table of ['snapshots', 'usage_buckets', 'usage_daily', 'balance_hourly', 'balance_daily', 'usage_coverage']) {
        this.stmt(`DELETE FROM ${table} WHERE account_id = ?`).run(accountId);
      }
    });
  }

  /**
   * Thins raw snapshots older than `rawDays` to one per account per hour. Usage buckets and the balance roll-up are
   * kept, so charts over old ranges do not change.
   */
  applyRetention(now: number, opts: { rawDays?: number } = {}): { removed: number } {
    const cutoff = now - (opts.rawDays ?? 90) * DAY;
    const result = this.transaction(() => withSmallCache(this.db, () => {
      const row = this.stmt(`SELECT CAST(value AS INTEGER) AS v FROM meta WHERE key = 'retention_until'`).get() as { v: number } | undefined;
      const done = row ? row.v : null;
      // From the start of the hour the last run stopped in: that hour may hold polls on both sides of its cutoff.
      let since = done === null ? null : Math.floor(Math.min(done, cutoff) / HOUR) * HOUR;
      if (since === null) {
        const first = (this.stmt(`SELECT min(time) AS t FROM snapshots`).get() as { t: number | null } | undefined)?.t;
        since = first == null ? cutoff : Math.floor(first / HOUR) * HOUR;
      }
      // A week at a time (whole hours, so no hour is split), which bounds the memory of the sort.
      let removed = 0;
      for (let from = since; from < cutoff; from += RETENTION_STEP) {
        removed += Number(this.stmt(RETENTION).run({ since: from, cutoff: Math.min(cutoff, from + RETENTION_STEP) }).changes);
      }
      this.stmt(`INSERT INTO meta (key, value) VALUES ('retention_until', CAST(? AS TEXT))
        ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)`).run(cutoff);
      return removed;
    }));
    return { removed: result };
  }

  /** Makes (or completes) the counter tables /metrics reads, filling them from history: seconds on a year of it. */
  prepareMetricsTotals(): void {
    if (this.metricsSteps >= METRICS_TOTALS_STEPS) return;
    // A fill scans and sorts the whole history: on a connection of its own, which gives back all it used.
    this.metricsSteps = metricsTotalsInPlace(this.db) ?? onOwnConnection(this.db, ensureMetricsTotals);
  }

  /** All-time counters for /metrics in one read; their tables are made first if need be (metrics-totals.ts). */
  metricsTotals(): MetricsTotals {
    const { usage, metered } = this.metricsTotalsSince(null);
    return { usage: usage?.usage ?? [], cost: usage?.cost ?? [], metered: metered ?? [] };
  }

  /** The counters in one read, only the halves that changed since `marks` (those of an earlier read) if given. */
  metricsTotalsSince(marks: MetricsMarks | null): MetricsTotalsRead {
    this.prepareMetricsTotals();
    return readMetricsTotals(this.stmt.bind(this), this.metricsSteps, marks);
  }

  /** Changes whenever a write may have changed metricsTotals(); reads no table. */
  metricsTotalsVersion(): string {
    this.prepareMetricsTotals();
    return metricsTotalsVersion(this.stmt.bind(this), this.metricsSteps);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
