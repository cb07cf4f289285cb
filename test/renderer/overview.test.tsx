// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import { money } from '../../shared/money.ts';
import { FakeSpendbarApi } from './fake-api.ts';

function card(accountId: string): HTMLElement {
  const el = screen.getAllByTestId('account-card').find((c) => c.dataset.accountId === accountId);
  if (!el) throw new Error(`no card for ${accountId}`);
  return el;
}

describe('Overview', () => {
  it('shows one card per account with balance, spend, cap bar and runway', async () => {
    const api = new FakeSpendbarApi();
    render(<App api={api} />);
    await screen.findAllByTestId('account-card');
    expect(screen.getAllByTestId('account-card')).toHaveLength(api.accounts.length);

    const or = within(card('or'));
    expect(or.getByTestId('card-balance').textContent).toBe('$74.50');
    expect(or.getByTestId('card-today').textContent).toBe('$1.20');
    expect(or.getByTestId('card-month').textContent).toBe('$25.50');
    expect(or.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('26');
    expect(or.getByTestId('card-quota').textContent).toContain('$25.50 of $100.00 used');
    // The runway the core served: 74.50 at 1.50 a day ≈ 49.7 days, with the window it rests on.
    expect(or.getByTestId('card-runway').textContent).toBe("≈ 49 days at the last 7 days' burn ($1.50/day)");

    const ds = within(card('ds'));
    expect(ds.getByTestId('card-balance').textContent).toBe('¥110.00$5.00');
    expect(ds.getByTestId('card-notes').textContent).toContain('derived from balance changes');
  });

  it('totals each currency on its own and never adds CNY to USD', async () => {
    render(<App api={new FakeSpendbarApi()} />);
    const balance = await screen.findByTestId('totals-balance');
    const values = [...balance.querySelectorAll('[data-currency]')].map((e) => [e.getAttribute('data-currency'), e.textContent]);
    // USD: 74.50 (OpenRouter) + 5.00 (DeepSeek) + 12.00 (gateway, last good figure).
    expect(values).toEqual([
      ['CNY', '¥110.00'],
      ['USD', '$91.50'],
    ]);
    expect(screen.getByTestId('totals-today').textContent).toContain('$1.20');
    expect(screen.getByTestId('totals-today').textContent).toContain('¥3.40');
  });

  it('shows month to date and the forecast per currency, and edits the budget', async () => {
    const api = new FakeSpendbarApi();
    render(<App api={api} />);
    const usd = await waitFor(() => screen.getAllByTestId('month-card').find((c) => c.dataset.currency === 'USD')!);
    const m = within(usd);
    expect(m.getByTestId('month-to-date').textContent).toBe('$25.50');
    // The same figure as the totals row: one sum, never two.
    expect(screen.getByTestId('totals-month').textContent).toContain('$25.50');
    expect(m.getByTestId('month-forecast').textContent).toMatch(/^Forecast \$\d+\.\d\d by \d+ \w+ at \$1\.50\/day \(last 7 days' pace\)$/);
    expect(m.getByTestId('budget-status').textContent).toMatch(/budget/);
    fireEvent.click(m.getByTestId('budget-edit'));
    fireEvent.change(m.getByTestId('budget-input'), { target: { value: '-3' } });
    fireEvent.click(m.getByTestId('budget-save'));
    expect(m.getByTestId('budget-error').textContent).toMatch(/^Monthly budget: enter an amount in USD/);
    fireEvent.change(m.getByTestId('budget-input'), { target: { value: '80' } });
    fireEvent.click(m.getByTestId('budget-save'));
    await waitFor(() => expect(api.callsTo('saveBudgets')).toEqual([[[{ currency: 'USD', amount: 80 }]]]));
    await waitFor(() => expect(within(screen.getAllByTestId('month-card').find((c) => c.dataset.currency === 'USD')!).getByTestId('budget-edit').textContent).toBe('Budget $80.00'));
  });

  it('shows a token-only account in its own units, and a 30-day spend chart per currency', async () => {
    render(<App api={new FakeSpendbarApi()} />);
    await screen.findAllByTestId('account-card');
    const sc = within(card('sc'));
    await waitFor(() => expect(Number(sc.getByTestId('card-tokens-month').getAttribute('title')!.replace(/\D/g, ''))).toBeGreaterThan(0));
    expect(sc.getByTestId('card-requests-today').textContent).toMatch(/requests$/);
    expect(sc.queryByTestId('card-balance')).toBeNull();
    const images = await screen.findByTestId('images-card');
    expect(within(images).getByTestId('images-row').dataset.accountId).toBe('sc');
    expect(within(images).getByTestId('images-month').textContent).toBe('57 this month');
    const chart = screen.getByTestId('spend-chart');
    expect(chart.dataset.columns).toBe('30');
    expect(within(chart).getAllByTestId('legend-item').map((b) => b.dataset.label).sort()).toEqual(['DeepSeek', 'OpenRouter personal']);
  });

  it('offers "Add account" and the demo when there are no accounts', async () => {
    const api = new FakeSpendbarApi();
    api.accounts = [];
    api.statuses = [];
    render(<App api={api} />);
    await screen.findByTestId('overview-empty');
    expect(screen.getByTestId('empty-demo-hint').textContent).toContain('npm run serve -- --demo');
    fireEvent.click(screen.getByTestId('empty-add-account'));
    window.location.hash = '#/add-account';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await screen.findByTestId('account-form');
  });

  it('shows a failing account as stale with the provider’s actionable message and its last good figures', async () => {
    render(<App api={new FakeSpendbarApi()} />);
    await screen.findAllByTestId('account-card');
    const gw = within(card('gw'));
    expect(gw.getByTestId('badge-stale')).toBeTruthy();
    expect(gw.getByTestId('badge-error')).toBeTruthy();
    expect(gw.getByTestId('card-error').textContent).toMatch(/rejected the API key \(HTTP 401\): check the key in Accounts/);
    expect(gw.getByTestId('card-balance').textContent).toBe('$12.00');
    expect(gw.getByTestId('card-updated').textContent).toBe('Updated 3 h ago');
  });

  it('labels demo data', async () => {
    const { unmount } = render(<App api={new FakeSpendbarApi()} />);
    await screen.findAllByTestId('account-card');
    expect(screen.queryByTestId('demo-label')).toBeNull();
    expect(screen.queryAllByTestId('badge-demo')).toHaveLength(0);
    unmount();
    render(<App api={new FakeSpendbarApi({ demo: true })} />);
    await screen.findAllByTestId('account-card');
    expect(screen.getByTestId('demo-label').textContent).toBe('Demo data');
    expect(screen.getAllByTestId('badge-demo')).toHaveLength(4);
  });

  it('updates a card when a snapshot is pushed, without reloading anything', async () => {
    const api = new FakeSpendbarApi();
    render(<App api={api} />);
    await screen.findAllByTestId('account-card');
    const loadsBefore = api.callsTo('listAccounts').length;
    const next = { ...api.statuses[0]!.lastSuccess!, time: Date.now(), balance: money(70.25, 'USD'), balances: [money(70.25, 'USD')], spent: { today: money(5.45, 'USD'), month: money(29.75, 'USD') } };
    act(() => api.emit({ type: 'snapshot', snapshot: next }));
    expect(within(card('or')).getByTestId('card-balance').textContent).toBe('$70.25');
    expect(within(card('or')).getByTestId('card-today').textContent).toBe('$5.45');
    expect(within(card('or')).getByTestId('card-updated').textContent).toBe('Updated just now');
    expect(api.callsTo('listAccounts').length).toBe(loadsBefore);
    // A status push marks polling; the header says so.
    act(() => api.emit({ type: 'status', statuses: api.statuses.map((s) => ({ ...s, polling: s.accountId === 'ds' })) }));
    expect(screen.getByTestId('live-state').textContent).toContain('Refreshing');
    expect(within(card('ds')).getByRole('button', { name: /Refresh DeepSeek now/ }).hasAttribute('disabled')).toBe(true);
  });

  it('"Refresh now" polls every account and shows the refreshing state until it finishes', async () => {
    const api = new FakeSpendbarApi();
    let finish: () => void = () => undefined;
    const original = api.refresh.bind(api);
    api.refresh = (id?: string) => new Promise((resolve) => { finish = () => void original(id).then(resolve); });
    render(<App api={api} />);
    await screen.findAllByTestId('account-card');
    fireEvent.click(screen.getByTestId('refresh-now'));
    expect(screen.getByTestId('live-state').getAttribute('data-refreshing')).toBe('true');
    expect(screen.getByTestId('refresh-now').hasAttribute('disabled')).toBe(true);
    await act(async () => finish());
    await waitFor(() => expect(screen.getByTestId('live-state').getAttribute('data-refreshing')).toBe('false'));
    expect(api.callsTo('refresh')).toEqual([[undefined]]);
  });
});
