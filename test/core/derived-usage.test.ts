import { describe, expect, it } from 'vitest';
import { DERIVED_MODEL, deriveHourlySpend } from '../../electron/core/derived-usage.ts';
import type { Snapshot } from '../../shared/domain.ts';

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

function snap(time: number, fig: { total?: number; balance?: number; currency?: string; ok?: boolean; usage?: boolean }): Snapshot {
  const currency = fig.currency ?? 'USD';
  return {
    accountId: 'a',
    provider: 'newapi',
    time,
    ok: fig.ok ?? true,
    error: null,
    balance: fig.balance === undefined ? null : { micros: fig.balance, currency },
    balances: [],
    spent: fig.total === undefined ? {} : { total: { micros: fig.total, currency } },
    quota: null,
    usage: fig.usage ? [{ start: T0, width: 'day', model: 'm', key: '', requests: 1, inputTokens: 1, outputTokens: 1, cachedTokens: 0, reasoningTokens: 0, cost: null }] : [],
    estimated: false,
    notes: [],
  };
}

describe('deriveHourlySpend', () => {
  it('measures the hour from the last snapshot before it, so re-deriving replaces instead of adding', () => {
    const before = snap(T0 - 5 * 60_000, { total: 1_000_000 });
    const mid = snap(T0 + 10 * 60_000, { total: 1_200_000 });
    const now = snap(T0 + 20 * 60_000, { total: 1_500_000 });
    const first = deriveHourlySpend(mid, [before]);
    expect(first).toMatchObject({ start: T0, width: 'hour', model: DERIVED_MODEL, cost: { micros: 200_000, currency: 'USD' } });
    expect(deriveHourlySpend(now, [before, mid])?.cost).toEqual({ micros: 500_000, currency: 'USD' });
  });

  it('counts balance drops as spend and never a top-up as negative spend', () => {
    const before = snap(T0 - 60_000, { balance: 10_000_000, currency: 'CNY' });
    const drop = snap(T0 + 60_000, { balance: 9_000_000, currency: 'CNY' });
    const topUp = snap(T0 + 120_000, { balance: 59_000_000, currency: 'CNY' });
    const now = snap(T0 + 180_000, { balance: 58_500_000, currency: 'CNY' });
    expect(deriveHourlySpend(now, [before, drop, topUp])?.cost).toEqual({ micros: 1_500_000, currency: 'CNY' });
  });

  it('derives nothing without an earlier snapshot, for providers with real usage, or across currencies', () => {
    expect(deriveHourlySpend(snap(T0 + 1, { total: 5 }), [])).toBeNull();
    expect(deriveHourlySpend(snap(T0 + 1, { total: 5, usage: true }), [snap(T0 - 1, { total: 1 })])).toBeNull();
    expect(deriveHourlySpend(snap(T0 + 1, { balance: 5, currency: 'USD' }), [snap(T0 - 1, { balance: 9, currency: 'CNY' })])?.cost).toEqual({ micros: 0, currency: 'USD' });
    expect(deriveHourlySpend(snap(T0 + 1, { ok: false }), [snap(T0 - 1, { total: 1 })])).toBeNull();
  });

  it('ignores failed snapshots in the chain', () => {
    const before = snap(T0 - 60_000, { total: 100 });
    const failed = { ...snap(T0 + 60_000, { total: 0 }), ok: false };
    expect(deriveHourlySpend(snap(T0 + 120_000, { total: 400 }), [before, failed])?.cost?.micros).toBe(300);
  });
});
