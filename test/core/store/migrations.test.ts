import { describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, registerMigration, SchemaTooNewError, schemaVersion, SnapshotStore } from '../../../electron/core/store/index.ts';
import { migrate } from '../../../electron/core/store/migrations.ts';
import { DAY, HOUR, okSnapshot, openStore, tempDbPath, track } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 5);

function pragma(db: DatabaseSync, name: string): unknown {
  return Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>)[0];
}

describe('opening a database', () => {
  it('creates the schema at the latest version with WAL, NORMAL sync, a busy timeout and foreign keys', () => {
    const store = openStore();
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
    expect(pragma(store.db, 'journal_mode')).toBe('wal');
    expect(pragma(store.db, 'synchronous')).toBe(1);
    expect(pragma(store.db, 'busy_timeout')).toBe(5000);
    expect(pragma(store.db, 'foreign_keys')).toBe(1);
  });

  it('works in memory', () => {
    const store = track(SnapshotStore.open(':memory:'));
    store.saveSnapshot(okSnapshot('a', T0));
    expect(store.latest('a')?.time).toBe(T0);
  });

  it('upgrades a version-1 database without losing rows and builds the roll-ups from them', () => {
    const file = tempDbPath();
    const old = new DatabaseSync(file);
    migrate(old, file, MIGRATIONS.slice(0, 1));
    expect(schemaVersion(old)).toBe(1);
    const snap = okSnapshot('acct', T0 + 30 * 60_000, { balances: [{ micros: 7_000_000, currency: 'USD' }, { micros: 9, currency: 'CNY' }] });
    const { usage: _u, ...json } = snap;
    old
      .prepare(`INSERT INTO snapshots (account_id, time, ok, balance_micros, balance_currency, data) VALUES (?, ?, 1, ?, ?, ?)`)
      .run('acct', snap.time, 50_000_000, 'USD', JSON.stringify(json));
    const insertUsage = old.prepare(
      `INSERT INTO usage_buckets (start, account_id, width, model, key, currency, requests, input_tokens, output_tokens,
         cached_tokens, reasoning_tokens, cost_micros) VALUES (?, 'acct', 'hour', 'm1', '', 'USD', ?, 100, 10, 0, 0, ?)`,
    );
    for (let h = 0; h < 30; h++) insertUsage.run(T0 + h * HOUR, h + 1, (h + 1) * 1000);
    old.close();

    const store = openStore({}, file);
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
    expect(store.latest('acct')).toEqual({ ...snap, usage: [] });
    expect(store.db.prepare('SELECT count(*) AS n FROM usage_buckets').get()).toEqual({ n: 30 });
    expect(store.usageCoverage('acct')).toBe(T0 + 29 * HOUR);
    const daily = store.series({ metric: 'requests', bucket: 'day', groupBy: 'none', from: T0, to: T0 + 2 * DAY });
    // 1 + … + 24 on the first day, 25 + … + 30 on the second.
    expect(daily.series[0]?.points).toEqual([
      { t: T0, v: 300 },
      { t: T0 + DAY, v: 165 },
    ]);
    expect(store.db.prepare('SELECT sum(requests) AS n FROM usage_daily').get()).toEqual({ n: 465 });
    const balance = store.series({ metric: 'balance', bucket: 'hour', groupBy: 'account', from: T0, to: T0 + DAY });
    expect(balance.series.map((s) => [s.currency, s.points])).toEqual([
      ['CNY', [{ t: T0, v: 9 }]],
      ['USD', [{ t: T0, v: 7_000_000 }]],
    ]);
  });

  it('refuses a database written by a newer version and leaves it untouched', () => {
    const file = tempDbPath();
    const store = SnapshotStore.open(file);
    store.saveSnapshot(okSnapshot('acct', T0));
    store.db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    store.close();

    expect(() => SnapshotStore.open(file)).toThrow(SchemaTooNewError);
    expect(() => SnapshotStore.open(file)).toThrow(/newer Spendbar/);
    const raw = new DatabaseSync(file);
    expect(schemaVersion(raw)).toBe(MIGRATIONS.length + 1);
    expect(raw.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 1 });
    raw.close();
  });
});

describe('registerMigration', () => {
  it('appends a migration at the version its module names and applies it on the next open', () => {
    const file = tempDbPath();
    SnapshotStore.open(file).close();
    const version = MIGRATIONS.length + 1;
    const addTable = (db: DatabaseSync) => db.exec('CREATE TABLE extra_rules (id TEXT PRIMARY KEY)');
    try {
      expect(() => registerMigration(version + 1, addTable)).toThrow(/next free version is/);
      registerMigration(version, addTable);
      registerMigration(version, addTable); // the same function again is a no-op, not a second migration
      expect(MIGRATIONS.length).toBe(version);
      const store = openStore({}, file);
      expect(schemaVersion(store.db)).toBe(version);
      expect(store.db.prepare(`SELECT name FROM sqlite_schema WHERE name = 'extra_rules'`).get()).toEqual({ name: 'extra_rules' });
    } finally {
      MIGRATIONS.splice(version - 1);
    }
  });

  it('rolls a failing migration back completely and keeps the old version', () => {
    const file = tempDbPath();
    SnapshotStore.open(file).close();
    const version = MIGRATIONS.length + 1;
    try {
      registerMigration(version, (db) => {
        db.exec('CREATE TABLE half_done (x)');
        throw new Error('boom');
      });
      expect(() => SnapshotStore.open(file)).toThrow('boom');
    } finally {
      MIGRATIONS.splice(version - 1);
    }
    const raw = new DatabaseSync(file);
    expect(schemaVersion(raw)).toBe(version - 1);
    expect(raw.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half_done'`).get()).toEqual({ n: 0 });
    raw.close();
  });
});
