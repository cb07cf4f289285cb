// @vitest-environment jsdom
// A hidden window (in the tray, minimized, a background tab) does no work: pushes are kept but nothing re-renders or
// re-queries, clocks stop; shown again, it catches up once.
import './dom-setup.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, renderHook, screen, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import { money } from '../../shared/money.ts';
import { useNow } from '../../renderer/state/useNow.ts';
import { whenVisible } from '../../renderer/state/visibility.ts';
import { FakeSpendbarApi } from './fake-api.ts';

let visibility: DocumentVisibilityState = 'visible';
Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });

function setVisibility(next: DocumentVisibilityState): void {
  visibility = next;
  document.dispatchEvent(new Event('visibilitychange'));
}

afterEach(() => {
  vi.useRealTimers();
  visibility = 'visible';
});

function card(accountId: string): HTMLElement {
  const el = screen.getAllByTestId('account-card').find((c) => c.dataset.accountId === accountId);
  if (!el) throw new Error(`no card for ${accountId}`);
  return el;
}

const settle = () => new Promise((r) => setTimeout(r, 400));

describe('the dashboard while hidden', () => {
  it('neither re-renders nor re-queries for pushes, and shows them all, once, when shown', async () => {
    const api = new FakeSpendbarApi();
    render(<App api={api} />);
    await screen.findAllByTestId('account-card');
    await settle();
    expect(within(card('or')).getByTestId('card-balance').textContent).toBe('$74.50');

    act(() => setVisibility('hidden'));
    const callsWhenHidden = api.calls.length;
    const or = api.statuses.find((s) => s.accountId === 'or')!;
    for (let i = 1; i <= 5; i++) {
      const fresh = { ...or.lastSuccess!, time: Date.now() + i, balance: money(60 - i, 'USD'), balances: [money(60 - i, 'USD')] };
      act(() => api.emit({ type: 'status-delta', statuses: [{ ...or, latest: fresh, lastSuccess: fresh, polling: false }] }));
    }
    await act(settle);
    // Nothing was asked of the core and the card still shows what it showed.
    expect(api.calls.slice(callsWhenHidden)).toEqual([]);
    expect(within(card('or')).getByTestId('card-balance').textContent).toBe('$74.50');

    act(() => setVisibility('visible'));
    // The last of the pushes, and one re-read of the history views for all five.
    expect(within(card('or')).getByTestId('card-balance').textContent).toBe('$55.00');
    await act(settle);
    const reads = api.calls.slice(callsWhenHidden).map((c) => c.method);
    expect(reads.length).toBeGreaterThan(0);

    // Five pushes while hidden cost what one push costs while visible: one re-read, not five.
    const before = api.calls.length;
    const fresh = { ...or.lastSuccess!, time: Date.now() + 10, balance: money(50, 'USD'), balances: [money(50, 'USD')] };
    act(() => api.emit({ type: 'status-delta', statuses: [{ ...or, latest: fresh, lastSuccess: fresh, polling: false }] }));
    await act(settle);
    expect(within(card('or')).getByTestId('card-balance').textContent).toBe('$50.00');
    expect(reads.sort()).toEqual(api.calls.slice(before).map((c) => c.method).sort());
  });
});

describe('useNow', () => {
  it('stops ticking while hidden and reads the clock again when shown', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 1, 12) });
    const { result } = renderHook(() => useNow(1_000));
    const start = result.current;
    act(() => vi.advanceTimersByTime(3_000));
    expect(result.current).toBe(start + 3_000);
    act(() => setVisibility('hidden'));
    expect(vi.getTimerCount()).toBe(0);
    act(() => vi.advanceTimersByTime(60_000));
    expect(result.current).toBe(start + 3_000);
    act(() => setVisibility('visible'));
    expect(result.current).toBe(start + 63_000);
    expect(vi.getTimerCount()).toBe(1);
  });
});

describe('whenVisible', () => {
  it('runs at once when visible, and many hidden calls once when shown; cancel drops a waiting call', () => {
    const fn = vi.fn();
    const w = whenVisible(fn);
    w.call();
    expect(fn).toHaveBeenCalledTimes(1);
    setVisibility('hidden');
    w.call();
    w.call();
    w.call();
    expect(fn).toHaveBeenCalledTimes(1);
    setVisibility('visible');
    expect(fn).toHaveBeenCalledTimes(2);
    setVisibility('hidden');
    w.call();
    w.cancel();
    setVisibility('visible');
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
