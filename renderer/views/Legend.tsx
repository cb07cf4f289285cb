import type { ChartSeries } from '../lib/chartData.ts';
import type { ColorOf } from '../chart/theme.ts';

/** An HTML legend: real buttons, so hiding a dataset works from the keyboard and for screen readers too. */
export function Legend({ series, onToggle, testId, colorOf }: { series: readonly ChartSeries[]; onToggle: (id: string) => void; testId: string; colorOf: ColorOf }) {
  if (series.length === 0) return null;
  const currencies = new Set(series.map((s) => s.currency).filter(Boolean));
  return (
    <ul className="legend" data-testid={testId} aria-label="Legend: select to hide or show a series">
      {series.map((s) => (
        <li key={s.id}>
          <button type="button" className="legend-item" data-testid="legend-item" data-label={s.label} aria-pressed={!s.hidden} onClick={() => onToggle(s.id)}>
            <span className="swatch" style={{ background: colorOf(s.group) }} data-color={colorOf(s.group)} aria-hidden="true" />
            <span className={s.hidden ? 'legend-hidden' : undefined}>
              {s.label}
              {currencies.size > 1 && s.currency ? <span className="muted"> ({s.currency})</span> : null}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
