import { useMemo, useState } from 'react';
import type { SeriesResult } from '../../shared/domain.ts';
import { allSeries, bucketWords, chartPanels, seriesSummary } from '../lib/chartData.ts';
import { useCharts } from '../chart/lazy.ts';
import { Legend } from './Legend.tsx';
import type { ColorOf } from '../chart/theme.ts';

export type TrendMetric = 'requests' | 'totalTokens' | 'inputTokens' | 'outputTokens' | 'cost';
export type TrendBucket = 'hour' | 'day' | 'week';
export type TrendStack = 'model' | 'key';

export const TREND_METRICS: { id: TrendMetric; label: string; unit: string }[] = [
  { id: 'requests', label: 'Requests', unit: 'requests' },
  { id: 'totalTokens', label: 'Total tokens', unit: 'tokens' },
  { id: 'inputTokens', label: 'Input tokens', unit: 'tokens' },
  { id: 'outputTokens', label: 'Output tokens', unit: 'tokens' },
  { id: 'cost', label: 'Cost', unit: '' },
];

export interface TrendChartProps {
  result: SeriesResult | null;
  loading: boolean;
  metric: TrendMetric;
  bucket: TrendBucket;
  stack: TrendStack;
  timeZone: string;
  /** What the filter selects, in words, for the empty state. */
  selection: string;
  onMetric: (m: TrendMetric) => void;
  onBucket: (b: TrendBucket) => void;
  onStack: (s: TrendStack) => void;
  labelFor: (group: string) => string;
  /** Every model and key there is (not only those shown), so each keeps one colour. */
  colorOf: ColorOf;
}

export function TrendChart(props: TrendChartProps) {
  const { result, metric, bucket, stack, labelFor, timeZone } = props;
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const charts = useCharts();
  const panels = useMemo(() => chartPanels(result, { metric, hidden, labelFor, timeZone }), [result, metric, hidden, labelFor, timeZone]);
  const series = allSeries(panels);
  const toggle = (id: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const spec = TREND_METRICS.find((m) => m.id === metric) ?? TREND_METRICS[0]!;
  const span = result?.span ?? 1;
  const downsampled = result && (result.bucket !== bucket || span > 1);
  const empty = series.length === 0;
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
      {downsampled && (
        <p className="muted small" data-testid="trend-downsampled">
          Shown per {bucketWords(result.bucket, span)}: too many points for per-{bucket} bars at this width.
        </p>
      )}
      {metric === 'cost' && panels.length > 1 && <p className="muted small">One chart per currency: amounts in different currencies are never added or drawn on one axis.</p>}
      <div className="chart-area" data-testid="trend-chart" data-series={seriesSummary(series)} data-metric={metric} data-bucket={result?.bucket ?? bucket} data-span={span} data-columns={result?.starts.length ?? 0} aria-busy={props.loading}>
        {empty ? (
          <p className="chart-empty muted" data-testid="trend-empty">
            {props.loading ? 'Loading…' : `No data for this selection: ${props.selection} has no ${spec.label.toLowerCase()} recorded.`}
          </p>
        ) : charts ? (
          <charts.BarPanels panels={panels} measure={spec.label} countUnit={spec.unit} timeZone={timeZone} stackedBy={stack === 'key' ? 'API key' : 'model'} colorOf={props.colorOf} />
        ) : (
          <p className="chart-empty muted">Loading…</p>
        )}
      </div>
      <Legend series={series} onToggle={toggle} testId="trend-legend" colorOf={props.colorOf} />
    </section>
  );
}
