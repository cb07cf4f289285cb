// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import { counting, FakeSpendbarApi } from './fake-api.ts';

const COUNTED = ['getInfo', 'listProviders', 'listAccounts', 'getStatus', 'querySeries', 'queryTotals', 'filterValues', 'getAlerts'] as const;
const settle = () => act(() => new Promise((r) => setTimeout(r, 400)));


async function openUsage() {
  const api = new FakeSpendbarApi();
  const { page, counts } = counting(api, COUNTED);
  render(<App api={page} initialView="usage" />);
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
