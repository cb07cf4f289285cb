// The series API fits each answer to the chart's maxPoints by merging runs of buckets: sums stay exact, balances keep
// their last value with the run's low and high, and the answer says how many buckets each point covers.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downsample, storeQuery } from '../../../electron/core/figures/downsample.ts';
import { createCore, type EngineCore } from '../../../electron/core/engine.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { SnapshotStore } from '../../../electron/core/store/index.ts';
import type { Series, SeriesResult, Snapshot, UsageBucket } from '../../../shared/domain.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);

/** 720 hourly columns; series "a" has a point in most of them, "b" in a few; values vary so a lost point shows. */
function hourly(metric: 'requests' | 'balance'): SeriesResult {
  const starts = Array.from({ length: 720 }, (_, i) => T0 + i * HOUR);
  const a: Series = { group: 'a', points: starts.filter((_, i) => i % 7 !== 3).map((t, i) => ({ t, v: metric === 'balance' ? 9_000_000 - i * 1000 + (i % 5 === 0 ? -400_000 : 0) : (i * 37) % 101 })) };
  const b: Series = { group: 'b', points: [5, 6, 7, 300, 719].map((i) => ({ t: starts[i]!, v: 1000 + i })) };
  return { query: { metric, bucket: 'hour', groupBy: 'account', from: T0, to: T0 + 720 * HOUR, maxPoints: 4000 }, bucket: 'hour', starts, series: [a, b] };
}

const sum = (s: Series) => s.points.reduce((x, p) => x + p.v, 0);

describe('downsample', () => {
  it('merges runs of buckets into at most maxPoints columns and says how many buckets each covers', () => {
    const r = downsample(hourly('requests'), 100);
    expect(r.span).toBe(8); // ⌈720 / 100⌉
    expect(r.bucket).toBe('hour');
    expect(r.starts).toHaveLength(90);
    expect(r.starts.length).toBeLessThanOrEqual(100);
    expect(r.starts[1]! - r.starts[0]!).toBe(8 * HOUR);
    for (const s of r.series) expect(s.points.length).toBeLessThanOrEqual(100);
  });

  it('keeps every sum exact: each merged point is the sum of the points of its run', () => {
    const before = hourly('requests');
    const r = downsample(before, 100);
    for (const [i, s] of r.series.entries()) {
      const orig = before.series[i]!;
      expect(sum(s)).toBe(sum(orig));
      for (const p of s.points) {
        const run = orig.points.filter((q) => q.t >= p.t && q.t < p.t + 8 * HOUR);
        expect(p.v).toBe(run.reduce((x, q) => x + q.v, 0));
        expect(run.length).toBeGreaterThan(0);
      }
    }
    // "b" has points in hours 5, 6, 7 (one run), 300 and 719: three merged points.
    expect(r.series[1]!.points.map((p) => [(p.t - T0) / HOUR, p.v])).toEqual([
      [0, 1005 + 1006 + 1007],
      [296, 1300],
      [712, 1719],
    ]);
  });

  it('merges balances by the last balance of each run, with its lowest and highest', () => {
    const before = hourly('balance');
    const r = downsample(before, 100);
    const orig = before.series[0]!;
    for (const p of r.series[0]!.points) {
      const run = orig.points.filter((q) => q.t >= p.t && q.t < p.t + 8 * HOUR);
      expect(p.v).toBe(run.at(-1)!.v);
      expect(p.min).toBe(Math.min(...run.map((q) => q.v)));
      expect(p.max).toBe(Math.max(...run.map((q) => q.v)));
    }
    // The dips (every fifth point) sit inside runs: they show as the run's low, not as its value.
    expect(r.series[0]!.points.some((p) => p.min! < p.v)).toBe(true);
    // Merging merged balances again keeps the lowest and highest of all of them.
    const twice = downsample({ ...r, starts: r.starts }, 10);
    expect(Math.min(...twice.series[0]!.points.map((p) => p.min!))).toBe(Math.min(...orig.points.map((q) => q.v)));
    expect(Math.max(...twice.series[0]!.points.map((p) => p.max!))).toBe(Math.max(...orig.points.map((q) => q.v)));
  });

  it('leaves an answer that fits as it is, with span 1', () => {
    const before = hourly('requests');
    const r = downsample(before, 720);
    expect(r.span).toBe(1);
    expect(r.starts).toEqual(before.starts);
    expect(r.series).toEqual(before.series);
  });

  it('asks the store for finer buckets than the chart has room for, within the schema bound', () => {
    expect(storeQuery({ metric: 'requests', bucket: 'hour', groupBy: 'none', from: 0, to: 1, maxPoints: 300 }).maxPoints).toBe(1200);
    expect(storeQuery({ metric: 'requests', bucket: 'hour', groupBy: 'none', from: 0, to: 1, maxPoints: 9000 }).maxPoints).toBe(10_000);
  });
});

describe('the series API', () => {
  let core: EngineCore | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await core?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    core = undefined;
  });

  it('serves a month of hourly usage in merged hours whose sums match the totals, and says the span', async () => {
    dir = mkdtempSync(join(tmpdir(), 'spendbar-downsample-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const store = SnapshotStore.open(join(dataDir, 'spendbar.db'), { timeZone: 'UTC' });
    const snaps: Snapshot[] = [];
    for (let h = 0; h < 30 * 24; h++) {
      const start = T0 + h * HOUR;
      const usage: UsageBucket[] = ['m1', 'm2'].map((model, m) => {
        const n = 1 + ((h * 7 + m * 13) % 40);
        return { start, width: 'hour', model, key: 'k', requests: n, inputTokens: n * 900, outputTokens: n * 250, cachedTokens: 0, reasoningTokens: 0, cost: { micros: n * 1800, currency: 'USD' } };
      });
      snaps.push({ accountId: 'acc', provider: 'deepseek', time: start + HOUR - 60_000, ok: true, error: null, balance: null, balances: [], spent: {}, quota: null, usage, estimated: false, notes: [] });
    }
    store.saveSnapshots(snaps);
    store.close();
    core = await createCore({ dataDir, mode: 'serve', settings: createMemorySettingsStore(), secrets: createMemorySecretStore(), configAccounts: [] });

    const q = { metric: 'requests' as const, bucket: 'hour' as const, groupBy: 'model' as const, from: T0, to: T0 + 30 * 24 * HOUR, timeZone: 'UTC' };
    const narrow = await core.api.querySeries({ ...q, maxPoints: 200 });
    expect(narrow.bucket).toBe('hour');
    expect(narrow.span).toBe(4); // ⌈720 / 200⌉
    expect(narrow.query.maxPoints).toBe(200);
    expect(narrow.starts.length).toBeLessThanOrEqual(200);
    const totals = await core.api.queryTotals({ groupBy: 'model', from: q.from, to: q.to });
    for (const s of narrow.series) {
      expect(s.points.length).toBeLessThanOrEqual(200);
      expect(sum(s)).toBe(totals.find((t) => t.group === s.group)!.requests);
    }
    const wide = await core.api.querySeries({ ...q, maxPoints: 1000 });
    expect(wide.span).toBe(1);
    expect(wide.starts).toHaveLength(720);
    expect(wide.series.map(sum)).toEqual(narrow.series.map(sum));
  });
});
