// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import type { SpendbarApi } from '../../shared/api.ts';
import { FakeSpendbarApi } from './fake-api.ts';
import { preloadLive } from '../../renderer/state/live.tsx';
import { firstRenderNeeds, preloadUsage, takeUsageStart } from '../../renderer/state/usageStart.ts';
import type { SeriesQuery } from '../../shared/domain.ts';

const COUNTED = ['getInfo', 'listProviders', 'listAccounts', 'getStatus', 'querySeries', 'queryTotals', 'filterValues', 'getAlerts'] as const;
const settle = () => act(() => new Promise((r) => setTimeout(r, 400)));

/** The fake core, counting every call the page makes; `slow` methods answer that much later (ms). */
function counting(api: FakeSpendbarApi, slow: Record<string, number> = {}): { page: SpendbarApi; counts: () => Record<string, number> } {
  const calls = new Map<string, number>();
  const page = new Proxy(api, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        const answer = (value as (...a: unknown[]) => unknown).apply(target, args);
        const ms = slow[String(key)];
        return ms ? new Promise((r) => setTimeout(() => r(answer), ms)) : answer;
      };
    },
  });
  return { page, counts: () => Object.fromEntries(COUNTED.map((m) => [m, calls.get(m) ?? 0])) };
}

async function openUsage(opts: { preloaded?: boolean } = {}) {
  const api = new FakeSpendbarApi();
  // The trend answers after the live state (as the core answers one request at a time, in order).
  const { page, counts } = counting(api, opts.preloaded ? { querySeries: 150, queryTotals: 150 } : {});
  // As main.tsx does when the page opens on Usage: the first load and the view's first queries go out before React.
  if (opts.preloaded) {
    preloadLive(page, () => firstRenderNeeds(preloadUsage(page, Date.now(), 'UTC')));
  }
  render(<App api={page} initialView="usage" />);
  if (opts.preloaded) {
    // The first load waited for the trend and totals: the view's first render already holds them.
    const trend = await screen.findByTestId('trend-chart', undefined, { timeout: 10_000 });
    expect(trend.getAttribute('data-columns')).toBe('7');
    expect(screen.getAllByTestId('breakdown-row').length).toBeGreaterThan(0);
  }
  // The chart code loads lazily; the first test of a run also pays for transforming it.
  await waitFor(() => expect(JSON.parse(screen.getByTestId('trend-chart').getAttribute('data-series') ?? '[]').length).toBeGreaterThan(0), { timeout: 10_000 });
  // The balance history below the fold is asked for once the trend chart is drawn, at an idle moment.
  await waitFor(() => expect(screen.getByTestId('balance-history').getAttribute('aria-busy')).toBe('false'), { timeout: 10_000 });
  await settle();
  return { api, counts };
}

describe('first load of the Usage view', () => {
  it('asks for each thing once: live state, trend, balances, totals, filter values and alerts', async () => {
    const { counts } = await openUsage();
    expect(counts()).toEqual({ getInfo: 1, listProviders: 1, listAccounts: 1, getStatus: 1, querySeries: 2, queryTotals: 1, filterValues: 1, getAlerts: 1 });
  });

  it('opened at start-up, takes the trend, totals and filter values sent before it mounted instead of asking again', async () => {
    const { api, counts } = await openUsage({ preloaded: true });
    expect(counts()).toEqual({ getInfo: 1, listProviders: 1, listAccounts: 1, getStatus: 1, querySeries: 2, queryTotals: 1, filterValues: 1, getAlerts: 1 });
    // The balance history (asked by the view itself) covers the range the preloaded trend was asked for.
    const [trend, balance] = api.callsTo('querySeries').map((a) => a[0] as SeriesQuery);
    expect(trend).toMatchObject({ metric: 'requests', bucket: 'day', groupBy: 'model' });
    expect(balance).toMatchObject({ metric: 'balance', from: trend!.from, to: trend!.to });
    expect(screen.getAllByTestId('breakdown-row').length).toBeGreaterThan(0);
  });

  it("asks afresh when the app's zone is not the one guessed at start-up", async () => {
    const api = new FakeSpendbarApi();
    const { page, counts } = counting(api);
    preloadLive(page);
    preloadUsage(page, Date.now(), 'Asia/Tokyo');
    render(<App api={page} initialView="usage" />);
    await waitFor(() => expect(JSON.parse(screen.getByTestId('trend-chart').getAttribute('data-series') ?? '[]').length).toBeGreaterThan(0), { timeout: 10_000 });
    await settle();
    expect(counts()).toMatchObject({ querySeries: 3, queryTotals: 2, filterValues: 2 });
    const trend = api.callsTo('querySeries').map((a) => a[0] as SeriesQuery).filter((q) => q.metric === 'requests').at(-1)!;
    expect(trend.timeZone).toBe('UTC');
  });

  it('does not use a start that waited too long (a retried first load), nor one taken before', () => {
    const api = new FakeSpendbarApi();
    preloadUsage(api, Date.now(), 'UTC');
    expect(takeUsageStart(api, 'UTC', Date.now() + 60_000)).toBeNull();
    preloadUsage(api, Date.now(), 'UTC');
    expect(takeUsageStart(api, 'UTC')?.range.to).toBeLessThanOrEqual(Date.now());
    // Taken once.
    expect(takeUsageStart(api, 'UTC')).toBeNull();
  });

  it('does not re-query for a status push that only repeats what is shown (a new event stream, a poll starting)', async () => {
    const { api, counts } = await openUsage();
    const before = counts();
    act(() => api.emit({ type: 'status', statuses: structuredClone(api.statuses) }));
    act(() => api.emit({ type: 'status', statuses: api.statuses.map((s) => ({ ...s, polling: true })) }));
    await settle();
    expect(counts()).toEqual(before);
    expect(screen.getByTestId('live-state').textContent).toContain('Refreshing');
  });

  it('re-queries once, debounced, for a burst of new figures', async () => {
    const { api, counts } = await openUsage();
    const before = counts();
    const ds = api.statuses.find((s) => s.accountId === 'ds')!;
    const or = api.statuses.find((s) => s.accountId === 'or')!;
    act(() => {
      api.emit({ type: 'snapshot', snapshot: { ...ds.lastSuccess!, time: Date.now() } });
      api.emit({ type: 'snapshot', snapshot: { ...or.lastSuccess!, time: Date.now() } });
    });
    await settle();
    expect(counts()).toMatchObject({ querySeries: before.querySeries! + 2, queryTotals: before.queryTotals! + 1, filterValues: before.filterValues! + 1 });
    // A status push carrying a snapshot the page missed (the stream dropped) re-queries too.
    const missed = api.statuses.map((s) => (s.accountId === 'gw' ? { ...s, latest: { ...s.latest!, time: Date.now() + 1 } } : s));
    act(() => api.emit({ type: 'status', statuses: missed }));
    await settle();
    expect(counts().queryTotals).toBe(before.queryTotals! + 2);
  });
});
