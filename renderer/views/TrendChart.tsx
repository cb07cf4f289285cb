import { Suspense, useMemo, useState } from 'react';
import type { SeriesResult } from '../../shared/domain.ts';
import { trendSeries } from '../lib/chartData.ts';
import { seriesColor } from '../chart/theme.ts';
import { LazyTrendCanvas } from '../chart/lazy.ts';
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

export function TrendChart(props: TrendChartProps) {
  const { result, metric, bucket, stack, labelFor } = props;
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const series = useMemo(() => trendSeries(result, { metric, hidden, labelFor }), [result, metric, hidden, labelFor]);
  const colors = useMemo(() => new Map(series.map((s, i) => [s.id, seriesColor(i)])), [series]);
  const toggle = (id: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

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
      <Suspense
        fallback={
          <div className="chart-box" aria-busy="true">
            <p className="chart-empty muted">Loading…</p>
          </div>
        }
      >
        <LazyTrendCanvas series={series} colors={colors} metric={metric} metricLabel={metricLabel} bucket={bucket} shownBucket={result?.bucket ?? bucket} stack={stack} loading={props.loading} />
      </Suspense>
      <Legend series={series} colors={colors} onToggle={toggle} testId="trend-legend" />
    </section>
  );
}
