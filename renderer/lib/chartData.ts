// Series from the core → what the charts draw, as plain data. Values for cost and balance arrive in micro-units
// and are drawn in major units; datasets of different currencies are labelled apart and never stacked together.
import { MICROS } from '../../shared/money.ts';
import type { SeriesMetric, SeriesResult } from '../../shared/domain.ts';

export interface XY {
  x: number;
  y: number;
}

export interface ChartSeries {
  /** Stable identity for legend toggles: group plus currency. */
  id: string;
  label: string;
  group: string;
  currency?: string;
  hidden: boolean;
  points: XY[];
  /** Sum of the points in the units drawn; for ordering and the test summary. */
  sum: number;
}

export function isMoneyMetric(metric: SeriesMetric): boolean {
  return metric === 'cost' || metric === 'balance';
}

export function trendSeries(
  result: SeriesResult | null,
  opts: { metric: SeriesMetric; hidden: ReadonlySet<string>; labelFor: (group: string) => string },
): ChartSeries[] {
  if (!result) return [];
  const money = isMoneyMetric(opts.metric);
  const currencies = new Set(result.series.map((s) => s.currency ?? ''));
  const out = result.series.map((s) => {
    const id = s.currency ? `${s.group}\u0000${s.currency}` : s.group;
    const points = s.points.map((p) => ({ x: p.t, y: money ? p.v / MICROS : p.v }));
    const base = opts.labelFor(s.group);
    const series: ChartSeries = {
      id,
      label: money && currencies.size > 1 && s.currency ? `${base} (${s.currency})` : base,
      group: s.group,
      hidden: opts.hidden.has(id),
      points,
      sum: points.reduce((acc, p) => acc + p.y, 0),
    };
    if (s.currency) series.currency = s.currency;
    return series;
  });
  // Biggest first: the stack's base and the legend's start show what burns the most.
  return out.sort((a, b) => b.sum - a.sum || a.label.localeCompare(b.label));
}

/** What the chart wrapper exposes in `data-series` for tests and tools: no Chart.js internals needed. */
export function seriesSummary(series: readonly ChartSeries[]): string {
  return JSON.stringify(
    series.map((s) => ({ label: s.label, currency: s.currency ?? null, points: s.points.length, hidden: s.hidden, sum: Math.round(s.sum * 1e6) / 1e6 })),
  );
}
