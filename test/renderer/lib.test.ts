import { describe, it, expect } from 'vitest';
import { breakdownRows, sortRows } from '../../renderer/lib/breakdown.ts';
import { allSeries, chartPanels, seriesSummary, tickDecimals } from '../../renderer/lib/chartData.ts';
import { ALL, DEFAULT_FILTER, defaultBucket, filterArrays, resolveRange } from '../../renderer/lib/period.ts';
import { FormError, initialValues, toAccountInput } from '../../renderer/lib/accountForm.ts';
import { applySnapshot, hasNewFigures } from '../../renderer/state/merge.ts';
import { viewFromSearch } from '../../renderer/lib/view.ts';
import type { UsageTotals } from '../../shared/domain.ts';
import { FakeSpendbarApi, PROVIDERS } from './fake-api.ts';

const DAY = 86_400_000;

describe('period', () => {
  it('resolves "last N days" to today and the N − 1 days before it, and custom ranges to whole days, in the app zone', () => {
    const now = Date.UTC(2025, 2, 10, 12);
    expect(resolveRange({ ...DEFAULT_FILTER, period: 3 }, now, 'UTC')).toEqual({ from: Date.UTC(2025, 2, 8), to: now });
    expect(resolveRange({ ...DEFAULT_FILTER, period: 1 }, now, 'UTC')).toEqual({ from: Date.UTC(2025, 2, 10), to: now });
    // 12:00 UTC is 20:00 in Shanghai: its "today" began at 16:00 UTC the day before.
    expect(resolveRange({ ...DEFAULT_FILTER, period: 7 }, now, 'Asia/Shanghai').from).toBe(Date.UTC(2025, 2, 3, 16));
    const r = resolveRange({ ...DEFAULT_FILTER, period: 'custom', customFrom: '2025-03-01', customTo: '2025-03-03' }, now, 'Europe/Berlin');
    expect(r).toEqual({ from: Date.UTC(2025, 1, 28, 23), to: Date.UTC(2025, 2, 3, 23) });
    expect(() => resolveRange({ ...DEFAULT_FILTER, period: 'custom', customFrom: '2025-03-05', customTo: '2025-03-01' })).toThrow(/ends before/);
    expect(() => resolveRange({ ...DEFAULT_FILTER, period: 'custom', customFrom: '', customTo: '' })).toThrow(/start and an end/);
  });

  it('maps "all" to no constraint and keeps the empty key as a real key', () => {
    expect(filterArrays(DEFAULT_FILTER)).toEqual({});
    expect(filterArrays({ ...DEFAULT_FILTER, key: '', model: 'm', accountId: ALL })).toEqual({ keys: [''], models: ['m'] });
    expect(defaultBucket({ from: 0, to: DAY })).toBe('hour');
    expect(defaultBucket({ from: 0, to: 7 * DAY })).toBe('day');
  });
});

describe('breakdown', () => {
  const totals: UsageTotals[] = [
    { group: 'a', currency: 'USD', requests: 5, inputTokens: 100, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costMicros: 3_000_000 },
    { group: 'b', currency: 'USD', requests: 9, inputTokens: 300, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costMicros: 1_000_000 },
    { group: 'c', currency: 'CNY', requests: 1, inputTokens: 600, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costMicros: 7_000_000 },
    { group: 'd', requests: 2, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costMicros: null },
  ];
  it('computes cost share within each currency and token share overall', () => {
    const rows = breakdownRows(totals);
    expect(rows.map((r) => r.costShare)).toEqual([0.75, 0.25, 1, null]);
    expect(rows.map((r) => r.tokenShare)).toEqual([0.1, 0.3, 0.6, 0]);
  });
  it('sorts either way, money only within its currency, rows without cost last', () => {
    const rows = breakdownRows(totals);
    expect(sortRows(rows, { key: 'requests', dir: 'desc' }).map((r) => r.group)).toEqual(['b', 'a', 'd', 'c']);
    // ¥7 is never ranked against $3: all CNY rows, then all USD rows, each by amount.
    expect(sortRows(rows, { key: 'costMicros', dir: 'asc' }).map((r) => r.group)).toEqual(['c', 'b', 'a', 'd']);
    expect(sortRows(rows, { key: 'costMicros', dir: 'desc' }).map((r) => r.group)).toEqual(['c', 'a', 'b', 'd']);
    expect(sortRows(rows, { key: 'group', dir: 'desc' }).map((r) => r.group)).toEqual(['d', 'c', 'b', 'a']);
  });
});

