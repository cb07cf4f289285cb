// Series from the core → what the bar charts draw, as plain data. The columns are exactly the core's bucket starts
// for the range (empty ones included), so a period of seven days is seven columns. Money is drawn in major units on
// one panel per currency (CNY and USD never share an axis); day-only series of an hourly result get a panel of day
// columns of their own instead of one-hour spikes at midnight.
import { MICROS } from '../../shared/money.ts';
import type { Series, SeriesMetric, SeriesResult } from '../../shared/domain.ts';
import { startOfDay } from './zone.ts';

export interface ChartSeries {
  /** Stable identity for legend toggles and colours: group plus currency. */
  id: string;
  label: string;
  group: string;
  currency?: string;
  hidden: boolean;
  /** One value per column of its panel, in the units drawn (major units for money). */
  values: number[];
  /** Sum of the values; for ordering and the test summary. */
  sum: number;
}

export interface ChartPanel {
  id: string;
  /** The currency for money panels; null for counts. */
  currency: string | null;
  bucket: string;
  /** How many buckets each column covers (the core merged runs of them to fit the chart): 1 when none. */
  span: number;
  columns: number[];
  series: ChartSeries[];
  /** Set on the panel of day-only series in an hourly chart. */
  daily: boolean;
}

export function isMoneyMetric(metric: SeriesMetric): boolean {
  return metric === 'cost' || metric === 'balance';
}

function valuesOn(columns: readonly number[], series: Series, money: boolean, place: (t: number) => number): number[] {
  const index = new Map(columns.map((t, i) => [t, i]));
  const values = columns.map(() => 0);
  for (const p of series.points) {
    const i = index.get(place(p.t));
    if (i !== undefined) values[i] = (values[i] ?? 0) + (money ? p.v / MICROS : p.v);
  }
  return values;
}

export interface PanelOptions {
  metric: SeriesMetric;
  hidden: ReadonlySet<string>;
  labelFor: (group: string) => string;
  /** The app's zone: day columns for day-only series are its midnights. */
  timeZone: string;
}

/** Panels for a result: one per currency (money) or one (counts), plus a day panel for day-only series in hourly data. */
export function chartPanels(result: SeriesResult | null, opts: PanelOptions): ChartPanel[] {
  if (!result) return [];
  const money = isMoneyMetric(opts.metric);
  const columns = result.starts;
  const dayColumns = result.bucket === 'hour' ? [...new Set(columns.map((t) => startOfDay(t, opts.timeZone)))] : [];
  const panels = new Map<string, ChartPanel>();
  for (const s of result.series) {
    const daily = s.width === 'day' && result.bucket === 'hour';
    const currency = money ? (s.currency ?? '') : null;
    const key = `${currency ?? ''}|${daily ? 'day' : result.bucket}`;
    let panel = panels.get(key);
    if (!panel) {
      panel = { id: key, currency: currency || null, bucket: daily ? 'day' : result.bucket, span: daily ? 1 : (result.span ?? 1), columns: daily ? dayColumns : columns, series: [], daily };
      panels.set(key, panel);
    }
    const id = s.currency ? `${s.group}\u0000${s.currency}` : s.group;
    const values = daily ? valuesOn(dayColumns, s, money, (t) => startOfDay(t, opts.timeZone)) : valuesOn(columns, s, money, (t) => t);
    const sum = values.reduce((a, v) => a + v, 0);
    // A series of nothing but zeros (a retired estimate) is not worth a legend entry.
    if (sum === 0 && values.every((v) => v === 0)) continue;
    const series: ChartSeries = { id, label: opts.labelFor(s.group), group: s.group, hidden: opts.hidden.has(id), values, sum };
    if (s.currency) series.currency = s.currency;
    panel.series.push(series);
  }
  const out = [...panels.values()].filter((p) => p.series.length > 0);
  // Biggest first: the stack's base and the legend's start show what burns the most.
  for (const p of out) p.series.sort((a, b) => b.sum - a.sum || a.label.localeCompare(b.label));
  return out.sort((a, b) => Number(a.daily) - Number(b.daily) || (a.currency ?? '').localeCompare(b.currency ?? ''));
}

/** "hour", "2 hours", "3 days": the width of one column, as the core served it (bucket × span). */
export function bucketWords(bucket: string, span = 1): string {
  return span > 1 ? `${span} ${bucket}s` : bucket;
}

/**
 * How many points to ask the core for: a chart about `widthPx` wide shows one point per `pxPerPoint` pixels, and
 * never more than `max`. The core merges buckets to fit (and says so), so the page never receives what it cannot draw.
 */
export function pointsFor(widthPx: number, pxPerPoint: number, max: number): number {
  return Math.max(24, Math.min(max, Math.floor(widthPx / pxPerPoint)));
}

/** Every series of the panels, once each (a group appears in one panel per currency). */
export function allSeries(panels: readonly ChartPanel[]): ChartSeries[] {
  return panels.flatMap((p) => p.series);
}

/** What the chart wrapper exposes in `data-series` for tests and tools: no Chart.js internals needed. */
export function seriesSummary(series: readonly ChartSeries[]): string {
  return JSON.stringify(
    series.map((s) => ({
      label: s.label,
      currency: s.currency ?? null,
      points: s.values.filter((v) => v !== 0).length,
      hidden: s.hidden,
      sum: Math.round(s.sum * 1e6) / 1e6,
    })),
  );
}

/** Ticks that read as numbers people write: 0, 0.5, 1, 1.5 — never "0, 1, 1, 2" from rounding a half-step away. */
export function tickDecimals(step: number): number {
  if (!(step > 0)) return 0;
  for (let d = 0; d < 6; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 6;
}
