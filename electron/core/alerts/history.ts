// What the alert engine reads from stored history, as a narrow port: recent snapshots (burn rate, failures) and
// usage summed per hour or day (spend windows, spike baselines, month-to-date tokens).
import type { Series, SeriesQuery, SeriesResult, Snapshot } from '../../../shared/domain.ts';

export type UsageMetric = 'cost' | 'requests' | 'totalTokens';

export interface AlertHistory {
  /** Snapshots of one account with from <= time < to, oldest first. */
  snapshots(accountId: string, from: number, to: number, opts?: { okOnly?: boolean }): Snapshot[];
  /** Usage of one account per bucket of `timeZone`, for [from, to); cost comes as one series per currency. */
  usage(metric: UsageMetric, accountId: string, bucket: 'hour' | 'day', from: number, to: number, timeZone: string): Series[];
  /** Earliest time the account has usage data for, or null: spike baselines skip weeks before it. */
  dataSince(accountId: string): number | null;
}

/** The parts of SnapshotStore the adapter uses. */
export interface SnapshotStoreLike {
  snapshots(accountId: string, from: number, to: number, opts?: { okOnly?: boolean }): Snapshot[];
  series(q: SeriesQuery): SeriesResult;
  readonly db?: { prepare(sql: string): { get(...params: (string | number)[]): unknown } };
}

export function historyFromStore(store: SnapshotStoreLike): AlertHistory {
  return {
    snapshots: (accountId, from, to, opts) => store.snapshots(accountId, from, to, opts ?? {}),
    usage(metric, accountId, bucket, from, to, timeZone) {
      const span = Math.ceil((to - from) / (bucket === 'hour' ? 3_600_000 : 86_400_000)) + 2;
      return store.series({ metric, bucket, groupBy: 'account', from, to, accountIds: [accountId], timeZone, maxPoints: Math.max(1000, span) }).series;
    },
    dataSince(accountId) {
      // Not part of the store's API. The usage table's key starts with `start`, so walking it in that order stops at
      // the account's first bucket (a MIN with this WHERE would scan every row); "unknown" when the schema differs.
      try {
        const row = store.db?.prepare('SELECT start AS t FROM usage_buckets WHERE account_id = ? ORDER BY start LIMIT 1').get(accountId) as { t: number | null } | undefined;
        return row?.t ?? null;
      } catch {
        return null;
      }
    },
  };
}

/**
 * Serves repeated look-ups inside [from, to) from one read per account: the preview asks for the same weeks once
 * per simulated hour.
 */
export function cachedHistory(inner: AlertHistory, from: number, to: number): AlertHistory {
  const snaps = new Map<string, Snapshot[]>();
  const usage = new Map<string, Series[]>();
  const since = new Map<string, number | null>();
  return {
    snapshots(accountId, a, b, opts) {
      if (a < from || b > to) return inner.snapshots(accountId, a, b, opts);
      let all = snaps.get(accountId);
      if (!all) snaps.set(accountId, (all = inner.snapshots(accountId, from, to, { okOnly: false })));
      return all.filter((s) => s.time >= a && s.time < b && (!opts?.okOnly || s.ok));
    },
    usage(metric, accountId, bucket, a, b, zone) {
      if (a < from || b > to) return inner.usage(metric, accountId, bucket, a, b, zone);
      const key = `${metric}|${accountId}|${bucket}|${zone}`;
      let all = usage.get(key);
      if (!all) usage.set(key, (all = inner.usage(metric, accountId, bucket, from, to, zone)));
      return all.map((s) => ({ ...s, points: s.points.filter((p) => p.t >= a && p.t < b) }));
    },
    dataSince(accountId) {
      if (!since.has(accountId)) since.set(accountId, inner.dataSince(accountId));
      return since.get(accountId) ?? null;
    },
  };
}

/** Sum of a series' points in [from, to), for one currency (cost) or the only series (counts). */
export function sumUsage(series: Series[], from: number, to: number, currency?: string): number {
  let total = 0;
  for (const s of series) {
    if (currency !== undefined && s.currency !== undefined && s.currency !== currency) continue;
    for (const p of s.points) if (p.t >= from && p.t < to) total += p.v;
  }
  return total;
}
