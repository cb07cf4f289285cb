// The trend chart's drawing surface: Chart.js lives here, so the rest of the Usage view does not wait for it.
import { Bar } from 'react-chartjs-2';
import type { ChartOptions, TooltipItem } from 'chart.js';
import '../chart/setup.ts';
import { formatMoney, MICROS } from '../../shared/money.ts';
import { seriesSummary, type ChartSeries } from '../lib/chartData.ts';
import { formatCompact, formatCount } from '../lib/format.ts';
import { useChartTheme } from '../chart/theme.ts';
import type { TrendBucket, TrendMetric, TrendStack } from './TrendChart.tsx';

export interface TrendCanvasProps {
  series: ChartSeries[];
  colors: Map<string, string>;
  metric: TrendMetric;
  metricLabel: string;
  /** What was asked for, and what the core answered with (coarser when it downsampled). */
  bucket: TrendBucket;
  shownBucket: string;
  stack: TrendStack;
  loading: boolean;
}

function exactValue(s: ChartSeries | undefined, y: number, metric: TrendMetric): string {
  if (metric === 'cost' && s?.currency) return formatMoney({ micros: Math.round(y * MICROS), currency: s.currency });
  return formatCount(y);
}

export function TrendCanvas({ series, colors, metric, metricLabel, bucket, shownBucket, stack, loading }: TrendCanvasProps) {
  const theme = useChartTheme();
  const currencies = [...new Set(series.map((s) => s.currency).filter(Boolean))] as string[];

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

  return (
    <div className="chart-box" data-testid="trend-chart" data-series={seriesSummary(series)} data-metric={metric} data-bucket={shownBucket} aria-busy={loading}>
      {series.length === 0 ? (
        <p className="chart-empty muted" data-testid="trend-empty">
          {loading ? 'Loading…' : 'No usage in this period.'}
        </p>
      ) : (
        <Bar
          data={data}
          options={options}
          data-testid="trend-canvas"
          aria-label={`${metricLabel} per ${shownBucket}, stacked by ${stack}: ${series.filter((s) => !s.hidden).map((s) => `${s.label} ${exactValue(s, s.sum, metric)}`).join(', ')}`}
        />
      )}
    </div>
  );
}
