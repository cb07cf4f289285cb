// @vitest-environment jsdom
import './dom-setup.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import { accountFromHash } from '../../renderer/lib/view.ts';
import { FakeSpendbarApi } from './fake-api.ts';

afterEach(() => {
  vi.useRealTimers();
  window.location.hash = '';
});

describe('#/account/<id> (a notification click)', () => {
  it('parses only account routes', () => {
    expect(accountFromHash('#/account/demo-gateway')).toBe('demo-gateway');
    expect(accountFromHash('#/account/a%20b')).toBe('a b');
    expect(accountFromHash('#/usage')).toBeNull();
    expect(accountFromHash('#/account/%E0%A4%A')).toBeNull();
  });

  it('switches to the Overview, focuses that account card and highlights it for 4 s', async () => {
    render(<App api={new FakeSpendbarApi()} initialView="usage" />);
    // The Usage view shows once the statuses are loaded: from here the Overview's cards render without waiting.
    await screen.findByTestId('usage-filters');
    // The highlight's timer runs on a fake clock, so how long a loaded host takes to get here cannot end it early.
    // (Only timeouts: testing-library's own waits are not used from here on.)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    act(() => {
      window.location.hash = '#/account/ds';
      fireEvent(window, new HashChangeEvent('hashchange'));
    });
    const card = screen.getAllByTestId('account-card').find((c) => c.dataset.accountId === 'ds');
    expect(card).toBeTruthy();
    expect(document.activeElement).toBe(card);
    expect(card!.classList.contains('is-focused')).toBe(true);
    expect(screen.getByTestId('tab-overview').getAttribute('aria-current')).toBe('page');
    act(() => void vi.advanceTimersByTime(3_999));
    expect(card!.classList.contains('is-focused')).toBe(true);
    act(() => void vi.advanceTimersByTime(1));
    expect(card!.classList.contains('is-focused')).toBe(false);
    // The card keeps the focus; only the highlight ends.
    expect(document.activeElement).toBe(card);
  });
});