describe('chartPanels', () => {
  it('draws one panel per currency on exactly the columns of the range, in major units', async () => {
    const api = new FakeSpendbarApi({ now: Date.UTC(2025, 2, 10) });
    const res = await api.querySeries({ metric: 'cost', bucket: 'day', groupBy: 'account', from: api.now - 3 * DAY, to: api.now });
    const panels = chartPanels(res, { metric: 'cost', hidden: new Set(['ds\u0000CNY']), labelFor: (g) => g.toUpperCase(), timeZone: 'UTC' });
    expect(panels.map((p) => p.currency)).toEqual(['CNY', 'USD']);
    for (const p of panels) expect(p.columns).toEqual(res.starts);
    expect(res.starts).toHaveLength(3);
    const ds = allSeries(panels).find((s) => s.group === 'ds')!;
    expect(ds.hidden).toBe(true);
    const raw = res.series.find((s) => s.group === 'ds')!.points;
    expect(ds.values[0]).toBeCloseTo(raw[0]!.v / 1e6, 9);
    const summary = JSON.parse(seriesSummary(allSeries(panels)));
    expect(summary.find((s: { label: string }) => s.label === 'DS')).toMatchObject({ currency: 'CNY', hidden: true, points: raw.length });
  });

  it('gives day-only series of an hourly result a panel of day columns', () => {
    const t0 = Date.UTC(2025, 2, 9);
    const starts = Array.from({ length: 48 }, (_, i) => t0 + i * 3_600_000);
    const res = {
      query: { metric: 'requests' as const, bucket: 'hour' as const, groupBy: 'model' as const, from: t0, to: t0 + 2 * DAY },
      bucket: 'hour' as const,
      starts,
      series: [
        { group: 'hourly', points: [{ t: t0 + 5 * 3_600_000, v: 3 }] },
        { group: 'daily', width: 'day' as const, points: [{ t: t0, v: 40 }, { t: t0 + DAY, v: 50 }] },
      ],
    };
    const panels = chartPanels(res, { metric: 'requests', hidden: new Set(), labelFor: (g) => g, timeZone: 'UTC' });
    expect(panels.map((p) => [p.bucket, p.columns.length, p.daily])).toEqual([['hour', 48, false], ['day', 2, true]]);
    expect(panels[1]!.series[0]!.values).toEqual([40, 50]);
  });

  it('ticks carry the decimals their step needs', () => {
    expect([1, 0.5, 0.25, 0.1, 2000].map(tickDecimals)).toEqual([0, 1, 2, 1, 0]);
  });
});

