import type { Runway, SeriesResult } from '../../shared/domain.ts';
import { useBalanceCharts } from '../chart/lazy.ts';

export interface BalanceHistoryProps {
  result: SeriesResult | null;
  loading: boolean;
  labelFor: (accountId: string) => string;
  /** The projection is drawn only when the range reaches the present: a past week has no "forward". */
  project: boolean;
  /** Each account's runway as the core served it. */
  runwayOf: (accountId: string) => Runway | null;
  /** The account's colour (the same as on the Overview). */
  colorOf: (accountId: string) => string;
  /** The queried range, so a young history (a few points) still sits on a sensible time axis. */
  range: { from: number; to: number };
}

export function BalanceHistory({ result, loading, labelFor, project, runwayOf, colorOf, range }: BalanceHistoryProps) {
  const series = (result?.series ?? []).filter((s) => s.points.length > 0);
  const charts = useBalanceCharts();
  return (
    <section className="card" aria-labelledby="balance-title" aria-busy={loading} data-testid="balance-history">
      <h3 id="balance-title">Balance history</h3>
      {series.length === 0 ? (
        <p className="muted">{loading ? 'Loading…' : 'No balance reported in this period.'}</p>
      ) : !charts ? (
        <p className="muted">Loading…</p>
      ) : (
        <div className="balance-grid">
          {series.map((s) => (
            <charts.BalanceChart key={`${s.group}-${s.currency ?? ''}`} series={s} label={labelFor(s.group)} runway={runwayOf(s.group)} colorOf={colorOf} project={project} range={range} />
          ))}
        </div>
      )}
    </section>
  );
}
