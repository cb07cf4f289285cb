// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App, type View } from '../../renderer/App.tsx';
import type { AlertHistoryFilter } from '../../shared/alerts.ts';
import { FakeSpendbarApi } from './fake-api.ts';

const DAY = 86_400_000;

async function open(view: View = 'alerts') {
  const api = new FakeSpendbarApi({ alertHistory: true });
  render(<App api={api} initialView={view} />);
  if (view === 'alerts') await waitFor(() => expect(screen.getAllByTestId('history-row').length).toBeGreaterThan(0));
  else await screen.findAllByTestId('account-card');
  return api;
}
const rows = () => screen.getAllByTestId('history-row');
const ids = () => screen.queryAllByTestId('history-row').map((r) => Number(r.dataset.eventId));
const row = (id: number) => rows().find((r) => Number(r.dataset.eventId) === id)!;
const filterBy = (name: string, value: string) => fireEvent.change(screen.getByTestId(`history-filter-${name}`), { target: { value } });
const lastFilter = (api: FakeSpendbarApi) => api.callsTo('alertHistory').at(-1)![0] as AlertHistoryFilter;
/** What the fake holds for a filter, newest first: the list must show exactly these. */
const expected = (api: FakeSpendbarApi, f: AlertHistoryFilter) => api.alerts.history(f).map((e) => e.id);

