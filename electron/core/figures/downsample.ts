// A series answer fitted to the chart that draws it: at most `maxPoints` columns per series. The store picks the
// calendar bucket (hour, day, week, month) and may answer up to FINER_FACTOR × maxPoints columns of it; this module
// then merges runs of consecutive columns, `span` of them per point, and says so in the answer (`span`), so a chart
// labels its bars "per 2 hours" rather than "per hour". Nothing is dropped:
//   - usage (counts, cost): a merged point is the exact sum of the points it replaces;
//   - balance: a merged point is the last balance of its run (what the account held at the end of it), with the
//     lowest and highest balance of the run beside it, so a dip inside the run is not hidden.
import type { SeriesPoint, SeriesQuery, SeriesResult } from '../../../shared/domain.ts';

/** What the store is asked for per maxPoints the chart has room for: finer buckets, merged here to fit. */
export const FINER_FACTOR = 4;
/** The most columns the store is asked for, whatever the chart's width (the query schema's own bound). */
export const MAX_STORE_POINTS = 10_000;
/** Points per series when the query does not say (the store's default, too). */
export const DEFAULT_MAX_POINTS = 1000;

/** The query the store answers for a chart of `q.maxPoints` columns: up to FINER_FACTOR times as many. */
export function storeQuery(q: SeriesQuery): SeriesQuery {
  const maxPoints = q.maxPoints ?? DEFAULT_MAX_POINTS;
  return { ...q, maxPoints: Math.min(MAX_STORE_POINTS, Math.max(maxPoints, maxPoints * FINER_FACTOR)) };
}

/** The first index i with starts[i] > t, minus one: the column holding t (−1 before the first). */
function columnOf(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((starts[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function mergeSums(points: readonly SeriesPoint[], starts: readonly number[], span: number, merged: readonly number[]): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const p of points) {
    const g = Math.floor(Math.max(0, columnOf(starts, p.t)) / span);
    const last = out.at(-1);
    if (last && last.t === merged[g]) last.v += p.v;
    else out.push({ t: merged[g] as number, v: p.v });
  }
  return out;
}

function mergeBalances(points: readonly SeriesPoint[], starts: readonly number[], span: number, merged: readonly number[]): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const p of points) {
    const g = Math.floor(Math.max(0, columnOf(starts, p.t)) / span);
    const lo = p.min ?? p.v;
    const hi = p.max ?? p.v;
    const last = out.at(-1);
    if (last && last.t === merged[g]) {
      // Points come in time order: the later one is the run's balance so far.
      last.v = p.v;
      last.min = Math.min(last.min as number, lo);
      last.max = Math.max(last.max as number, hi);
    } else {
      out.push({ t: merged[g] as number, v: p.v, min: lo, max: hi });
    }
  }
  return out;
}

/**
 * The result with at most `maxPoints` columns: `span` consecutive columns of `result.bucket` per point (1 when it
 * already fits). Point times stay column starts; the first column's start is the merged point's time.
 */
export function downsample(result: SeriesResult, maxPoints: number = result.query.maxPoints ?? DEFAULT_MAX_POINTS): SeriesResult {
  const n = result.starts.length;
  const budget = Math.max(1, Math.floor(maxPoints));
  if (n <= budget) return { ...result, span: 1 };
  const span = Math.ceil(n / budget);
  const merged = result.starts.filter((_, i) => i % span === 0);
  const balance = result.query.metric === 'balance';
  const series = result.series.map((s) => {
    const points = [...s.points].sort((a, b) => a.t - b.t);
    return { ...s, points: balance ? mergeBalances(points, result.starts, span, merged) : mergeSums(points, result.starts, span, merged) };
  });
  return { ...result, starts: merged, series, span };
}
