// Test fixtures for the alert engine: snapshot builders, a fake clock, a recording notifier, and a small SQLite-backed
// stand-in for SnapshotStore (same table names for what the adapter reads), driven through historyFromStore.
import { blankSnapshot } from '../../../electron/core/snapshots.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { AccountStatus, Series, SeriesQuery, SeriesResult, Snapshot, UsageBucket } from '../../../shared/domain.ts';
import type { Notification, Notifier } from '../../../electron/core/ports.ts';
import { bucketStart } from '../../../electron/core/store/tz.ts';
import type { SnapshotStoreLike } from '../../../electron/core/alerts/history.ts';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const usd = (major: number) => ({ micros: Math.round(major * 1e6), currency: 'USD' });

export function snap(accountId: string, time: number, over: Partial<Snapshot> = {}): Snapshot {
  return blankSnapshot(accountId, 'newapi', time, over);
}

export function balanceSnap(accountId: string, time: number, major: number, currency = 'USD'): Snapshot {
  const m = { micros: Math.round(major * 1e6), currency };
  return snap(accountId, time, { balance: m, balances: [m] });
}

export function usageBucket(start: number, over: Partial<UsageBucket> = {}): UsageBucket {
  return { start, width: 'hour', model: 'm', key: '', requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: null, ...over };
}

export function statusOf(s: Snapshot, over: Partial<AccountStatus> = {}): AccountStatus {
  return { accountId: s.accountId, latest: s, lastSuccess: s.ok ? s : null, stale: false, polling: false, paused: false, nextPollAt: null, consecutiveFailures: s.ok ? 0 : 1, ...over };
}

