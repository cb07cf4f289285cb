import { describe, expect, it } from 'vitest';
import { fmt } from '../../../electron/core/alerts/check.ts';

describe('alert money text', () => {
  it('speaks in cents, keeping sub-cent amounts readable', () => {
    expect(fmt(58_612_695, 'USD')).toBe('$58.61');
    expect(fmt(4_200_000, 'USD')).toBe('$4.20');
    expect(fmt(110_000_000, 'CNY')).toBe('¥110.00');
    expect(fmt(4_200, 'USD')).toBe('$0.0042');
  });
});
