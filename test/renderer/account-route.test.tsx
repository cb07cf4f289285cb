// @vitest-environment jsdom
import './dom-setup.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import { accountFromHash } from '../../renderer/lib/view.ts';
import { FakeSpendbarApi } from './fake-api.ts';

afterEach(() => {
  window.location.hash = '';
});

describe('#/account/<id> (a notification click)', () => {
  it('parses only account routes', () => {
    expect(accountFromHash('#/account/demo-gateway')).toBe('demo-gateway');
    expect(accountFromHash('#/account/a%20b')).toBe('a b');
    expect(accountFromHash('#/usage')).toBeNull();
    expect(accountFromHash('#/account/%E0%A4%A')).toBeNull();
  });

  it('switches to the Overview and focuses that account card', async () => {
    render(<App api={new FakeSpendbarApi()} initialView="usage" />);
    await screen.findByTestId('usage-filters');
    act(() => {
      window.location.hash = '#/account/ds';
      fireEvent(window, new HashChangeEvent('hashchange'));
    });
    const card = await waitFor(() => {
      const el = screen.getAllByTestId('account-card').find((c) => c.dataset.accountId === 'ds');
      if (!el) throw new Error('no ds card yet');
      return el;
    });
    await waitFor(() => expect(document.activeElement).toBe(card));
    expect(card.classList.contains('is-focused')).toBe(true);
    expect(screen.getByTestId('tab-overview').getAttribute('aria-current')).toBe('page');
  });
});
