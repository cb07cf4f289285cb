import type { Account, AccountStatus } from '../../shared/domain.ts';
import { formatMoney } from '../../shared/money.ts';
import { formatAgo, formatMoneyShort } from '../lib/format.ts';
import { formatRunway, type Runway } from '../lib/runway.ts';
import { QuotaBar } from './QuotaBar.tsx';
import { KeyList } from './KeyList.tsx';

export interface AccountCardProps {
  account: Account;
  status: AccountStatus | undefined;
  providerName: string;
  runway: Runway | null;
  demo: boolean;
  now: number;
  onRefresh: () => void;
}

export function AccountCard({ account, status, providerName, runway, demo, now, onRefresh }: AccountCardProps) {
  // Figures come from the last good poll so a failing provider still shows what it last said.
  const shown = status?.lastSuccess ?? null;
  const latest = status?.latest ?? null;
  const error = latest && !latest.ok ? latest.error : null;
  const updated = shown?.time ?? null;
  const titleId = `card-title-${account.id}`;
  return (
    <article className="card account-card" data-testid="account-card" data-account-id={account.id} aria-labelledby={titleId}>
      <header className="card-head">
        <div>
          <h3 id={titleId} data-testid="card-label">
            {account.label}
          </h3>
          <span className="muted small">{providerName}</span>
        </div>
        <div className="badges">
          {demo && <span className="badge badge-demo" data-testid="badge-demo">Demo</span>}
          {status?.polling && <span className="badge badge-info">Refreshing…</span>}
          {status?.stale && <span className="badge badge-warn" data-testid="badge-stale">Stale</span>}
          {error && <span className="badge badge-danger" data-testid="badge-error">Error</span>}
          {shown?.estimated && <span className="badge" title="Some figures are derived, not read from the provider">Estimated</span>}
          {shown?.available === false && <span className="badge badge-danger">Cannot pay</span>}
          {status?.paused && <span className="badge">Paused</span>}
        </div>
      </header>

      <dl className="figures">
        <div className="figure figure-main">
          <dt>Balance</dt>
          <dd data-testid="card-balance">
            {shown && shown.balances.length > 0
              ? shown.balances.map((m) => (
                  <span key={m.currency} title={formatMoney(m)}>
                    {formatMoneyShort(m)}
                  </span>
                ))
              : '—'}
          </dd>
        </div>
        <div className="figure">
          <dt>Today</dt>
          <dd data-testid="card-today" title={shown?.spent.today ? formatMoney(shown.spent.today) : undefined}>
            {shown?.spent.today ? formatMoneyShort(shown.spent.today) : '—'}
          </dd>
        </div>
        <div className="figure">
          <dt>This month</dt>
          <dd data-testid="card-month" title={shown?.spent.month ? formatMoney(shown.spent.month) : undefined}>
            {shown?.spent.month ? formatMoneyShort(shown.spent.month) : '—'}
          </dd>
        </div>
      </dl>

      {shown?.quota && <QuotaBar quota={shown.quota} />}
      {shown?.keys && <KeyList keys={shown.keys} />}

      {runway && (
        <p className="runway" data-testid="card-runway">
          {formatRunway(runway)}
        </p>
      )}

      {error && (
        <p className="error-text" data-testid="card-error">
          {error.message}
        </p>
      )}

      {shown && shown.notes.length > 0 && (
        <ul className="notes small" data-testid="card-notes">
          {shown.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}

      <footer className="card-foot">
        <span className="muted small" data-testid="card-updated" data-time={updated ?? ''}>
          {updated ? (
            <>
              Updated <time dateTime={new Date(updated).toISOString()}>{formatAgo(updated, now)}</time>
            </>
          ) : status?.polling ? (
            'First poll running…'
          ) : (
            'Not polled yet'
          )}
        </span>
        <button type="button" className="btn btn-small" onClick={onRefresh} disabled={status?.polling} aria-label={`Refresh ${account.label} now`}>
          Refresh
        </button>
      </footer>
    </article>
  );
}
