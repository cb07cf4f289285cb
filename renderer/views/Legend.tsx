import type { ChartSeries } from '../lib/chartData.ts';

/** An HTML legend: real buttons, so hiding a dataset works from the keyboard and for screen readers too. */
export function Legend({ series, colors, onToggle, testId }: { series: readonly ChartSeries[]; colors: Map<string, string>; onToggle: (id: string) => void; testId: string }) {
  if (series.length === 0) return null;
  return (
    <ul className="legend" data-testid={testId} aria-label="Legend: select to hide or show a series">
      {series.map((s) => (
        <li key={s.id}>
          <button
            type="button"
            className="legend-item"
            data-testid="legend-item"
            data-label={s.label}
            aria-pressed={!s.hidden}
            onClick={() => onToggle(s.id)}
          >
            <span className="swatch" style={{ background: colors.get(s.id) }} aria-hidden="true" />
            <span className={s.hidden ? 'legend-hidden' : undefined}>{s.label}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
