import { useMemo } from 'react';
import type { Account, AccountStatus, SeriesResult } from '../../shared/domain.ts';
import { formatMoney, totalsByCurrency, type Money } from '../../shared/money.ts';
import { formatMoneyShort } from '../lib/format.ts';
import { computeRunway, DAY_MS, type Runway } from '../lib/runway.ts';
import { useLive } from '../state/live.tsx';
import { useNow } from '../state/useNow.ts';
import { useQuery } from '../state/useQuery.ts';
import { AccountCard } from './AccountCard.tsx';
import { AlertsBanner } from './alerts/AlertsBanner.tsx';

/** Per-account runway from the last week of balances, in the currency of the account's main balance. */
export function runwaysByAccount(result: SeriesResult | null, statuses: readonly AccountStatus[], now: number): Map<string, Runway> {
  const out = new Map<string, Runway>();
  if (!result) return out;
  for (const status of statuses) {
    const currency = status.lastSuccess?.balance?.currency;
    const mine = result.series.filter((s) => s.group === status.accountId);
    const series = mine.find((s) => s.currency === currency) ?? mine[0];
    const runway = series ? computeRunway(series.points, { now }) : null;
    if (runway) out.set(status.accountId, runway);
  }
  return out;
}

function TotalsRow({ label, amounts, testId }: { label: string; amounts: Money[]; testId: string }) {
  return (
    <div className="total" data-testid={testId}>
      <span className="muted small">{label}</span>
      <span className="total-values">
        {amounts.length === 0 ? '—' : amounts.map((m) => (
          <span key={m.currency} className="total-value" data-currency={m.currency} title={formatMoney(m)}>
            {formatMoneyShort(m)}
          </span>
        ))}
      </span>
    </div>
  );
}

export function Overview() {
  const live = useLive();
  const now = useNow();
  const { api, accounts, statuses, providers, info, revision } = live;
  const byId = useMemo(() => new Map(statuses.map((s) => [s.accountId, s])), [statuses]);

  const balances = useQuery(
    accounts.length === 0
      ? null
      : () => {
          const to = Date.now();
          return api.querySeries({ metric: 'balance', bucket: 'hour', groupBy: 'account', from: to - 7 * DAY_MS, to, timeZone: info?.timeZone, maxPoints: 500 });
        },
    [api, accounts.length, revision, info?.timeZone],
  );
  const runways = useMemo(() => runwaysByAccount(balances.data, statuses, Date.now()), [balances.data, statuses]);

  const shown = (a: Account) => byId.get(a.id)?.lastSuccess ?? null;
  const totals = {
    balance: totalsByCurrency(accounts.flatMap((a) => shown(a)?.balances ?? [])),
    today: totalsByCurrency(accounts.map((a) => shown(a)?.spent.today)),
    month: totalsByCurrency(accounts.map((a) => shown(a)?.spent.month)),
  };

  if (accounts.length === 0) {
    return (
      <section className="empty" data-testid="overview-empty">
        <h2>No accounts yet</h2>
        <p>Add a provider account in the Accounts tab to see balances and spend here.</p>
      </section>
    );
  }

  return (
    <section aria-labelledby="overview-title">
      <h2 id="overview-title" className="visually-hidden">
        Overview
      </h2>
      <AlertsBanner />
      <div className="card totals" data-testid="totals">
        <TotalsRow label="Balance" amounts={totals.balance} testId="totals-balance" />
        <TotalsRow label="Spent today" amounts={totals.today} testId="totals-today" />
        <TotalsRow label="Spent this month" amounts={totals.month} testId="totals-month" />
      </div>
      <div className="cards">
        {accounts.map((a) => (
          <AccountCard
            key={a.id}
            account={a}
            status={byId.get(a.id)}
            providerName={providers.find((p) => p.id === a.provider)?.displayName ?? a.provider}
            runway={runways.get(a.id) ?? null}
            demo={Boolean(a.demo || info?.demo || byId.get(a.id)?.lastSuccess?.demo)}
            now={now}
            onRefresh={() => void live.refreshNow(a.id)}
          />
        ))}
      </div>
    </section>
  );
}
