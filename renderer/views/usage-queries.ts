// What the Usage view asks the core for, in one place: the view builds its queries here, and start-up (main.tsx) asks
// the same queries for the view's opening selection before React renders, so the answers are in when the view is.
import type { SpendbarApi, TotalsQuery } from '../../shared/api.ts';
import type { SeriesQuery } from '../../shared/domain.ts';
import { pointsFor } from '../lib/chartData.ts';
import { DEFAULT_FILTER, filterArrays, resolveRange, type TimeRange, type UsageFilter } from '../lib/period.ts';
import { askEarly } from '../state/early.ts';
import type { TrendBucket, TrendMetric, TrendStack } from './TrendChart.tsx';

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

/** The trend chart's selection besides the filter. */
export interface TrendSelection {
  metric: TrendMetric;
  bucket: TrendBucket;
  stack: TrendStack;
}

/** What the view shows when it opens. */
export const OPENING: { filter: UsageFilter } & TrendSelection = { filter: DEFAULT_FILTER, metric: 'requests', bucket: 'day', stack: 'model' };

/** The trend chart's query without its metric (the export shares it). */
export function trendBase(filter: UsageFilter, range: TimeRange, bucket: TrendBucket, stack: TrendStack, timeZone: string | undefined, points: ChartPoints): Omit<SeriesQuery, 'metric'> {
  return { bucket, groupBy: stack, from: range.from, to: range.to, ...filterArrays(filter), timeZone, maxPoints: points.bars };
}

export function totalsQuery(filter: UsageFilter, range: TimeRange): TotalsQuery {
  return { groupBy: 'model', from: range.from, to: range.to, ...filterArrays(filter) };
}

/**
 * Start-up, when the page opens on Usage: the opening selection's trend, totals and filter values, asked in the order
 * the core answers them (one at a time, the chart above the fold first).
 */
export function askUsageEarly(api: SpendbarApi, timeZone: string): void {
  const range = resolveRange(OPENING.filter, Date.now(), timeZone);
  const trend: SeriesQuery = { ...trendBase(OPENING.filter, range, OPENING.bucket, OPENING.stack, timeZone, chartPoints()), metric: OPENING.metric };
  const totals = totalsQuery(OPENING.filter, range);
  askEarly('series', trend, () => api.querySeries(trend));
  askEarly('totals', totals, () => api.queryTotals(totals));
  askEarly('filters', null, () => api.filterValues());
}
