import { useMemo, useState } from 'react';
import type { SpendSummary } from '../../shared/api.ts';
import type { Account, SeriesResult } from '../../shared/domain.ts';
import { formatMoney, totalsByCurrency, type Money } from '../../shared/money.ts';
import { formatMoneyShort } from '../lib/format.ts';
import { allSeries, chartPanels } from '../lib/chartData.ts';
import { addDays, DAY_MS, midnight, startOfDay, wallClock } from '../lib/zone.ts';
import { useCharts } from '../chart/lazy.ts';
import { groupColor } from '../chart/theme.ts';
import { useLive } from '../state/live.tsx';
import { ADD_ACCOUNT_ROUTE } from '../lib/view.ts';
import { useNow } from '../state/useNow.ts';
import { useQuery } from '../state/useQuery.ts';
import { AccountCard, type OwnUnits } from './AccountCard.tsx';
import { AlertsBanner } from './alerts/AlertsBanner.tsx';
import { Legend } from './Legend.tsx';
import { MonthSummary } from './MonthSummary.tsx';

const CHART_DAYS = 30;

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

/** Per account: the values of a per-day series on the columns from `from` on, today's, and this month's sum. */
function perAccount(result: SeriesResult | null, from: number, today: number, monthStart: number): Map<string, { days: number[]; today: number; month: number }> {
  const out = new Map<string, { days: number[]; today: number; month: number }>();
  if (!result) return out;
  const columns = result.starts.filter((t) => t >= from);
  for (const s of result.series) {
    const byT = new Map(s.points.map((p) => [p.t, p.v]));
    const prev = out.get(s.group) ?? { days: columns.map(() => 0), today: 0, month: 0 };
    columns.forEach((t, i) => (prev.days[i] = (prev.days[i] ?? 0) + (byT.get(t) ?? 0)));
    prev.today += byT.get(today) ?? 0;
    prev.month += s.points.filter((p) => p.t >= monthStart).reduce((a, p) => a + p.v, 0);
    out.set(s.group, prev);
  }
  return out;
}

function EmptyOverview({ demo }: { demo: boolean }) {
  return (
    <section className="empty card" data-testid="overview-empty" aria-labelledby="empty-title">
      <h2 id="empty-title">No accounts yet</h2>
      <p>Add a provider account — an OpenRouter, DeepSeek or SurferCloud key, or a One-API / New-API gateway — and its balance, spend and usage show up here.</p>
      <p>
        <a className="btn btn-primary" data-testid="empty-add-account" href={ADD_ACCOUNT_ROUTE}>
          Add account
        </a>
      </p>
      {!demo && (
        <p className="muted small" data-testid="empty-demo-hint">
          Just looking? Run <code>npm run serve -- --demo</code> (or <code>spendbar serve --demo</code>) for a dashboard full of demo accounts, no keys needed.
        </p>
      )}
    </section>
  );
}

