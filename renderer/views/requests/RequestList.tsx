import { useEffect, useState } from 'react';
import type { RequestFilter, RequestKind, RequestRow } from '../../../shared/metering.ts';
import { appLabel, costText, costTitle, tokensText } from '../../lib/requests.ts';
import { formatCount, keyLabel } from '../../lib/format.ts';
import { useLive } from '../../state/live.tsx';

const PAGE = 50;

interface Filters {
  accountId: string;
  app: string;
  kind: '' | RequestKind;
  status: '' | 'ok' | 'error';
}

const NO_FILTER: Filters = { accountId: '', app: '', kind: '', status: '' };

function toFilter(f: Filters): RequestFilter {
  const out: RequestFilter = { limit: PAGE };
  if (f.accountId) out.accountId = f.accountId;
  if (f.app) out.app = f.app === '(untagged)' ? '' : f.app;
  if (f.kind) out.kind = f.kind;
  if (f.status) out.status = f.status;
  return out;
}

/** The latest requests, newest first, with filters and "Older" paging. */
export function RequestList({ refresh, accountLabel }: { refresh: number; accountLabel: (id: string) => string }) {
  const { api, accounts } = useLive();
  const [filters, setFilters] = useState<Filters>(NO_FILTER);
  const [rows, setRows] = useState<RequestRow[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    api.listRequests(toFilter(filters)).then(
      (page) => {
        if (cancelled) return;
        setRows(page.rows);
        setNext(page.nextBefore);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (cancelled) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, filters, refresh]);

  const older = async () => {
    if (next === null) return;
    try {
      const page = await api.listRequests({ ...toFilter(filters), before: next });
      setRows((r) => [...r, ...page.rows]);
      setNext(page.nextBefore);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <section className="card" aria-labelledby="latest-title">
      <h3 id="latest-title">Latest requests</h3>
      <div className="filters">
        <label>
          Account
          <select data-testid="requests-account" value={filters.accountId} onChange={(e) => set({ accountId: e.target.value })}>
            <option value="">All accounts</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          App
          <input data-testid="requests-app" value={filters.app} placeholder="any" onChange={(e) => set({ app: e.target.value })} />
        </label>
        <label>
          Kind
          <select data-testid="requests-kind" value={filters.kind} onChange={(e) => set({ kind: e.target.value as Filters['kind'] })}>
            <option value="">Any</option>
            <option value="service">Service</option>
            <option value="internal">Internal</option>
          </select>
        </label>
        <label>
          Status
          <select data-testid="requests-status" value={filters.status} onChange={(e) => set({ status: e.target.value as Filters['status'] })}>
            <option value="">Any</option>
            <option value="ok">Succeeded</option>
            <option value="error">Failed</option>
          </select>
        </label>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="latest-title">
        <table className="breakdown" data-testid="requests-table" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Account · key</th>
              <th scope="col">App</th>
              <th scope="col">Model</th>
              <th scope="col" className="num">Status</th>
              <th scope="col">Tokens</th>
              <th scope="col" className="num">Cost</th>
              <th scope="col" className="num">Latency</th>
              <th scope="col" className="num">First byte</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={9} className="muted">
                  {loading ? 'Loading…' : 'No requests yet. Point an app at the proxy (see "Connect your apps").'}
                </td>
              </tr>
            ) : (
              rows.map((r) => (
                <tr key={r.id} data-testid="request-row" data-request-id={r.id} title={r.note ?? undefined}>
                  <td>{new Date(r.time).toLocaleTimeString()}</td>
                  <td>
                    {accountLabel(r.accountId)} <span className="muted">· {keyLabel(r.key)}</span>
                  </td>
                  <td>
                    {appLabel(r.app)} {r.kind === 'internal' && <span className="badge">internal</span>}
                  </td>
                  <td>
                    {r.model}
                    {r.stream && <span className="badge">stream</span>}
                  </td>
                  <td className="num">
                    <span className={r.status >= 200 && r.status < 300 ? '' : 'error-text'}>{r.status === 499 ? '499 (client left)' : r.status}</span>
                  </td>
                  <td>{tokensText(r)}</td>
                  <td className="num" title={costTitle(r)} data-testid="request-cost">
                    {costText(r)}
                  </td>
                  <td className="num">{formatCount(r.latencyMs)} ms</td>
                  <td className="num">{r.ttfbMs === null ? '—' : `${formatCount(r.ttfbMs)} ms`}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {next !== null && (
        <button type="button" className="btn" data-testid="requests-older" onClick={() => void older()}>
          Older requests
        </button>
      )}
    </section>
  );
}
