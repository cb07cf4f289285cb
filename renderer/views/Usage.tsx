import { useCallback, useMemo, useState } from 'react';
import type { SeriesQuery } from '../../shared/domain.ts';
import { keyLabel } from '../lib/format.ts';
import { DAY_MS } from '../lib/zone.ts';
import { ALL, defaultBucket, filterArrays, periodLabel, resolveRange, type TimeRange, type UsageFilter } from '../lib/period.ts';
import { useLive } from '../state/live.tsx';
import { useCharts } from '../chart/lazy.ts';
import { groupColor } from '../chart/theme.ts';
import { useIdleAfter } from '../state/useIdleAfter.ts';
import { findEarly } from '../state/early.ts';
import { useQuery } from '../state/useQuery.ts';
import { BalanceHistory } from './BalanceHistory.tsx';
import { BreakdownTable } from './BreakdownTable.tsx';
import { ExportButtons } from './ExportButtons.tsx';
import { IndicatorCards } from './IndicatorCards.tsx';
import { TrendChart, type TrendBucket, type TrendMetric, type TrendStack } from './TrendChart.tsx';
import { UsageFilters } from './UsageFilters.tsx';
import { chartPoints, OPENING, totalsQuery, trendBase } from './usage-queries.ts';

export function Usage() {
  const { api, info, accounts, statuses, revision } = useLive();
  const zone = info?.timeZone ?? 'UTC';
  const [filter, setFilter] = useState<UsageFilter>(OPENING.filter);
  const [metric, setMetric] = useState<TrendMetric>(OPENING.metric);
  const [bucket, setBucket] = useState<TrendBucket>(OPENING.bucket);
  const [stack, setStack] = useState<TrendStack>(OPENING.stack);
  // Relative periods end "now": resolving again on each revision keeps live updates inside the window.
  const range = useMemo<TimeRange>(() => resolveRange(filter, Date.now(), zone), [filter, revision, zone]);
  const timeZone = info?.timeZone;
  const [points] = useState(chartPoints);

  const apply = (next: UsageFilter) => {
    setFilter(next);
    setBucket(defaultBucket(resolveRange(next, Date.now(), zone)));
  };

  const baseQuery = useMemo<Omit<SeriesQuery, 'metric'>>(() => trendBase(filter, range, bucket, stack, timeZone, points), [bucket, stack, range, filter, timeZone, points]);
  const trendQuery = useMemo<SeriesQuery>(() => ({ ...baseQuery, metric }), [baseQuery, metric]);
  const totalsAsked = useMemo(() => totalsQuery(filter, range), [filter, range]);

  // Effects start in this order and the core answers one query at a time: the chart above the fold goes first.
  // Opening on Usage, start-up asked the first three already (usage-queries.ts): those answers are taken.
  const trend = useQuery(() => api.querySeries(trendQuery), [api, trendQuery], findEarly('series', trendQuery));
  const totals = useQuery(() => api.queryTotals(totalsAsked), [api, totalsAsked], findEarly('totals', totalsAsked));
  // The balance history is below the fold: its query and its charts wait until the trend chart has been painted
  // (its answer is in and the chart code that draws it has loaded), then for an idle moment.
  const chartsLoaded = useCharts() !== null;
  const belowFold = useIdleAfter((trend.data !== null && chartsLoaded) || trend.error !== null);
  const balance = useQuery(
    // Hourly balances up to a month: the runway needs the latest balance at its real time, not a day bucket's start.
    !belowFold ? null : () => api.querySeries({ metric: 'balance', bucket: range.to - range.from <= 32 * DAY_MS ? 'hour' : 'day', groupBy: 'account', from: range.from, to: range.to, accountIds: filterArrays(filter).accountIds, timeZone, maxPoints: points.balance }),
    [belowFold, api, range, filter.accountId, timeZone],
  );
  const filters = useQuery(() => api.filterValues(), [api, accounts, revision], findEarly('filters', null));

  const accountLabel = useCallback((id: string) => accounts.find((a) => a.id === id)?.label ?? id, [accounts]);
  const groupLabel = useCallback((g: string) => (stack === 'key' ? keyLabel(g) : g), [stack]);
  const known = useMemo(() => (stack === 'key' ? (filters.data?.keys ?? []) : (filters.data?.models ?? [])), [filters.data, stack]);
  const colorOf = useCallback((g: string) => groupColor(g, known), [known]);
  const accountColor = useCallback((id: string) => groupColor(id, accounts.map((a) => a.id)), [accounts]);
  const runwayOf = useCallback((id: string) => statuses.find((s) => s.accountId === id)?.runway ?? null, [statuses]);
  const selection = [
    filter.accountId === ALL ? 'every account' : accountLabel(filter.accountId),
    filter.key === ALL ? null : `key ${keyLabel(filter.key)}`,
    filter.model === ALL ? null : filter.model,
    filter.period === 'custom' ? `${filter.customFrom} to ${filter.customTo}` : periodLabel(filter.period).toLowerCase(),
  ]
    .filter(Boolean)
    .join(', ');
  const error = trend.error ?? totals.error ?? balance.error ?? filters.error;

  return (
    <section aria-labelledby="usage-title" className="usage">
      <div className="section-head">
        <h2 id="usage-title">Usage</h2>
        <ExportButtons api={api} query={baseQuery} range={range} filter={filter} groupBy={stack} breakdown={totals.data ?? []} />
      </div>
      <UsageFilters values={filters.data} applied={filter} onApply={apply} timeZone={zone} />
      {error && (
        <p className="error-text" role="alert" data-testid="usage-error">
          {error}
        </p>
      )}
      <IndicatorCards rows={totals.data ?? []} />
      <TrendChart
        result={trend.data}
        loading={trend.loading}
        metric={metric}
        bucket={bucket}
        stack={stack}
        timeZone={zone}
        selection={selection}
        onMetric={setMetric}
        onBucket={setBucket}
        onStack={setStack}
        labelFor={groupLabel}
        colorOf={colorOf}
      />
      <BreakdownTable totals={totals.data ?? []} accountLabel={accountLabel} />
      <BalanceHistory result={balance.data} loading={balance.loading || !belowFold} labelFor={accountLabel} project={range.to >= Date.now() - 3_600_000} runwayOf={runwayOf} colorOf={accountColor} range={range} />
    </section>
  );
}