describe('account form', () => {
  const surfer = PROVIDERS[1]!;
  it('builds input from descriptor fields, splitting lists and dropping empty secrets', () => {
    const v = initialValues(surfer);
    v.label = ' Team ';
    v.credentials = { publicKey: 'pub', privateKey: 'priv' };
    v.options = { projectId: 'org-1', models: 'a, b ,,c' };
    expect(toAccountInput(v, surfer)).toEqual({ provider: 'surfercloud', label: 'Team', pollIntervalSec: 300, credentials: { publicKey: 'pub', privateKey: 'priv' }, options: { projectId: 'org-1', models: ['a', 'b', 'c'] } });
  });
  it('keeps stored secrets on edit when the field is left empty, and never prefills them', () => {
    const account = new FakeSpendbarApi().accounts.find((a) => a.id === 'or')!;
    const v = initialValues(PROVIDERS[0]!, account);
    expect(v.credentials).toEqual({ apiKey: '' });
    const input = toAccountInput(v, PROVIDERS[0]!, account);
    expect(input.id).toBe('or');
    expect(input.credentials).toBeUndefined();
  });
  it('names the field that is wrong', () => {
    const v = initialValues(surfer);
    v.label = 'x';
    expect(() => toAccountInput(v, surfer)).toThrow(FormError);
    try {
      toAccountInput({ ...v, credentials: { publicKey: 'p', privateKey: 'q' }, pollIntervalSec: '30' }, surfer);
    } catch (err) {
      expect((err as FormError).field).toBe('pollIntervalSec');
    }
    expect(() => toAccountInput({ ...v, credentials: { publicKey: 'p', privateKey: 'q' }, baseUrl: 'ftp://x' }, surfer)).toThrow(/http/);
  });
});

describe('viewFromSearch', () => {
  it('opens the view the link names, and the overview for anything else', () => {
    expect(viewFromSearch('?view=alerts')).toBe('alerts');
    expect(viewFromSearch('?view=usage&x=1')).toBe('usage');
    expect(viewFromSearch('?view=accounts')).toBe('accounts');
    expect(viewFromSearch('?view=settings')).toBe('overview');
    expect(viewFromSearch('')).toBe('overview');
  });
});

describe('hasNewFigures', () => {
  it('is true only when a snapshot changed or accounts came or went, not for polling flags', async () => {
    const api = new FakeSpendbarApi();
    const statuses = await api.getStatus();
    expect(hasNewFigures(statuses, structuredClone(statuses))).toBe(false);
    expect(hasNewFigures(statuses, statuses.map((s) => ({ ...s, polling: true, nextPollAt: api.now + 60_000 })))).toBe(false);
    const gw = statuses.find((s) => s.accountId === 'gw')!;
    expect(hasNewFigures(statuses, applySnapshot(statuses, { ...gw.lastSuccess!, time: api.now + 1 }))).toBe(true);
    expect(hasNewFigures(statuses, statuses.slice(1))).toBe(true);
    expect(hasNewFigures(statuses, statuses.map((s, i) => (i === 0 ? { ...s, accountId: 'new' } : s)))).toBe(true);
  });
});

describe('applySnapshot', () => {
  it('moves a good snapshot into latest and lastSuccess and clears stale; a failure keeps lastSuccess', async () => {
    const api = new FakeSpendbarApi();
    const statuses = await api.getStatus();
    const gw = statuses.find((s) => s.accountId === 'gw')!;
    const good = { ...gw.lastSuccess!, time: api.now };
    const next = applySnapshot(statuses, good).find((s) => s.accountId === 'gw')!;
    expect(next).toMatchObject({ latest: good, lastSuccess: good, stale: false, consecutiveFailures: 0 });
    const bad = { ...gw.latest!, time: api.now + 1 };
    const after = applySnapshot([next], bad)[0]!;
    expect(after.lastSuccess).toBe(good);
    expect(after.latest).toBe(bad);
    expect(applySnapshot([], good)).toHaveLength(1);
  });
});

describe('formatMoneyShort', () => {
  it('rounds to the cent but keeps sub-cent amounts visible', async () => {
    const { formatMoneyShort } = await import('../../renderer/lib/format.ts');
    expect(formatMoneyShort({ micros: 79_421_300, currency: 'USD' })).toBe('$79.42');
    expect(formatMoneyShort({ micros: 15_308_600, currency: 'USD' })).toBe('$15.31');
    expect(formatMoneyShort({ micros: 1_200, currency: 'USD' })).toBe('$0.0012');
    expect(formatMoneyShort({ micros: 110_000_000, currency: 'CNY' })).toBe('¥110.00');
    expect(formatMoneyShort({ micros: 0, currency: 'USD' })).toBe('$0.00');
  });
});
