import { describe, it, expect } from 'vitest';
import { buildUsageRows, exportFileName, microsToDecimal, usageCsv, usageJson, EXPORT_METRICS } from '../../renderer/lib/export.ts';
import type { SeriesMetric, SeriesResult } from '../../shared/domain.ts';
import { FakeSpendbarApi } from './fake-api.ts';

const DAY = 86_400_000;
const t0 = Date.UTC(2025, 2, 1);

function result(metric: SeriesMetric, series: SeriesResult['series']): SeriesResult {
  return { query: { metric, bucket: 'day', groupBy: 'model', from: t0, to: t0 + 2 * DAY }, bucket: 'day', starts: [t0, t0 + DAY], series };
}

describe('usage export', () => {
  const results = {
    requests: result('requests', [
      { group: 'gpt-4.1', points: [{ t: t0, v: 10 }, { t: t0 + DAY, v: 4 }] },
      { group: '=cmd()', points: [{ t: t0, v: 1 }] },
    ]),
    inputTokens: result('inputTokens', [{ group: 'gpt-4.1', points: [{ t: t0, v: 1000 }, { t: t0 + DAY, v: 400 }] }]),
    outputTokens: result('outputTokens', [{ group: 'gpt-4.1', points: [{ t: t0, v: 250 }] }]),
    cost: result('cost', [
      { group: 'gpt-4.1', currency: 'USD', points: [{ t: t0, v: 300_000 }, { t: t0 + DAY, v: 100_001 }] },
      { group: 'gpt-4.1', currency: 'CNY', points: [{ t: t0, v: 2_500_000 }] },
    ]),
  };

  it('joins metrics into one row per bucket and group, cost per currency', () => {
    const rows = buildUsageRows(results);
    expect(rows.map((r) => [r.start, r.group])).toEqual([
      [t0, '=cmd()'],
      [t0, 'gpt-4.1'],
      [t0 + DAY, 'gpt-4.1'],
    ]);
    expect(rows[1]).toMatchObject({ requests: 10, inputTokens: 1000, outputTokens: 250, cost: { USD: 300_000, CNY: 2_500_000 } });
  });

  it('writes a CSV with exact decimals, never adding currencies, and defuses formula cells', () => {
    const csv = usageCsv(buildUsageRows(results), 'model');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('start,model,requests,input_tokens,output_tokens,cached_tokens,reasoning_tokens,total_tokens,cost_CNY,cost_USD');
    expect(lines[1]).toBe(`${new Date(t0).toISOString()},'=cmd(),1,0,0,0,0,0,,`);
    expect(lines[2]).toBe(`${new Date(t0).toISOString()},gpt-4.1,10,1000,250,0,0,1250,2.500000,0.300000`);
    expect(lines[3]).toBe(`${new Date(t0 + DAY).toISOString()},gpt-4.1,4,400,0,0,0,400,,0.100001`);
    expect(lines).toHaveLength(4);
  });

  it.each([
    ['=', '=1+1'],
    ['+', '+1+1'],
    ['-', '-1+cmd|calc'],
    ['@', '@SUM(A1)'],
    ['a tab', '\t=cmd()'],
    ['a carriage return', '\r=cmd()'],
  ])('defuses a group name starting with %s, which a spreadsheet would run as a formula', (_what, name) => {
    const csv = usageCsv(buildUsageRows({ requests: result('requests', [{ group: name, points: [{ t: t0, v: 1 }] }]) }), 'model');
    const cell = csv.split('\r\n')[1]!.split(',')[1]!;
    expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
    expect(cell).toContain(name.replaceAll('"', '""'));
  });

  it('leaves ordinary names alone', () => {
    const csv = usageCsv(buildUsageRows({ requests: result('requests', [{ group: 'gpt-4.1-mini', points: [{ t: t0, v: 1 }] }]) }), 'model');
    expect(csv.split('\r\n')[1]).toContain(',gpt-4.1-mini,');
  });

  it('quotes commas and quotes in group names', () => {
    const csv = usageCsv(buildUsageRows({ requests: result('requests', [{ group: 'a,"b"', points: [{ t: t0, v: 1 }] }]) }), 'key');
    expect(csv.split('\r\n')[1]).toContain(',"a,""b""",1,');
  });

  it('writes JSON with the range, the filter and the same rows', () => {
    const rows = buildUsageRows(results);
    const json = JSON.parse(usageJson({ range: { from: t0, to: t0 + 2 * DAY }, rows, bucket: 'day', groupBy: 'model', filter: { accountId: 'or', model: null, key: null }, breakdown: [] }));
    expect(json.range).toEqual({ from: new Date(t0).toISOString(), to: new Date(t0 + 2 * DAY).toISOString() });
    expect(json.filter.accountId).toBe('or');
    expect(json.rows).toHaveLength(3);
    expect(json.rows[1]).toMatchObject({ group: 'gpt-4.1', totalTokens: 1250, cost: { USD: '0.300000', CNY: '2.500000' } });
  });

  it('exports rows whose totals match the totals query for the same filter', async () => {
    const api = new FakeSpendbarApi({ now: Date.UTC(2025, 2, 10, 12) });
    const base = { bucket: 'day' as const, groupBy: 'model' as const, from: api.now - 7 * DAY, to: api.now, accountIds: ['or'] };
    const all = await Promise.all(EXPORT_METRICS.map((metric) => api.querySeries({ ...base, metric })));
    const rows = buildUsageRows(Object.fromEntries(EXPORT_METRICS.map((m, i) => [m, all[i]!])));
    const totals = await api.queryTotals({ groupBy: 'model', from: base.from, to: base.to, accountIds: ['or'] });
    const sum = (f: (x: { requests: number }) => number, list: { requests: number }[]) => list.reduce((a, x) => a + f(x), 0);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.group))).toEqual(new Set(['openai/gpt-4.1', 'anthropic/claude-sonnet-4']));
    expect(sum((r) => r.requests, rows)).toBe(sum((t) => t.requests, totals));
    expect(rows.reduce((a, r) => a + (r.cost.USD ?? 0), 0)).toBe(totals.reduce((a, t) => a + (t.costMicros ?? 0), 0));
  });

  it('formats micros exactly and names files after the range', () => {
    expect(microsToDecimal(1_234_567)).toBe('1.234567');
    expect(microsToDecimal(-5)).toBe('-0.000005');
    expect(microsToDecimal(0)).toBe('0.000000');
    const from = new Date(2025, 2, 1).getTime();
    const to = new Date(2025, 2, 8).getTime();
    expect(exportFileName({ from, to }, 'csv')).toBe('spendbar-usage-2025-03-01_2025-03-07.csv');
    expect(exportFileName({ from, to }, 'json')).toBe('spendbar-usage-2025-03-01_2025-03-07.json');
  });
});
