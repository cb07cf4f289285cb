// Stacked bar charts, one panel per currency (or one for counts), each with its own axis and unit, the exact columns
// of the period on a labelled date axis, and colours that belong to the model or account. Chart.js lives here.
import { useMemo } from 'react';
import type { ChartConfiguration, Tick, TooltipItem } from 'chart.js';
import { useChart } from '../chart/useChart.ts';
import { formatMoney, MICROS } from '../../shared/money.ts';
import { bucketWords, tickDecimals, type ChartPanel, type ChartSeries } from '../lib/chartData.ts';
import { formatCompact, formatCount } from '../lib/format.ts';
import { columnLabel } from '../lib/zone.ts';
import { useChartTheme, type ColorOf } from '../chart/theme.ts';

export interface BarPanelsProps {
  panels: ChartPanel[];
  /** "Cost", "Requests": the measure, named on each panel with its unit. */
  measure: string;
  /** The unit of counts ("requests", "tokens"); money panels use their currency. */
  countUnit: string;
  timeZone: string;
  /** What the stack is by, for the accessible description. */
  stackedBy: string;
  colorOf: ColorOf;
  height?: number;
}

export function exactValue(s: Pick<ChartSeries, 'currency'> | undefined, y: number): string {
  if (s?.currency) return formatMoney({ micros: Math.round(y * MICROS), currency: s.currency });
  return formatCount(y);
}

function tickText(currency: string | null, value: number, ticks: Tick[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]!.value - ticks[0]!.value) : 1;
  const digits = tickDecimals(step);
  if (currency) return formatMoney({ micros: Math.round(value * MICROS), currency }, digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return step >= 1000 ? formatCompact(value) : value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function Panel({ panel, measure, countUnit, timeZone, stackedBy, colorOf, height }: BarPanelsProps & { panel: ChartPanel }) {
  const theme = useChartTheme();
  const unit = panel.currency ?? countUnit;
  const config = useMemo<ChartConfiguration<'bar'>>(
    () => ({
      type: 'bar',
      data: {
        labels: panel.columns.map((t) => columnLabel(t, panel.bucket, timeZone)),
        datasets: panel.series.map((s) => ({ label: s.label, data: s.values, hidden: s.hidden, backgroundColor: colorOf(s.group), stack: 'all' })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          tooltip: {
            filter: (item) => item.parsed.y !== 0,
            callbacks: { label: (ctx: TooltipItem<'bar'>) => `${ctx.dataset.label ?? ''}: ${exactValue(panel.series[ctx.datasetIndex], ctx.parsed.y ?? 0)}` },
          },
        },
        scales: {
          x: { stacked: true, ticks: { color: theme.text, maxRotation: 0, autoSkip: true, autoSkipPadding: 12 }, grid: { display: false } },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: unit, color: theme.text },
            ticks: { color: theme.text, ...(panel.currency ? {} : { precision: 0 }), callback: (v, _i, ticks) => tickText(panel.currency, Number(v), ticks) },
            grid: { color: theme.grid },
          },
        },
      },
    }),
    [panel, timeZone, colorOf, theme, unit],
  );
  const canvas = useChart(config);
  const shown = panel.series.filter((s) => !s.hidden);
  const title = `${measure}${panel.currency ? ` (${panel.currency})` : ''} per ${bucketWords(panel.bucket, panel.span)}`;
  return (
    <figure className="bar-panel" data-testid="bar-panel" data-currency={panel.currency ?? ''} data-bucket={panel.bucket} data-span={panel.span} data-columns={panel.columns.length}>
      <figcaption className="small">
        <strong>{title}</strong>
        {panel.daily && <span className="muted"> — these report only whole days, so they are drawn per day</span>}
      </figcaption>
      <div className="chart-box" style={height ? { height } : undefined}>
        <canvas ref={canvas} role="img" data-testid="trend-canvas" aria-label={`${title}, stacked by ${stackedBy}: ${shown.map((s) => `${s.label} ${exactValue(s, s.sum)}`).join(', ')}`} />
      </div>
    </figure>
  );
}

export function BarPanels(props: BarPanelsProps) {
  return (
    <div className="bar-panels">
      {props.panels.map((p) => (
        <Panel key={p.id} {...props} panel={p} />
      ))}
    </div>
  );
}
