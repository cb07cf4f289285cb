// One account's balance line and its runway projection: Chart.js lives here, loaded lazily with the trend chart.
import { useMemo } from 'react';
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { useChart } from '../chart/useChart.ts';
import '../chart/time-axis.ts';
import type { Runway, Series } from '../../shared/domain.ts';
import { formatMoney, MICROS } from '../../shared/money.ts';
import { describeRunway } from '../../shared/figures.ts';
import { runwayProjection } from '../lib/runway.ts';
import { useChartTheme, type ColorOf } from '../chart/theme.ts';

export interface BalanceChartProps {
  series: Series;
  label: string;
  /** The account's runway as the core served it; drawn only on the chart of its balance's currency. */
  runway: Runway | null;
  colorOf: ColorOf;
  project: boolean;
  range: { from: number; to: number };
}

export function BalanceChart({ series, label, runway: served, colorOf, project, range }: BalanceChartProps) {
  const theme = useChartTheme();
  const currency = series.currency ?? 'USD';
  const runway = useMemo(() => (project && served && served.balance.currency === currency ? served : null), [served, project, currency]);
  const actual = useMemo(() => series.points.map((p) => ({ x: p.t, y: p.v / MICROS })), [series]);
  const projection = useMemo(() => (runway ? runwayProjection(runway).map((p) => ({ x: p.t, y: p.v / MICROS })) : []), [runway]);
  const color = colorOf(series.group);
  const config = useMemo<ChartConfiguration<'line'>>(() => {
    const money = (y: number) => formatMoney({ micros: Math.round(y * MICROS), currency });
    return {
      type: 'line',
      data: {
        datasets: [
          // Few points (a new account) are drawn as dots: a line needs two points to be visible at all.
          { label: 'Balance', data: actual, borderColor: color, backgroundColor: color, pointRadius: actual.length < 30 ? 3 : 0, borderWidth: 2 },
          ...(projection.length > 1 ? [{ label: 'Projection', data: projection, borderColor: color, borderDash: [6, 4], pointRadius: 0, borderWidth: 2 }] : []),
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        plugins: { tooltip: { callbacks: { label: (ctx: TooltipItem<'line'>) => `${ctx.dataset.label ?? ''}: ${money(ctx.parsed.y ?? 0)}` } } },
        scales: {
          x: { type: 'time', min: range.from, max: Math.max(range.to, projection.at(-1)?.x ?? 0), ticks: { color: theme.text, maxRotation: 0, autoSkip: true, maxTicksLimit: 5 }, grid: { color: theme.grid } },
          y: { beginAtZero: true, ticks: { color: theme.text, callback: (v) => money(Number(v)) }, grid: { color: theme.grid } },
        },
      },
    };
  }, [actual, projection, color, currency, range.from, range.to, theme]);
  const canvas = useChart(config);
  const summary = JSON.stringify([
    { label: 'Balance', points: actual.length },
    { label: 'Projection', points: projection.length },
  ]);
  const title = `${label}${series.currency ? ` (${series.currency})` : ''}`;
  return (
    <figure className="balance-chart" data-testid="balance-chart" data-account-id={series.group} data-series={summary}>
      <figcaption>
        <strong>{title}</strong>
        {runway && (
          <span className="muted small" data-testid="balance-runway">
            {' '}
            {describeRunway(runway)}
          </span>
        )}
      </figcaption>
      <div className="chart-box chart-box-small">
        <canvas ref={canvas} role="img" aria-label={`Balance history of ${title}${runway ? `; ${describeRunway(runway)}` : ''}`} />
      </div>
    </figure>
  );
}