export function Overview() {
  const live = useLive();
  const now = useNow();
  const { api, accounts, statuses, providers, info, revision } = live;
  const zone = info?.timeZone ?? 'UTC';
  const byId = useMemo(() => new Map(statuses.map((s) => [s.accountId, s])), [statuses]);
  const [savedSummary, setSavedSummary] = useState<SpendSummary | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const charts = useCharts();

  // Windows in the app's zone, resolved again whenever new figures arrive.
  const win = useMemo(() => {
    const to = Date.now();
    const w = wallClock(to, zone);
    const monthStart = midnight(w.y, w.m, 1, zone);
    const chartFrom = addDays(to, -(CHART_DAYS - 1), zone);
    return { to, today: startOfDay(to, zone), monthStart, chartFrom, from: Math.min(chartFrom, monthStart) };
  }, [revision, zone]);
  const has = accounts.length > 0;
  const perDay = (metric: 'cost' | 'totalTokens' | 'requests') => () => api.querySeries({ metric, bucket: 'day', groupBy: 'account', from: win.from, to: win.to, timeZone: zone });
  const spend = useQuery(has ? perDay('cost') : null, [api, has, win, zone]);
  const summary = useQuery(has ? () => api.getSpendSummary() : null, [api, has, win]);
  const tokens = useQuery(has ? perDay('totalTokens') : null, [api, has, win, zone]);
  const requests = useQuery(has ? perDay('requests') : null, [api, has, win, zone]);
  const balances = useQuery(
    has ? () => api.querySeries({ metric: 'balance', bucket: 'hour', groupBy: 'account', from: win.to - 7 * DAY_MS, to: win.to, timeZone: zone, maxPoints: 500 }) : null,
    [api, has, win, zone],
  );
  const shownSummary = savedSummary && (!summary.data || savedSummary.budgets !== summary.data.budgets) ? savedSummary : summary.data;

  const colorOf = useMemo(() => {
    const ids = accounts.map((a) => a.id);
    return (id: string) => groupColor(id, ids);
  }, [accounts]);
  const labelOf = useMemo(() => (id: string) => accounts.find((a) => a.id === id)?.label ?? id, [accounts]);
  const chartResult = useMemo(() => (spend.data ? { ...spend.data, starts: spend.data.starts.filter((t) => t >= win.chartFrom) } : null), [spend.data, win.chartFrom]);
  const panels = useMemo(() => chartPanels(chartResult, { metric: 'cost', hidden, labelFor: labelOf, timeZone: zone }), [chartResult, hidden, labelOf, zone]);
  const tokenDays = useMemo(() => perAccount(tokens.data, win.chartFrom, win.today, win.monthStart), [tokens.data, win]);
  const requestDays = useMemo(() => perAccount(requests.data, win.chartFrom, win.today, win.monthStart), [requests.data, win]);
  const spendDays = useMemo(() => perAccount(spend.data, win.chartFrom, win.today, win.monthStart), [spend.data, win]);

  if (!has) return <EmptyOverview demo={Boolean(info?.demo)} />;

  const shown = (a: Account) => byId.get(a.id)?.lastSuccess ?? null;
  // Every row lists its currencies in one order (by code), so ¥ sits under ¥ and $ under $.
  const byCode = (list: Money[]) => [...list].sort((a, b) => a.currency.localeCompare(b.currency));
  const totals = {
    balance: byCode(totalsByCurrency(accounts.flatMap((a) => shown(a)?.balances ?? []))),
    today: byCode(totalsByCurrency(accounts.map((a) => shown(a)?.spent.today))),
    // The core's month to date is the same sum; it is shown from there once loaded, so the two can never differ.
    month: byCode(shownSummary ? shownSummary.months.filter((m) => m.monthToDate.micros !== 0).map((m) => m.monthToDate) : totalsByCurrency(accounts.map((a) => shown(a)?.spent.month))),
  };
  const series = allSeries(panels);
  const toggle = (id: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const ownUnits = (id: string): OwnUnits | null => {
    const t = tokenDays.get(id);
    const r = requestDays.get(id);
    return t || r ? { tokensToday: t?.today ?? 0, tokensMonth: t?.month ?? 0, requestsToday: r?.today ?? 0, requestsMonth: r?.month ?? 0, tokensPerDay: t?.days ?? [] } : null;
  };
  const balanceLine = (id: string, currency: string | undefined): number[] =>
    balances.data?.series.find((s) => s.group === id && s.currency === currency)?.points.map((p) => p.v) ?? [];

  return (
    <section aria-labelledby="overview-title" className="overview">
      <h2 id="overview-title" className="visually-hidden">
        Overview
      </h2>
      <AlertsBanner />
      <div className="card totals" data-testid="totals">
        <TotalsRow label="Balance" amounts={totals.balance} testId="totals-balance" />
        <TotalsRow label="Spent today" amounts={totals.today} testId="totals-today" />
        <TotalsRow label="Spent this month" amounts={totals.month} testId="totals-month" />
      </div>
      {shownSummary && <MonthSummary summary={shownSummary} api={api} zone={zone} onSaved={setSavedSummary} />}
      <section className="card chart-card" aria-labelledby="spend-title" data-testid="spend-chart" data-columns={chartResult?.starts.length ?? 0}>
        <h3 id="spend-title">Spend per day, last {CHART_DAYS} days</h3>
        {panels.length > 1 && <p className="muted small">One chart per currency, stacked by account: amounts in different currencies are never added.</p>}
        {series.length === 0 ? (
          <p className="chart-empty muted" data-testid="spend-empty">
            {spend.loading ? 'Loading…' : `No spend recorded in the last ${CHART_DAYS} days. Accounts that report only tokens (SurferCloud) show them on their cards below.`}
          </p>
        ) : charts ? (
          <charts.BarPanels panels={panels} measure="Spend" countUnit="" timeZone={zone} stackedBy="account" colorOf={colorOf} height={200} />
        ) : (
          <p className="chart-empty muted">Loading…</p>
        )}
        <Legend series={series} onToggle={toggle} testId="spend-legend" colorOf={colorOf} />
      </section>
      <div className="cards">
        {shownSummary && shownSummary.images.length > 0 && (
          <article className="card account-card" data-testid="images-card" aria-labelledby="images-title">
            <h3 id="images-title">Image generations</h3>
            <dl className="figures">
              {shownSummary.images.map((i) => (
                <div key={i.accountId} className="figure figure-main" data-testid="images-row" data-account-id={i.accountId}>
                  <dt>{labelOf(i.accountId)}</dt>
                  <dd>
                    <span data-testid="images-today">{i.today.toLocaleString('en-US')} today</span>
                    <span className="muted" data-testid="images-month">
                      {i.month.toLocaleString('en-US')} this month
                    </span>
                  </dd>
                </div>
              ))}
            </dl>
            <p className="muted small">Counted by the provider per day; images are not priced in its reports.</p>
          </article>
        )}
        {accounts.map((a) => {
          const status = byId.get(a.id);
          const main = status?.lastSuccess?.balance?.currency;
          return (
            <AccountCard
              key={a.id}
              account={a}
              status={status}
              providerName={providers.find((p) => p.id === a.provider)?.displayName ?? a.provider}
              demo={Boolean(a.demo || info?.demo || status?.lastSuccess?.demo)}
              now={now}
              balanceLine={balanceLine(a.id, main)}
              spendLine={spendDays.get(a.id)?.days ?? []}
              ownUnits={ownUnits(a.id)}
              color={colorOf(a.id)}
              onRefresh={() => void live.refreshNow(a.id)}
            />
          );
        })}
      </div>
    </section>
  );
}
