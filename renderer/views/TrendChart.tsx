import { useMemo, useState } from 'react';
import { Bar } from 'react-chartjs-2';
import type { ChartOptions, TooltipItem } from 'chart.js';
import '../chart/setup.ts';
import type { SeriesResult } from '../../shared/domain.ts';
import { formatMoney, MICROS } from '../../shared/money.ts';
import { seriesSummary, trendSeries, type ChartSeries } from '../lib/chartData.ts';
import { formatCompact, formatCount } from '../lib/format.ts';
import { seriesColor, useChartTheme } from '../chart/theme.ts';
import { Legend } from './Legend.tsx';

export type TrendMetric = 'requests' | 'totalTokens' | 'inputTokens' | 'outputTokens' | 'cost';
export type TrendBucket = 'hour' | 'day' | 'week';
export type TrendStack = 'model' | 'key';

export const TREND_METRICS: { id: TrendMetric; label: string }[] = [
  { id: 'requests', label: 'Requests' },
  { id: 'totalTokens', label: 'Total tokens' },
  { id: 'inputTokens', label: 'Input tokens' },
  { id: 'outputTokens', label: 'Output tokens' },
  { id: 'cost', label: 'Cost' },
];

export interface TrendChartProps {
  result: SeriesResult | null;
  loading: boolean;
  metric: TrendMetric;
  bucket: TrendBucket;
  stack: TrendStack;
  onMetric: (m: TrendMetric) => void;
  onBucket: (b: TrendBucket) => void;
  onStack: (s: TrendStack) => void;
  labelFor: (group: string) => string;
}

function exactValue(s: ChartSeries | undefined, y: number, metric: TrendMetric): string {
  if (metric === 'cost' && s?.currency) return formatMoney({ micros: Math.round(y * MICROS), currency: s.currency });
  return formatCount(y);
}

export function TrendChart(props: TrendChartProps) {
  const { result, metric, bucket, stack, labelFor } = props;
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const theme = useChartTheme();
  const series = useMemo(() => trendSeries(result, { metric, hidden, labelFor }), [result, metric, hidden, labelFor]);
  const colors = useMemo(() => new Map(series.map((s, i) => [s.id, seriesColor(i)])), [series]);
  const currencies = [...new Set(series.map((s) => s.currency).filter(Boolean))] as string[];

  const toggle = (id: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const data = {
    datasets: series.map((s) => ({
      label: s.label,
      data: s.points,
      hidden: s.hidden,
      backgroundColor: colors.get(s.id),
      // Each currency stacks on its own: a CNY bar never sits on top of a USD one.
      stack: s.currency ?? 'all',
    })),
  };

  const options: ChartOptions<'bar'> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'x', intersect: false },
    plugins: {
      tooltip: {
        callbacks: {
          label: (ctx: TooltipItem<'bar'>) => `${ctx.dataset.label ?? ''}: ${exactValue(series[ctx.datasetIndex], ctx.parsed.y ?? 0, metric)}`,
        },
      },
    },
    scales: {
      x: { type: 'time', stacked: true, time: { unit: bucket, tooltipFormat: bucket === 'hour' ? 'PP p' : 'PP' }, ticks: { color: theme.text, maxRotation: 0, autoSkip: true, maxTicksLimit: 10 }, grid: { color: theme.grid } },
      y: {
        stacked: true,
        beginAtZero: true,
        ticks: {
          color: theme.text,
          callback: (v) => (metric === 'cost' && currencies.length === 1 ? formatMoney({ micros: Math.round(Number(v) * MICROS), currency: currencies[0]! }, 0) : formatCompact(Number(v))),
        },
        grid: { color: theme.grid },
      },
    },
  };

  const metricLabel = TREND_METRICS.find((m) => m.id === metric)?.label ?? metric;
  const downsampled = result && result.bucket !== bucket;
  return (
    <section className="card chart-card" aria-labelledby="trend-title">
      <div className="chart-head">
        <h3 id="trend-title">Usage trend</h3>
        <div className="chart-controls">
          <label>
            <span>Metric</span>
            <select data-testid="trend-metric" value={metric} onChange={(e) => props.onMetric(e.target.value as TrendMetric)}>
              {TREND_METRICS.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Per</span>
            <select data-testid="trend-bucket" value={bucket} onChange={(e) => props.onBucket(e.target.value as TrendBucket)}>
              <option value="hour">Hour</option>
              <option value="day">Day</option>
              <option value="week">Week</option>
            </select>
          </label>
          <label>
            <span>Stack by</span>
            <select data-testid="trend-stack" value={stack} onChange={(e) => props.onStack(e.target.value as TrendStack)}>
              <option value="model">Model</option>
              <option value="key">API key</option>
            </select>
          </label>
        </div>
      </div>
      {downsampled && <p className="muted small">Shown per {result.bucket}: too many points for per-{bucket} bars.</p>}
      <div
        className="chart-box"
        data-testid="trend-chart"
        data-series={seriesSummary(series)}
        data-metric={metric}
        data-bucket={result?.bucket ?? bucket}
        aria-busy={props.loading}
      >
        {series.length === 0 ? (
          <p className="chart-empty muted" data-testid="trend-empty">
            {props.loading ? 'Loading…' : 'No usage in this period.'}
          </p>
        ) : (
          <Bar
            data={data}
            options={options}
            data-testid="trend-canvas"
            aria-label={`${metricLabel} per ${result?.bucket ?? bucket}, stacked by ${stack}: ${series.filter((s) => !s.hidden).map((s) => `${s.label} ${exactValue(s, s.sum, metric)}`).join(', ')}`}
          />
        )}
      </div>
      <Legend series={series} colors={colors} onToggle={toggle} testId="trend-legend" />
    </section>
  );
}
