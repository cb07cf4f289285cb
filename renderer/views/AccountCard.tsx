import type { Account, AccountStatus } from '../../shared/domain.ts';
import { formatMoney } from '../../shared/money.ts';
import { describeRunway } from '../../shared/figures.ts';
import { formatAgo, formatCompact, formatCount, formatMoneyShort } from '../lib/format.ts';
import { QuotaBar } from './QuotaBar.tsx';
import { KeyList } from './KeyList.tsx';
import { Sparkline } from './Sparkline.tsx';

/** Tokens and requests from stored usage, for a provider that reports no money (SurferCloud). */
export interface OwnUnits {
  tokensToday: number;
  tokensMonth: number;
  requestsToday: number;
  requestsMonth: number;
  tokensPerDay: number[];
}

export interface AccountCardProps {
  account: Account;
  status: AccountStatus | undefined;
  providerName: string;
  demo: boolean;
  now: number;
  /** The main balance over the last week (micro-units), and spend per day over the last 30 days. */
  balanceLine: number[];
  spendLine: number[];
  ownUnits: OwnUnits | null;
  /** The account's colour in the Overview's spend chart. */
  color: string;
  onRefresh: () => void;
}

function Count({ label, value, unit, testId }: { label: string; value: number; unit: string; testId: string }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd data-testid={testId} title={`${formatCount(value)} ${unit}`}>
        {formatCompact(value)} <span className="muted small">{unit}</span>
      </dd>
    </div>
  );
}

export function AccountCard({ account, status, providerName, demo, now, balanceLine, spendLine, ownUnits, color, onRefresh }: AccountCardProps) {
  const runway = status?.runway ?? null;
  // Figures come from the last good poll so a failing provider still shows what it last said.
  const shown = status?.lastSuccess ?? null;
  const latest = status?.latest ?? null;
  const error = latest && !latest.ok ? latest.error : null;
  const updated = shown?.time ?? null;
  const titleId = `card-title-${account.id}`;
  const moneyless = !!shown && shown.balances.length === 0 && !shown.spent.today && !shown.spent.month && !shown.spent.total;
  const sparkline = moneyless ? (
    ownUnits && <Sparkline values={ownUnits.tokensPerDay} color={color} label={`Tokens per day over the last ${ownUnits.tokensPerDay.length} days`} />
  ) : balanceLine.length > 1 ? (
    <Sparkline values={balanceLine} color={color} label="Balance over the last 7 days" />
  ) : (
    spendLine.some((v) => v > 0) && <Sparkline values={spendLine} color={color} label={`Spend per day over the last ${spendLine.length} days`} />
  );
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

      {/* No money and no usage rows (a token quota only): the quota bar says it all, no row of dashes. */}
      {!(moneyless && !ownUnits) && (
      <dl className="figures">
        {moneyless && ownUnits ? (
          <>
            <Count label="Tokens today" value={ownUnits.tokensToday} unit="tokens" testId="card-tokens-today" />
            <Count label="Tokens this month" value={ownUnits.tokensMonth} unit="tokens" testId="card-tokens-month" />
            <Count label="Requests today" value={ownUnits.requestsToday} unit="requests" testId="card-requests-today" />
            <Count label="Requests this month" value={ownUnits.requestsMonth} unit="requests" testId="card-requests-month" />
          </>
        ) : (
          <>
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
          </>
        )}
      </dl>
      )}
      {sparkline}

      {shown?.quota && <QuotaBar quota={shown.quota} />}
      {shown?.keys && <KeyList keys={shown.keys} />}

      {runway && (
        <p className="runway" data-testid="card-runway" data-days={runway.days}>
          {describeRunway(runway)}
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
