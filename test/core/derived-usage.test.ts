import { blankSnapshot } from '../../electron/core/snapshots.ts';
import { describe, expect, it } from 'vitest';
import { DERIVED_MODEL, deriveHourlySpend, deriveSpendWindows } from '../../electron/core/derived-usage.ts';
import type { Snapshot } from '../../shared/domain.ts';

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

function snap(time: number, fig: { total?: number; balance?: number; currency?: string; ok?: boolean; usage?: boolean }): Snapshot {
  const currency = fig.currency ?? 'USD';
  return blankSnapshot('a', 'newapi', time, {
    ok: fig.ok ?? true,
    balance: fig.balance === undefined ? null : { micros: fig.balance, currency },
    spent: fig.total === undefined ? {} : { total: { micros: fig.total, currency } },
    usage: fig.usage ? [{ start: T0, width: 'day', model: 'm', key: '', requests: 1, inputTokens: 1, outputTokens: 1, cachedTokens: 0, reasoningTokens: 0, cost: null }] : [],
  });

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

describe('deriveSpendWindows', () => {
  it('adds the hour just derived to what is stored since each window began', () => {
    const derived = deriveHourlySpend(snap(T0 + 600_000, { total: 1_300_000 }), [snap(T0 - 60_000, { total: 1_000_000 })])!;
    const stored = new Map([[T0 - 86_400_000 * 3, 2_000_000], [T0 - 3_600_000 * 2, 500_000]]);
    const storedCost = (from: number, to: number) => [...stored].filter(([t]) => t >= from && t < to).reduce((n, [, v]) => n + v, 0);
    const windows = deriveSpendWindows(derived, { today: T0 - 10 * 3_600_000, week: T0 - 86_400_000 * 4, month: T0 - 86_400_000 * 20 }, storedCost);
    expect(windows).toEqual({
      today: { micros: 800_000, currency: 'USD' },
      week: { micros: 2_800_000, currency: 'USD' },
      month: { micros: 2_800_000, currency: 'USD' },
    });
  });
});

describe('addDerivedSpend with a real store', () => {
  it('adds the derived hour and estimated windows to a snapshot from a balance-only provider', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { SnapshotStore } = await import('../../electron/core/store/index.ts');
    const { addDerivedSpend } = await import('../../electron/core/derived-usage.ts');
    const store = SnapshotStore.open(join(mkdtempSync(join(tmpdir(), 'spendbar-derived-')), 'spendbar.db'), { timeZone: 'UTC' });
    try {
      const account = { id: 'a', provider: 'newapi' as const, label: 'A', pollIntervalSec: 300 };
      store.saveSnapshot(snap(T0 - 300_000, { total: 1_000_000 }));
      const now = snap(T0 + 300_000, { total: 1_250_000 });
      addDerivedSpend(now, account, store, 'UTC');
      expect(now.usage).toEqual([expect.objectContaining({ start: T0, model: DERIVED_MODEL, cost: { micros: 250_000, currency: 'USD' } })]);
      expect(now.spent.today).toEqual({ micros: 250_000, currency: 'USD' });
      expect(now.spent.total).toEqual({ micros: 1_250_000, currency: 'USD' });
      expect(now.estimated).toBe(true);
    } finally {
      store.close();
    }
  });

  it.each(['openai', 'anthropic', 'xai'] as const)('never estimates spend for %s, whose admin figures are exact', async (provider) => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { SnapshotStore } = await import('../../electron/core/store/index.ts');
    const { addDerivedSpend } = await import('../../electron/core/derived-usage.ts');
    const store = SnapshotStore.open(join(mkdtempSync(join(tmpdir(), 'spendbar-derived-')), 'spendbar.db'), { timeZone: 'UTC' });
    try {
      const account = { id: 'a', provider, label: 'A', pollIntervalSec: 300 };
      store.saveSnapshot({ ...snap(T0 - 300_000, { balance: 9_000_000 }), provider });
      // A day with no usage rows yet and a balance that dropped: a balance-only provider would get an estimate here.
      const now = { ...snap(T0 + 300_000, { balance: 8_000_000 }), provider };
      addDerivedSpend(now, account, store, 'UTC');
      expect(now.usage).toEqual([]);
      expect(now.estimated).toBe(false);
      expect(now.spent).toEqual({});
    } finally {
      store.close();
    }
  });
});

