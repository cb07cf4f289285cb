// @vitest-environment jsdom
// Opening the page: the first load `spendbar serve` put in the page, and the Usage view's first queries asked at
// start-up (main.tsx) before React rendered. Each is used once, in place of the request it stands for, and what
// arrives later (an event-stream push, a new revision) still refreshes the view.
import './dom-setup.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import { takeServedFirstLoad } from '../../renderer/api/served.ts';
import { forgetEarly } from '../../renderer/state/early.ts';
import { preloadLive } from '../../renderer/state/live.tsx';
import { askUsageEarly } from '../../renderer/views/usage-queries.ts';
import { FIRST_LOAD_ELEMENT_ID, type FirstLoad } from '../../shared/first-load.ts';
import { counting, FakeSpendbarApi } from './fake-api.ts';

const COUNTED = ['getInfo', 'listProviders', 'listAccounts', 'getStatus', 'querySeries', 'queryTotals', 'filterValues'] as const;


async function servedLoad(api: FakeSpendbarApi): Promise<FirstLoad> {
  const [info, providers, accounts, statuses] = await Promise.all([api.getInfo(), api.listProviders(), api.listAccounts(), api.getStatus()]);
  return { info, providers, accounts, statuses };
}

const trendSeries = () => JSON.parse(screen.getByTestId('trend-chart').getAttribute('data-series') ?? '[]') as { label: string; sum: number }[];

afterEach(() => {
  forgetEarly();
  document.getElementById(FIRST_LOAD_ELEMENT_ID)?.remove();
});

describe('the first load served in the page', () => {
  it('is read once from its data block, which then leaves the document', () => {
    const load = { info: { timeZone: 'UTC' }, providers: [], accounts: [], statuses: [] };
    document.head.insertAdjacentHTML('beforeend', `<script type="application/json" id="${FIRST_LOAD_ELEMENT_ID}">${JSON.stringify(load)}</script>`);
    expect(takeServedFirstLoad()).toEqual(load);
    expect(document.getElementById(FIRST_LOAD_ELEMENT_ID)).toBeNull();
    expect(takeServedFirstLoad()).toBeNull();
  });

  it('is ignored when it is not a first load (the page then asks the API)', () => {
    for (const text of ['{not json', '{"info":null}', '{"info":{},"providers":[]}']) {
      document.head.insertAdjacentHTML('beforeend', `<script type="application/json" id="${FIRST_LOAD_ELEMENT_ID}">${text}</script>`);
      expect(takeServedFirstLoad()).toBeNull();
    }
  });

  it('renders the view at once without asking for it, and the event stream’s first push refreshes the statuses', async () => {
    const fake = new FakeSpendbarApi();
    const served = await servedLoad(fake);
    const { page, counts } = counting(fake, COUNTED);
    preloadLive(page, served);
    render(<App api={page} initialView="overview" />);
    // No "Loading…" frame: the first render already shows the cards.
    expect(screen.queryByTestId('loading')).toBeNull();
    expect(screen.getAllByTestId('account-card').length).toBe(served.accounts.length);
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(counts()).toMatchObject({ getInfo: 0, listProviders: 0, listAccounts: 0, getStatus: 0 });
    // The core answers a new event stream with every status: a poll running now shows.
    act(() => fake.emit({ type: 'status', statuses: served.statuses.map((s) => ({ ...s, polling: true })) }));
    expect(screen.getByTestId('live-state').textContent).toContain('Refreshing');
  });
});

describe('the Usage view’s first queries, asked at start-up', () => {
  it('are taken by the view instead of being asked again, and a new revision asks the core', async () => {
    const fake = new FakeSpendbarApi();
    const served = await servedLoad(fake);
    const { page, counts } = counting(fake, COUNTED);
    preloadLive(page, served);
    askUsageEarly(page, served.info.timeZone);
    // Start-up waits for them before rendering (main.tsx): they are in when the view first renders.
    await act(() => new Promise((r) => setTimeout(r, 20)));
    render(<App api={page} initialView="usage" />);
    await waitFor(() => expect(trendSeries().length).toBeGreaterThan(0), { timeout: 10_000 });
    expect(screen.getByTestId('trend-chart').getAttribute('aria-busy')).toBe('false');
    await waitFor(() => expect(screen.getByTestId('balance-history').getAttribute('aria-busy')).toBe('false'), { timeout: 10_000 });
    // The trend once (at start-up) and the balance history once; totals and filter values once each.
    expect(counts()).toMatchObject({ querySeries: 2, queryTotals: 1, filterValues: 1 });
    expect(fake.callsTo('querySeries').map((a) => (a[0] as { metric: string }).metric)).toEqual(['requests', 'balance']);
    // New figures: the view asks the core again, not the answers start-up had.
    const ds = served.statuses.find((s) => s.accountId === 'ds')!;
    act(() => fake.emit({ type: 'snapshot', snapshot: { ...ds.lastSuccess!, time: Date.now() } }));
    await waitFor(() => expect(counts().queryTotals).toBe(2), { timeout: 5_000 });
    expect(counts().querySeries).toBeGreaterThanOrEqual(4);
  });

  it('are not used for another selection: a view that asks something else asks the core', async () => {
    const fake = new FakeSpendbarApi();
    const served = await servedLoad(fake);
    const { page, counts } = counting(fake, COUNTED);
    preloadLive(page, served);
    // Asked for another zone than the one the view cuts its days in: not the view's query.
    askUsageEarly(page, 'Pacific/Kiritimati');
    render(<App api={page} initialView="usage" />);
    await waitFor(() => expect(trendSeries().length).toBeGreaterThan(0), { timeout: 10_000 });
    const zones = fake.callsTo('querySeries').map((a) => (a[0] as { timeZone?: string }).timeZone);
    expect(zones.slice(0, 2)).toEqual(['Pacific/Kiritimati', 'UTC']);
    expect(counts().queryTotals).toBe(2);
  });
});

describe('the throwaway chart drawn while the page waits', () => {
  it('leaves no chart and no canvas behind', async () => {
    const { Chart } = await import('../../renderer/chart/setup.ts');
    const { warmUpBarCharts } = await import('../../renderer/chart/charts.tsx');
    const before = Object.keys(Chart.instances).length;
    warmUpBarCharts();
    expect(Object.keys(Chart.instances).length).toBe(before);
    expect(document.querySelectorAll('canvas')).toHaveLength(0);
  });
});