describe('Alert history', () => {
  it('lists the last 30 days newest first, with active alerts highlighted', async () => {
    const api = await open();
    const want = expected(api, { from: api.now - 30 * DAY });
    expect(want.length).toBeLessThan(api.alerts.events.length);
    expect(ids()).toEqual(want);
    const times = want.map((id) => api.alerts.events.find((e) => e.id === id)!.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const active = api.alerts.active().map((e) => e.id);
    expect(active.length).toBe(2);
    expect(rows().filter((r) => r.dataset.active === 'true').map((r) => Number(r.dataset.eventId))).toEqual(active);
    for (const id of active) expect(row(id).className).toContain('is-active');
    // A spend alert shows its figures in money, exactly.
    const spend = api.alerts.events.find((e) => e.ruleId === 'spend-day')!;
    expect(within(row(spend.id)).getByText(/\$1\.20 \(threshold \$1\.00\)/)).toBeTruthy();
  });

  it('filters by account, rule, kind, acknowledgement and period', async () => {
    const api = await open();
    const check = async (f: AlertHistoryFilter) => {
      await waitFor(() => expect(ids()).toEqual(expected(api, { ...f, from: lastFilter(api).from! })));
      expect(lastFilter(api)).toMatchObject(f);
    };
    filterBy('accountId', 'or');
    await check({ accountId: 'or' });
    expect(ids().length).toBeGreaterThan(0);
    filterBy('accountId', '');
    filterBy('ruleId', 'failing');
    await check({ ruleId: 'failing' });
    expect(ids().length).toBe(3);
    filterBy('kind', 'recovered');
    await check({ ruleId: 'failing', kind: 'recovered' });
    expect(rows().every((r) => r.dataset.kind === 'recovered')).toBe(true);
    fireEvent.click(screen.getByTestId('history-filter-clear'));
    filterBy('acknowledged', 'yes');
    await check({ acknowledged: true });
    expect(rows().every((r) => r.dataset.acknowledged === 'true')).toBe(true);
    filterBy('acknowledged', 'no');
    await check({ acknowledged: false });
    expect(rows().every((r) => r.dataset.acknowledged === 'false')).toBe(true);
    filterBy('acknowledged', '');
    filterBy('period', 'all');
    await waitFor(() => expect(ids()).toEqual(expected(api, {})));
    expect(lastFilter(api).from).toBeUndefined();
    expect(ids()).toHaveLength(api.alerts.events.length);
    filterBy('period', '1');
    await waitFor(() => expect(ids()).toEqual(expected(api, { from: api.now - DAY })));
    expect(ids()).toHaveLength(2);
  });

  it('acknowledges and snoozes, and the banner and tab count follow', async () => {
    const api = await open();
    const [newest, older] = api.alerts.active();
    expect(screen.getByTestId('alerts-tab-count').textContent).toBe('2');
    fireEvent.click(within(row(older!.id)).getByTestId('history-ack'));
    await waitFor(() => expect(row(older!.id).dataset.acknowledged).toBe('true'));
    expect(api.callsTo('acknowledgeAlert')).toEqual([[older!.id]]);
    expect(within(row(older!.id)).queryByTestId('history-ack')).toBeNull();
    expect(within(row(older!.id)).getByTestId('history-acked')).toBeTruthy();
    expect(row(older!.id).dataset.active).toBe('false');
    await waitFor(() => expect(screen.getByTestId('alerts-tab-count').textContent).toBe('1'));

    fireEvent.click(within(row(newest!.id)).getByTestId('history-snooze'));
    await waitFor(() => expect(within(row(newest!.id)).getByTestId('history-snoozed').textContent).toMatch(/Snoozed until/));
    expect(api.callsTo('snoozeAlert')).toEqual([[{ eventId: newest!.id }, '1h']]);
    expect(row(newest!.id).dataset.active).toBe('false');
    await waitFor(() => expect(screen.queryByTestId('alerts-tab-count')).toBeNull());

    fireEvent.click(screen.getByTestId('tab-overview'));
    await screen.findAllByTestId('account-card');
    expect(screen.queryByTestId('alerts-banner')).toBeNull();
  });

  it('snoozes until tomorrow', async () => {
    const api = await open();
    const [newest] = api.alerts.active();
    fireEvent.click(within(row(newest!.id)).getByTestId('history-snooze-tomorrow'));
    await waitFor(() => expect(api.alerts.events.find((e) => e.id === newest!.id)!.snoozedUntil).toBeGreaterThan(api.now));
    expect(api.callsTo('snoozeAlert')).toEqual([[{ eventId: newest!.id }, 'tomorrow']]);
  });

  it('shows a new alert at the top of the history as it arrives, without a reload', async () => {
    const api = await open();
    const infoLoads = api.callsTo('getInfo').length;
    const before = ids();
    let added = 0;
    act(() => {
      added = api.alerts.add({ time: api.now, ruleId: 'or-low', ruleType: 'balance-below', accountId: 'or', title: 'OpenRouter personal balance is $79.00', value: 79e6, threshold: 80e6, money: 'USD' }, true).id;
    });
    await waitFor(() => expect(ids()).toEqual([added, ...before]));
    expect(row(added).dataset.active).toBe('true');
    expect(screen.getByTestId('alerts-tab-count').textContent).toBe('3');
    expect(api.callsTo('getInfo').length).toBe(infoLoads);
  });
});

describe('Alerts banner on the Overview', () => {
  it('shows active alerts, updates live and links to the Alerts tab', async () => {
    const api = await open('overview');
    const banner = await screen.findByTestId('alerts-banner');
    expect(banner.textContent).toContain('2 active alerts');
    expect(screen.getByTestId('alerts-banner-title').textContent).toBe(api.alerts.active()[0]!.title);
    act(() => {
      api.alerts.add({ time: api.now, ruleId: 'failing', ruleType: 'provider-failing', accountId: 'ds', title: 'DeepSeek has been failing for 31 min', value: 31, threshold: 30, severity: 'critical' }, true);
    });
    await waitFor(() => expect(screen.getByTestId('alerts-banner').textContent).toContain('3 active alerts'));
    expect(screen.getByTestId('alerts-banner-title').textContent).toBe('DeepSeek has been failing for 31 min');
    expect(screen.getByTestId('alerts-banner').className).toContain('is-critical');
    fireEvent.click(screen.getByTestId('alerts-banner-open'));
    expect(screen.getByTestId('alerts-tab').getAttribute('aria-current')).toBe('page');
    await screen.findByTestId('alerts-view');
  });

  it('is absent when nothing is active', async () => {
    const api = new FakeSpendbarApi();
    render(<App api={api} />);
    await screen.findAllByTestId('account-card');
    await waitFor(() => expect(api.callsTo('getAlerts').length).toBeGreaterThan(0));
    expect(screen.queryByTestId('alerts-banner')).toBeNull();
  });
});

describe('Alert history deliveries', () => {
  it('shows a channel that failed, with its reason, next to the alert', async () => {
    const api = new FakeSpendbarApi({ alertHistory: true });
    const event = api.alerts.events.find((e) => e.kind === 'fired' && e.time >= api.now - 30 * DAY)!;
    event.deliveries = [
      { channelId: 'popup', ok: false, attempts: 1, message: 'The desktop notification failed: notify-send failed (exit 1): Cannot autolaunch D-Bus without X11 $DISPLAY', at: event.time },
      { channelId: 'slack', ok: true, attempts: 1, message: 'hooks.slack.com accepted it (200)', at: event.time },
    ];
    render(<App api={api} initialView="alerts" />);
    await waitFor(() => expect(screen.getAllByTestId('history-row').length).toBeGreaterThan(0));
    const failed = within(row(event.id)).getByTestId('history-delivery-failed');
    expect(failed.textContent).toBe('popup: The desktop notification failed: notify-send failed (exit 1): Cannot autolaunch D-Bus without X11 $DISPLAY');
    expect(failed.textContent).not.toContain('slack');
  });
});
