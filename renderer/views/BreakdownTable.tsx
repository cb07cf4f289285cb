import { useMemo, useState } from 'react';
import type { UsageTotals } from '../../shared/domain.ts';
import { formatMoney } from '../../shared/money.ts';
import { breakdownRows, sortRows, type Sort, type SortKey } from '../lib/breakdown.ts';
import { formatCount, formatPercent, keyLabel } from '../lib/format.ts';

const COLUMNS: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'group', label: 'Model', numeric: false },
  { key: 'requests', label: 'Requests', numeric: true },
  { key: 'inputTokens', label: 'Input tokens', numeric: true },
  { key: 'outputTokens', label: 'Output tokens', numeric: true },
  { key: 'totalTokens', label: 'Total tokens', numeric: true },
  { key: 'costMicros', label: 'Cost', numeric: true },
  { key: 'costShare', label: 'Cost share', numeric: true },
  { key: 'tokenShare', label: 'Token share', numeric: true },
];

export function BreakdownTable({ totals, groupLabel = 'Model', accountLabel = (id) => id }: { totals: readonly UsageTotals[]; groupLabel?: string; accountLabel?: (id: string) => string }) {
  const [sort, setSort] = useState<Sort>({ key: 'totalTokens', dir: 'desc' });
  const rows = useMemo(() => sortRows(breakdownRows(totals), sort), [totals, sort]);
  const onSort = (key: SortKey) => setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'group' ? 'asc' : 'desc' }));

  return (
    <section className="card" aria-labelledby="breakdown-title">
      <h3 id="breakdown-title">Breakdown by {groupLabel.toLowerCase()}</h3>
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="breakdown-title">
        <table className="breakdown" data-testid="breakdown-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  className={c.numeric ? 'num' : undefined}
                  aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                >
                  <button type="button" className="th-sort" data-testid={`sort-${c.key}`} onClick={() => onSort(c.key)}>
                    {c.key === 'group' ? groupLabel : c.label}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={COLUMNS.length} className="muted">
                  No usage in this period.
                </td>
              </tr>
            ) : (
              rows.map((r) => (
                <tr key={r.id} data-testid="breakdown-row" data-group={r.group} data-account-id={r.accountId ?? ''}>
                  <th scope="row">
                    {groupLabel === 'Model' ? r.group : keyLabel(r.group)}
                    {r.accountId && <span className="muted small"> — {accountLabel(r.accountId)}</span>}
                  </th>
                  <td className="num" data-label="Requests">{formatCount(r.requests)}</td>
                  <td className="num" data-label="Input tokens">{formatCount(r.inputTokens)}</td>
                  <td className="num" data-label="Output tokens">{formatCount(r.outputTokens)}</td>
                  <td className="num" data-label="Total tokens">{formatCount(r.totalTokens)}</td>
                  <td className="num" data-label="Cost" data-testid="breakdown-cost">
                    {r.costMicros === null || !r.currency ? '—' : formatMoney({ micros: r.costMicros, currency: r.currency })}
                  </td>
                  <td className="num" data-label="Cost share">{r.costShare === null ? '—' : formatPercent(r.costShare)}</td>
                  <td className="num" data-label="Token share">{formatPercent(r.tokenShare)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
