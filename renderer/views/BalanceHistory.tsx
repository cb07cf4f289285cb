import { Suspense } from 'react';
import type { SeriesResult } from '../../shared/domain.ts';
import { LazyBalanceChart } from '../chart/lazy.ts';

export interface BalanceHistoryProps {
  result: SeriesResult | null;
  loading: boolean;
  labelFor: (accountId: string) => string;
  /** The projection is drawn only when the range reaches the present: a past week has no "forward". */
  project: boolean;
  now: number;
  /** The queried range, so a young history (a few points) still sits on a sensible time axis. */
  range: { from: number; to: number };
}

export function BalanceHistory({ result, loading, labelFor, project, now, range }: BalanceHistoryProps) {
  const series = (result?.series ?? []).filter((s) => s.points.length > 0);
  return (
    <section className="card" aria-labelledby="balance-title" aria-busy={loading}>
      <h3 id="balance-title">Balance history</h3>
      {series.length === 0 ? (
        <p className="muted">{loading ? 'Loading…' : 'No balance reported in this period.'}</p>
      ) : (
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <div className="balance-grid">
            {series.map((s, i) => (
              <LazyBalanceChart key={`${s.group}-${s.currency ?? ''}`} series={s} label={labelFor(s.group)} index={i} project={project} now={now} range={range} />
            ))}
          </div>
        </Suspense>
      )}
    </section>
  );
}
