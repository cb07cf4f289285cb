// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import { KeyList } from '../../renderer/views/KeyList.tsx';
import { money } from '../../shared/money.ts';
import type { KeySpend } from '../../shared/domain.ts';

const key = (name: string, month: number, over: Partial<KeySpend> = {}): KeySpend => ({
  name, spent: { today: money(month / 10, 'USD'), month: money(month, 'USD') }, limit: null, remaining: null, resets: 'never', ...over,
});

describe('KeyList', () => {
  it('names each key with its spend and what is left of its cap, biggest spender first', () => {
    render(<KeyList keys={[key('Batch', 2.5), key('Production', 20.25, { workspace: 'Default', limit: money(100, 'USD'), remaining: money(79.75, 'USD'), resets: 'monthly' }), key('Old', 0, { disabled: true })]} />);
    expect(screen.getByTestId('card-keys').querySelector('summary')?.textContent).toBe('3 keys');
    const rows = screen.getAllByTestId('card-key').map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent));
    expect(rows).toEqual([
      ['Production · Default', '$2.03', '$20.25', '$79.75 of $100.00 monthly'],
      ['Batch', '$0.25', '$2.50', 'no cap'],
      ['Old (disabled)', '$0.00', '$0.00', 'no cap'],
    ]);
  });

  it('shows the eight biggest and says how many more there are', () => {
    render(<KeyList keys={Array.from({ length: 11 }, (_, i) => key(`k${i}`, i))} />);
    const list = within(screen.getByTestId('card-keys'));
    expect(list.getAllByTestId('card-key')).toHaveLength(8);
    expect(list.getAllByTestId('card-key')[0]?.textContent).toContain('k10');
    expect(list.getByText('and 3 more')).toBeTruthy();
  });
});
