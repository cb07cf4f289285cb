// The Requests view: what the metering proxy measured. Latest requests, totals per app and kind, rate-limit
// headroom per account and key, metered next to billed, and a metered trend chart. Live: refreshes when the core
// says new requests were stored.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SeriesQuery } from '../../../shared/domain.ts';
import { PERIODS, periodRange, type RequestsPeriod } from '../../lib/requests.ts';
import { keyLabel } from '../../lib/format.ts';
import { useLive } from '../../state/live.tsx';
import { useQuery } from '../../state/useQuery.ts';
import { whenVisible } from '../../state/visibility.ts';
import { groupColor } from '../../chart/theme.ts';
import { TrendChart, type TrendBucket, type TrendMetric, type TrendStack } from '../TrendChart.tsx';
import { AppTotalsTable } from './AppTotals.tsx';
import { HeadroomTable } from './Headroom.tsx';
import { MeteredVsBilledList } from './MeteredVsBilled.tsx';
import { ProxySetup } from './ProxySetup.tsx';
import { RequestList } from './RequestList.tsx';

/** Several requests finishing together make one refresh. */
const REFRESH_DEBOUNCE_MS = 1000;

export function Requests() {
  const { api, info, accounts } = useLive();
  const [period, setPeriod] = useState<RequestsPeriod>('24h');
  const [metric, setMetric] = useState<TrendMetric>('requests');
  const [bucket, setBucket] = useState<TrendBucket>('hour');
  const [stack, setStack] = useState<TrendStack>('model');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Hidden, the page re-reads nothing: the requests metered meanwhile are read once when it is shown.
    const reread = whenVisible(() => setTick((t) => t + 1));
    const off = api.subscribe((e) => {
      if (e.type !== 'requests') return;
      clearTimeout(timer);
      timer = setTimeout(reread.call, REFRESH_DEBOUNCE_MS);
    });
    return () => {
      clearTimeout(timer);
      reread.cancel();
      off();
    };
  }, [api]);

  const range = useMemo(() => periodRange(period, Date.now()), [period, tick]);
  const summary = useQuery(() => api.meterSummary(range), [api, range]);
  const from = summary.data?.from ?? range.from ?? range.to - 30 * 86_400_000;
  const trendQuery = useMemo<SeriesQuery>(
    () => ({ metric, bucket, groupBy: stack, from, to: range.to + 1, timeZone: info?.timeZone, maxPoints: 400, source: 'metered' }),
    [metric, bucket, stack, from, range.to, info?.timeZone],
  );
  const trend = useQuery(() => api.querySeries(trendQuery), [api, trendQuery]);
  const accountLabel = useCallback((id: string) => accounts.find((a) => a.id === id)?.label ?? id, [accounts]);
  const groupLabel = useCallback((g: string) => (stack === 'key' ? keyLabel(g) : g), [stack]);
  // The same colour per model (or key) as in the Usage view: from the full list of them, not what this chart shows.
  const known = useQuery(() => api.filterValues(), [api]);
  const colorOf = useCallback((g: string) => groupColor(g, (stack === 'key' ? known.data?.keys : known.data?.models) ?? []), [known.data, stack]);
  const selection = PERIODS.find((p) => p.id === period)?.label.toLowerCase() ?? 'this period';

  return (
    <section aria-labelledby="requests-title" className="requests">
      <div className="section-head">
        <h2 id="requests-title">Requests</h2>
        <label className="inline-label">
          Period{' '}
          <select data-testid="requests-period" value={period} onChange={(e) => setPeriod(e.target.value as RequestsPeriod)}>
            {PERIODS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted small">
        Exact usage, cost and rate-limit headroom of every request your apps send through Spendbar&apos;s metering proxy. Metered figures are shown
        beside what providers bill, never added to them.
      </p>
      {summary.error && (
        <p className="error-text" role="alert" data-testid="requests-error">
          {summary.error}
        </p>
      )}
      <div className="cards">
        <HeadroomTable headroom={summary.data?.headroom ?? []} accountLabel={accountLabel} />
        <MeteredVsBilledList rows={summary.data?.meteredVsBilled ?? []} accountLabel={accountLabel} />
      </div>
      <AppTotalsTable rows={summary.data?.byApp ?? []} />
      <TrendChart
        result={trend.data}
        loading={trend.loading}
        metric={metric}
        bucket={bucket}
        stack={stack}
        onMetric={setMetric}
        onBucket={setBucket}
        onStack={setStack}
        labelFor={groupLabel}
        colorOf={colorOf}
        timeZone={info?.timeZone ?? 'UTC'}
        selection={`requests through the proxy, ${selection}`}
      />
      <RequestList refresh={tick} accountLabel={accountLabel} />
      <ProxySetup info={summary.data?.proxy ?? null} accountLabel={accountLabel} />
    </section>
  );
}
