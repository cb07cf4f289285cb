import type { AppTotals } from '../../../shared/metering.ts';
import { appLabel } from '../../lib/requests.ts';
import { formatCount, formatMoneyList } from '../../lib/format.ts';

/** Totals per app and kind (service calls apart from internal infrastructure calls). */
export function AppTotalsTable({ rows }: { rows: AppTotals[] }) {
  return (
    <section className="card" aria-labelledby="apps-title">
      <h3 id="apps-title">By app</h3>
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="apps-title">
        <table className="breakdown" data-testid="app-totals">
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Kind</th>
              <th scope="col" className="num">Requests</th>
              <th scope="col" className="num">Errors</th>
              <th scope="col" className="num">Input tokens</th>
              <th scope="col" className="num">Output tokens</th>
              <th scope="col" className="num">Cost</th>
              <th scope="col" className="num">Unpriced</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  No requests through the proxy in this period.
                </td>
              </tr>
            ) : (
              rows.map((r) => (
                <tr key={`${r.app}|${r.kind}`} data-testid="app-row" data-app={r.app} data-kind={r.kind}>
                  <th scope="row">{appLabel(r.app)}</th>
                  <td>{r.kind}</td>
                  <td className="num">{formatCount(r.requests)}</td>
                  <td className="num">{formatCount(r.errors)}</td>
                  <td className="num">{formatCount(r.inputTokens)}</td>
                  <td className="num">{formatCount(r.outputTokens)}</td>
                  <td className="num">{r.estimated ? '≈ ' : ''}{formatMoneyList(r.costs)}</td>
                  <td className="num">{r.unpriced ? formatCount(r.unpriced) : '—'}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