export class Clock {
  t: number;
  constructor(t: number) {
    this.t = t;
  }
  now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

export function recordingNotifier(): Notifier & { shown: Notification[] } {
  const shown: Notification[] = [];
  return {
    shown,
    async notify(n) {
      shown.push(n);
    },
  };
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'spendbar-alerts-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Snapshots and usage buckets in SQLite, with series() bucketing in the query's zone like the real store. */
export class TestStore implements SnapshotStoreLike {
  readonly db: DatabaseSync;
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS snapshots (id INTEGER PRIMARY KEY, account_id TEXT, time INTEGER, ok INTEGER, data TEXT);
      CREATE TABLE IF NOT EXISTS usage_buckets (start INTEGER, account_id TEXT, width TEXT, model TEXT, key TEXT, currency TEXT,
        requests INTEGER, tokens INTEGER, cost_micros INTEGER, PRIMARY KEY (start, account_id, width, model, key));`);
  }

  save(...list: Snapshot[]): void {
    this.db.exec('BEGIN');
    for (const s of list) {
      this.db.prepare('INSERT INTO snapshots (account_id, time, ok, data) VALUES (?, ?, ?, ?)').run(s.accountId, s.time, s.ok ? 1 : 0, JSON.stringify({ ...s, usage: [] }));
      if (!s.ok) continue;
      for (const u of s.usage) {
        this.db
          .prepare('INSERT OR REPLACE INTO usage_buckets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(u.start, s.accountId, u.width, u.model, u.key, u.cost?.currency ?? '', u.requests, u.inputTokens + u.outputTokens, u.cost?.micros ?? null);
      }
    }
    this.db.exec('COMMIT');
  }

  snapshots(accountId: string, from: number, to: number, opts: { okOnly?: boolean } = {}): Snapshot[] {
    const rows = this.db
      .prepare('SELECT data FROM snapshots WHERE account_id = ? AND time >= ? AND time < ? AND (ok = 1 OR ? = 0) ORDER BY time, id')
      .all(accountId, from, to, opts.okOnly ? 1 : 0) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as Snapshot);
  }

  series(q: SeriesQuery): SeriesResult {
    const col = q.metric === 'cost' ? 'cost_micros' : q.metric === 'requests' ? 'requests' : 'tokens';
    const rows = this.db
      .prepare(`SELECT start, currency, ${col} AS v FROM usage_buckets WHERE account_id IN (SELECT value FROM json_each(?)) AND start >= ? AND start < ? AND ${col} IS NOT NULL`)
      .all(JSON.stringify(q.accountIds ?? []), q.from, q.to) as { start: number; currency: string; v: number }[];
    const groups = new Map<string, Map<number, number>>();
    for (const r of rows) {
      const g = q.metric === 'cost' ? r.currency : '';
      const t = bucketStart(q.timeZone ?? 'UTC', q.bucket, r.start);
      const m = groups.get(g) ?? new Map<number, number>();
      m.set(t, (m.get(t) ?? 0) + r.v);
      groups.set(g, m);
    }
    const series: Series[] = [...groups].map(([g, m]) => ({
      group: q.accountIds?.[0] ?? 'all',
      ...(q.metric === 'cost' ? { currency: g } : {}),
      points: [...m].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v })),
    }));
    return { query: q, bucket: q.bucket, starts: [], series };
  }

  close(): void {
    this.db.close();
  }
}

export interface Setup {
  store: TestStore;
  engine: import('../../../electron/core/alerts/engine.ts').AlertEngine;
  clock: Clock;
  notifier: ReturnType<typeof recordingNotifier>;
  path: string;
  /** Saves the snapshot, then runs the engine on it as the core does. */
  poll(s: Snapshot, over?: Partial<AccountStatus>): import('../../../shared/alerts.ts').AlertEvent[];
  /** Reopens the database and a fresh engine with the same rules: a restart. */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export const ACCOUNTS = ['gw', 'or', 'ds'];

export async function setup(
  rawRules: unknown[],
  opts: { t0: number; zone?: string; channels?: import('../../../shared/alerts.ts').AlertChannel[]; quietHours?: import('../../../shared/alerts.ts').QuietHours; http?: import('../../../electron/core/http.ts').HttpClient; retry?: Partial<import('../../../electron/core/alerts/delivery.ts').RetryPolicy>; budgets?: { micros: number; currency: string }[] },
): Promise<Setup> {
  const { AlertEngine } = await import('../../../electron/core/alerts/engine.ts');
  const { historyFromStore } = await import('../../../electron/core/alerts/history.ts');
  const { validateRules } = await import('../../../shared/alerts.ts');
  const tmp = tempDir();
  const path = join(tmp.dir, 'spendbar.db');
  const { rules, errors } = validateRules(rawRules, { accountIds: ACCOUNTS });
  if (errors.length) throw new Error(errors.map((e) => e.message).join('\n'));
  const clock = new Clock(opts.t0);
  const notifier = recordingNotifier();
  const open = () => {
    const store = new TestStore(path);
    const engine = new AlertEngine({
      db: store.db,
      history: historyFromStore(store),
      rules,
      notifier,
      now: clock.now,
      timeZone: opts.zone ?? 'UTC',
      tickMs: 0,
      ...(opts.channels ? { channels: opts.channels } : {}),
      ...(opts.quietHours ? { quietHours: opts.quietHours } : {}),
      ...(opts.http ? { http: opts.http } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.budgets ? { budgets: () => opts.budgets! } : {}),
    });
    return { store, engine };
  };
  const latest = new Map<string, AccountStatus>();
  const s: Setup = {
    ...open(),
    clock,
    notifier,
    path,
    poll(snapshot, over = {}) {
      s.store.save(snapshot);
      const prev = latest.get(snapshot.accountId);
      const st = statusOf(snapshot, { lastSuccess: snapshot.ok ? snapshot : (prev?.lastSuccess ?? null), ...over });
      latest.set(snapshot.accountId, st);
      return s.engine.onSnapshot(snapshot, [...latest.values()]);
    },
    async restart() {
      await s.engine.close();
      s.store.close();
      Object.assign(s, open());
    },
    async cleanup() {
      await s.engine.close();
      s.store.close();
      tmp.cleanup();
    },
  };
  return s;
}