describe('addDerivedSpend for a provider whose usage has cost (a gateway request log)', () => {
  const HOUR = 3_600_000;
  const account = { id: 'a', provider: 'newapi' as const, label: 'A', pollIntervalSec: 300 };
  const logBucket = (start: number, micros: number) => ({
    start, width: 'hour' as const, model: 'gpt-4o', key: 'primary', requests: 1, inputTokens: 10, outputTokens: 1, cachedTokens: 0, reasoningTokens: 0,
    cost: { micros, currency: 'USD' },
  });

  async function openStore() {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { SnapshotStore } = await import('../../electron/core/store/index.ts');
    return SnapshotStore.open(join(mkdtempSync(join(tmpdir(), 'spendbar-derived-')), 'spendbar.db'), { timeZone: 'UTC' });
  }

  it('sums today / week / month from the stored usage before the log begins plus the usage just read', async () => {
    const { addDerivedSpend } = await import('../../electron/core/derived-usage.ts');
    const store = await openStore();
    try {
      // Stored from an earlier read: 2 days ago and this morning (the log now reaches back only to T0 − 2 h).
      store.saveSnapshot(blankSnapshot('a', 'newapi', T0 - 3 * 86_400_000, { usage: [logBucket(T0 - 2 * 86_400_000, 1_000_000), logBucket(T0 - 9 * HOUR, 300_000), logBucket(T0 - 2 * HOUR, 999)] }));
      const now = blankSnapshot('a', 'newapi', T0 + 600_000, { spent: { total: { micros: 50_000_000, currency: 'USD' } }, usage: [logBucket(T0 - 2 * HOUR, 200_000), logBucket(T0, 50_000)] });
      addDerivedSpend(now, account, store, 'UTC');
      // Today: 0.3 (stored, before the log) + 0.2 (replaces the stored 999) + 0.05.
      expect(now.spent.today).toEqual({ micros: 550_000, currency: 'USD' });
      // 2026-11-23 is a Monday: the week began today. The month holds all of it.
      expect(now.spent.week).toEqual({ micros: 550_000, currency: 'USD' });
      expect(now.spent.month).toEqual({ micros: 1_550_000, currency: 'USD' });
      expect(now.usage.every((b) => b.model !== DERIVED_MODEL)).toBe(true);
      expect(now.notes.join(' ')).toContain("provider's own usage");
    } finally {
      store.close();
    }
  });

  it('derives nothing from the balance while the provider reports usage, and keeps the windows', async () => {
    const { addDerivedSpend } = await import('../../electron/core/derived-usage.ts');
    const store = await openStore();
    try {
      store.saveSnapshot(blankSnapshot('a', 'newapi', T0 - 300_000, { spent: { total: { micros: 1_000_000, currency: 'USD' } }, usage: [logBucket(T0 - HOUR, 400_000)] }));
      // A poll that skipped the log: the spend rose, but the next log read will carry it.
      const now = blankSnapshot('a', 'newapi', T0 + 300_000, { spent: { total: { micros: 1_300_000, currency: 'USD' } } });
      addDerivedSpend(now, account, store, 'UTC');
      expect(now.usage).toEqual([]);
      expect(now.spent.today).toEqual({ micros: 400_000, currency: 'USD' });
      expect(now.spent.month).toEqual({ micros: 400_000, currency: 'USD' });
      expect(now.notes.join(' ')).not.toContain('estimated from changes');
    } finally {
      store.close();
    }
  });

  it('zeroes balance-change estimates in hours the provider usage now covers, so nothing counts twice', async () => {
    const { addDerivedSpend } = await import('../../electron/core/derived-usage.ts');
    const store = await openStore();
    try {
      const derived = (start: number, micros: number) => ({ ...logBucket(start, micros), model: DERIVED_MODEL, key: '', requests: 0, inputTokens: 0, outputTokens: 0 });
      store.saveSnapshot(blankSnapshot('a', 'newapi', T0 - 5 * HOUR, { usage: [derived(T0 - 5 * HOUR, 700_000), derived(T0 - HOUR, 100_000)] }));
      const now = blankSnapshot('a', 'newapi', T0 + 60_000, { usage: [logBucket(T0 - 2 * HOUR, 90_000)] });
      addDerivedSpend(now, account, store, 'UTC');
      store.saveSnapshot(now);
      const totals = store.totals({ groupBy: 'model', from: T0 - DAY_MS, to: T0 + HOUR });
      // The estimate before the log began stays; the one inside it is replaced by the log's figure.
      expect(totals.map((r) => [r.group, r.costMicros])).toEqual([
        [DERIVED_MODEL, 700_000],
        ['gpt-4o', 90_000],
      ]);
    } finally {
      store.close();
    }
  });
});

const DAY_MS = 86_400_000;
