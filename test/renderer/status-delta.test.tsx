// @vitest-environment jsdom
// Status deltas: after the first full status, the core sends only the accounts that changed. The live state merges
// them in; the other accounts' cards stay exactly as they were.
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import { money } from '../../shared/money.ts';
import { applyStatusDelta } from '../../renderer/state/merge.ts';
import { FakeSpendbarApi } from './fake-api.ts';

function card(accountId: string): HTMLElement {
  const el = screen.getAllByTestId('account-card').find((c) => c.dataset.accountId === accountId);
  if (!el) throw new Error(`no card for ${accountId}`);
  return el;
}

describe('status deltas', () => {
  it('merge one account’s status into the list and leave the others alone', () => {
    const api = new FakeSpendbarApi();
    const before = api.statuses;
    const changed = { ...before[1]!, polling: true };
    const after = applyStatusDelta(before, [changed]);
    expect(after).toHaveLength(before.length);
    expect(after[1]).toBe(changed);
    after.forEach((s, i) => i !== 1 && expect(s).toBe(before[i]));
    const added = { ...before[0]!, accountId: 'new-one' };
    expect(applyStatusDelta(before, [added]).map((s) => s.accountId)).toEqual([...before.map((s) => s.accountId), 'new-one']);
  });

  it('update the changed card in the dashboard, polling state and figures both', async () => {
    const api = new FakeSpendbarApi();
    render(<App api={api} />);
    await screen.findAllByTestId('account-card');
    const ds = api.statuses.find((s) => s.accountId === 'ds')!;
    act(() => api.emit({ type: 'status-delta', statuses: [{ ...ds, polling: true }] }));
    expect(screen.getByTestId('live-state').textContent).toContain('Refreshing');
    expect(within(card('ds')).getByRole('button', { name: /Refresh DeepSeek now/ }).hasAttribute('disabled')).toBe(true);
    expect(within(card('or')).getByRole('button', { name: /^Refresh .* now/ }).hasAttribute('disabled')).toBe(false);

    const or = api.statuses.find((s) => s.accountId === 'or')!;
    const fresh = { ...or.lastSuccess!, time: Date.now(), balance: money(60, 'USD'), balances: [money(60, 'USD')] };
    act(() => api.emit({ type: 'status-delta', statuses: [{ ...or, latest: fresh, lastSuccess: fresh, polling: false }, { ...ds, polling: false }] }));
    expect(within(card('or')).getByTestId('card-balance').textContent).toBe('$60.00');
    expect(within(card('ds')).getByTestId('card-balance').textContent).toBe('¥110.00$5.00');
    expect(screen.getByTestId('live-state').textContent).not.toContain('Refreshing');
  });
});

describe('a refresh answer older than the deltas', () => {
  it('keeps each account’s newer status', async () => {
    const { preferNewer } = await import('../../renderer/state/merge.ts');
    const api = new FakeSpendbarApi();
    const [a, b] = api.statuses;
    const finished = { ...a!, polling: false, latest: { ...a!.latest!, time: (a!.latest?.time ?? 0) + 60_000 } };
    const answered = [{ ...a!, polling: true }, { ...b!, polling: true }];
    const merged = preferNewer([finished, b!], answered);
    expect(merged[0]).toBe(finished);
    expect(merged[1]).toBe(answered[1]);
  });
});
