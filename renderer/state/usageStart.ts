// The Usage view's first queries (trend, totals, filter values), built in one place: the view asks them, and when the
// page opens on Usage, main.tsx sends them at start-up with the live state's first load instead of after React has
// rendered the view. Their answers are then in, or on their way, when the view mounts, and its first render can
// draw the trend chart.
import type { FilterValues, SpendbarApi, TotalsQuery } from '../../shared/api.ts';
import type { SeriesQuery, SeriesResult, UsageTotals } from '../../shared/domain.ts';
import { pointsFor } from '../lib/chartData.ts';
import { DEFAULT_FILTER, filterArrays, resolveRange, type TimeRange, type UsageFilter } from '../lib/period.ts';

// The core downsamples each series to what its chart can show (figures/downsample.ts): bars of at least 3 px, at
// most 400 of them; a balance line gets a point per pixel of the widest its chart can be (one account, full width).
const MAX_BARS = 400;
const MAX_BALANCE_POINTS = 800;
/** The content width the charts share: the window, within the page's max-width and padding. */
const contentWidth = () => Math.min(typeof window === 'undefined' ? 1280 : window.innerWidth, 1400) - 60;

export interface ChartPoints {
  bars: number;
  balance: number;
}

export function chartPoints(): ChartPoints {
  return { bars: pointsFor(contentWidth(), 3, MAX_BARS), balance: pointsFor(contentWidth(), 1, MAX_BALANCE_POINTS) };
}

export type TrendQueryBase = Omit<SeriesQuery, 'metric'>;

export function trendQueryBase(o: { bucket: SeriesQuery['bucket']; stack: 'model' | 'key'; range: TimeRange; filter: UsageFilter; timeZone: string | undefined; points: ChartPoints }): TrendQueryBase {
  return { bucket: o.bucket, groupBy: o.stack, from: o.range.from, to: o.range.to, ...filterArrays(o.filter), timeZone: o.timeZone, maxPoints: o.points.bars };
}

export function totalsQuery(range: TimeRange, filter: UsageFilter): TotalsQuery {
  return { groupBy: 'model', from: range.from, to: range.to, ...filterArrays(filter) };
}

/** A request sent before its view mounted, and its outcome once known (so the view can start with it, not ask again). */
export interface Early<T> {
  promise: Promise<T>;
  outcome: { data: T } | { error: string } | null;
}

function early<T>(promise: Promise<T>): Early<T> {
  const e: Early<T> = { promise, outcome: null };
  promise.then(
    (data) => (e.outcome = { data }),
    (err: unknown) => (e.outcome = { error: err instanceof Error ? err.message : String(err) }),
  );
  return e;
}

/** What the view opens with: the default filter's range as resolved when these were sent, and the answers. */
export interface UsageStart {
  sentAt: number;
  timeZone: string | undefined;
  range: TimeRange;
  points: ChartPoints;
  trend: Early<SeriesResult>;
  totals: Early<UsageTotals[]>;
  filters: Early<FilterValues>;
}

// The view's opening state, which these queries must match: requests per day by model over the default period.
export const OPENING = { metric: 'requests', bucket: 'day', stack: 'model' } as const;

const starts = new WeakMap<SpendbarApi, UsageStart>();
// A start not taken by then (a first load that failed and was retried) is not used: the view asks afresh.
const FRESH_MS = 10_000;

/**
 * Sends the Usage view's first queries now, alongside the live state's first load. The app's time zone (which the
 * ranges are resolved in) comes with that load; until then it is taken to be this browser's, which it is unless the
 * settings name another zone or the dashboard is opened from another machine: then the view asks again.
 */
export function preloadUsage(api: SpendbarApi, now = Date.now(), timeZone = new Intl.DateTimeFormat().resolvedOptions().timeZone): UsageStart {
  const sent = starts.get(api);
  if (sent) return sent;
  const range = resolveRange(DEFAULT_FILTER, now, timeZone);
  const points = chartPoints();
  const base = trendQueryBase({ bucket: OPENING.bucket, stack: OPENING.stack, range, filter: DEFAULT_FILTER, timeZone, points });
  const start: UsageStart = {
    sentAt: now,
    timeZone,
    range,
    points,
    trend: early(api.querySeries({ ...base, metric: OPENING.metric })),
    totals: early(api.queryTotals(totalsQuery(range, DEFAULT_FILTER))),
    filters: early(api.filterValues()),
  };
  starts.set(api, start);
  return start;
}

/** What the view's first render needs to draw the trend chart and its figures: the trend and the totals. */
export function firstRenderNeeds(start: UsageStart): Promise<unknown> {
  return Promise.all([start.trend.promise, start.totals.promise]);
}

/**
 * The preloaded start, if its queries were sent for this time zone a moment ago (the view mounts after the live
 * state's first load, which includes `info`, so by then they have been). Taken once: a later visit asks afresh.
 */
export function takeUsageStart(api: SpendbarApi, timeZone: string | undefined, now = Date.now()): UsageStart | null {
  const start = starts.get(api);
  starts.delete(api);
  return start && start.timeZone === timeZone && now - start.sentAt < FRESH_MS ? start : null;
}
