// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import type { SeriesQuery } from '../../shared/domain.ts';
import { FakeSpendbarApi } from './fake-api.ts';
import { downloadedText, downloads } from './dom-setup.ts';

interface Summary {
  label: string;
  currency: string | null;
  points: number;
  hidden: boolean;
  sum: number;
}
const series = (): Summary[] => JSON.parse(screen.getByTestId('trend-chart').getAttribute('data-series') ?? '[]');
const lastSeriesQuery = (api: FakeSpendbarApi, metric = 'requests'): SeriesQuery =>
  api.callsTo('querySeries').map((a) => a[0] as SeriesQuery).filter((q) => q.metric === metric).at(-1)!;

async function openUsage(api = new FakeSpendbarApi()) {
  render(<App api={api} initialView="usage" />);
  // The chart code loads lazily; the first test of a run also pays for transforming it (slow on a busy machine).
  await waitFor(() => expect(series().length).toBeGreaterThan(0), { timeout: 18_000 });
  return api;
}

async function query(changes: Record<string, string>) {
  for (const [testId, value] of Object.entries(changes)) fireEvent.change(screen.getByTestId(testId), { target: { value } });
  const before = screen.getByTestId('trend-chart').getAttribute('data-series');
  fireEvent.click(screen.getByTestId('filter-query'));
  await waitFor(() => expect(screen.getByTestId('trend-chart').getAttribute('data-series')).not.toBe(before));
}

describe('Usage', () => {
  it('shows indicator cards that add up the breakdown, with cost per currency', async () => {
    const api = await openUsage();
    // Exactly what the view asked for: the last 7 days are today and the 6 days before it, from their midnight.
    const asked = api.callsTo('queryTotals').at(-1)![0] as { from: number; to: number };
    expect(asked.to - asked.from).toBeGreaterThan(6 * 86_400_000);
    expect(asked.to - asked.from).toBeLessThanOrEqual(7 * 86_400_000);
    const rows = await api.queryTotals({ groupBy: 'model', from: asked.from, to: asked.to });
    const requests = rows.reduce((a, r) => a + r.requests, 0);
    await waitFor(() => expect(screen.getByTestId('indicator-requests').getAttribute('title')).toBe(requests.toLocaleString('en-US')));
    const tokens = rows.reduce((a, r) => a + r.inputTokens + r.outputTokens, 0);
    expect(screen.getByTestId('indicator-total-tokens').getAttribute('title')).toBe(tokens.toLocaleString('en-US'));
    const cost = [...screen.getByTestId('indicator-cost').querySelectorAll('[data-currency]')].map((e) => e.getAttribute('data-currency'));
    expect(cost.sort()).toEqual(['CNY', 'USD']);
    expect(screen.getAllByTestId('breakdown-row')).toHaveLength(rows.length);
  });

  it('stacks requests by model, and each filter changes what the chart shows', async () => {
    const api = await openUsage();
    expect(series().map((s) => s.label).sort()).toEqual(['anthropic/claude-sonnet-4', 'deepseek-ai/DeepSeek-V3', 'deepseek-chat', 'openai/gpt-4.1']);
    expect(screen.getByTestId('trend-chart').getAttribute('data-bucket')).toBe('day');

    await query({ 'filter-account': 'or' });
    expect(series().map((s) => s.label).sort()).toEqual(['anthropic/claude-sonnet-4', 'openai/gpt-4.1']);
    expect(lastSeriesQuery(api).accountIds).toEqual(['or']);

    await query({ 'filter-model': 'openai/gpt-4.1' });
    expect(series().map((s) => s.label)).toEqual(['openai/gpt-4.1']);

    await query({ 'filter-model': '__all__', 'filter-key': 'sk-or-…c3d4' });
    expect(series().map((s) => s.label)).toEqual(['anthropic/claude-sonnet-4']);

    const weekSum = series()[0]!.sum;
    await query({ 'filter-period': '1' });
    expect(screen.getByTestId('trend-chart').getAttribute('data-bucket')).toBe('hour');
    expect(series()[0]!.sum).toBeLessThan(weekSum);

    fireEvent.change(screen.getByTestId('filter-period'), { target: { value: 'custom' } });
    fireEvent.click(screen.getByTestId('filter-query'));
    expect(screen.getByTestId('filter-error').textContent).toMatch(/start and an end/);
    const d = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    fireEvent.change(screen.getByTestId('filter-from'), { target: { value: d(20) } });
    await query({ 'filter-to': d(15) });
    expect(lastSeriesQuery(api).to - lastSeriesQuery(api).from).toBeGreaterThanOrEqual(6 * 86_400_000 - 3_600_000);

    await act(async () => fireEvent.click(screen.getByTestId('filter-clear')));
    await waitFor(() => expect(series()).toHaveLength(4));
    expect(lastSeriesQuery(api).accountIds).toBeUndefined();
  });

  it('switches metric, bucket and stacking', async () => {
    const api = await openUsage();
    fireEvent.change(screen.getByTestId('trend-metric'), { target: { value: 'cost' } });
    await waitFor(() => expect(screen.getByTestId('trend-chart').getAttribute('data-metric')).toBe('cost'));
    await waitFor(() => expect(series().map((s) => s.currency).sort()).toEqual(['CNY', 'USD', 'USD']));
    expect(series().find((s) => s.currency === 'CNY')!.label).toBe('deepseek-chat');
    // One panel, axis and unit per currency: a yuan bar never stands on a dollar axis.
    await waitFor(() => expect(screen.getAllByTestId('bar-panel').map((p) => p.dataset.currency)).toEqual(['CNY', 'USD']));
    expect(screen.getAllByTestId('bar-panel').map((p) => p.dataset.columns)).toEqual(['7', '7']);

    fireEvent.change(screen.getByTestId('trend-bucket'), { target: { value: 'week' } });
    await waitFor(() => expect(lastSeriesQuery(api, 'cost').bucket).toBe('week'));

    fireEvent.change(screen.getByTestId('trend-stack'), { target: { value: 'key' } });
    await waitFor(() => expect(series().map((s) => s.label)).toContain('(unspecified key)'));
    expect(lastSeriesQuery(api, 'cost').groupBy).toBe('key');
  });

  it('hides a model when its legend entry is clicked, and shows it again', async () => {
    await openUsage();
    const legend = screen.getByTestId('trend-legend');
    const item = within(legend).getAllByTestId('legend-item').find((b) => b.dataset.label === 'deepseek-chat')!;
    expect(item.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(item);
    expect(series().find((s) => s.label === 'deepseek-chat')!.hidden).toBe(true);
    expect(series().filter((s) => s.hidden)).toHaveLength(1);
    expect(item.getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByTestId('trend-canvas').getAttribute('aria-label')).not.toContain('deepseek-chat');
    fireEvent.click(item);
    expect(series().every((s) => !s.hidden)).toBe(true);
  });

  it('sorts the breakdown table by a column either way', async () => {
    await openUsage();
    await waitFor(() => expect(screen.getAllByTestId('breakdown-row').length).toBe(4));
    const order = () => screen.getAllByTestId('breakdown-row').map((r) => r.dataset.group);
    fireEvent.click(screen.getByTestId('sort-group'));
    expect(order()).toEqual(['anthropic/claude-sonnet-4', 'deepseek-ai/DeepSeek-V3', 'deepseek-chat', 'openai/gpt-4.1']);
    fireEvent.click(screen.getByTestId('sort-group'));
    expect(order()).toEqual(['openai/gpt-4.1', 'deepseek-chat', 'deepseek-ai/DeepSeek-V3', 'anthropic/claude-sonnet-4']);
    expect(screen.getByTestId('sort-group').closest('th')!.getAttribute('aria-sort')).toBe('descending');
  });

  it('exports a CSV of exactly what the filter shows', async () => {
    const api = await openUsage();
    await query({ 'filter-account': 'or' });
    const before = downloads.length;
    fireEvent.click(screen.getByTestId('export-csv'));
    await waitFor(() => expect(downloads.length).toBe(before + 1));
    expect(downloads.at(-1)!.fileName).toMatch(/^spendbar-usage-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = (await downloadedText()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('start,model,requests,input_tokens,output_tokens,cached_tokens,reasoning_tokens,total_tokens,cost_USD');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['openai/gpt-4.1', 'anthropic/claude-sonnet-4']));
    const q = lastSeriesQuery(api);
    const totals = await api.queryTotals({ groupBy: 'model', from: q.from, to: q.to, accountIds: ['or'] });
    expect(rows.reduce((a, r) => a + Number(r[2]), 0)).toBe(totals.reduce((a, t) => a + t.requests, 0));

    fireEvent.click(screen.getByTestId('export-json'));
    await waitFor(() => expect(downloads.length).toBe(before + 2));
    const json = JSON.parse(await downloadedText());
    expect(json.filter).toEqual({ accountId: 'or', model: null, key: null });
    expect(json.rows).toHaveLength(rows.length);
  });

  it('draws each balance history with its runway projection', async () => {
    await openUsage();
    await waitFor(() => expect(screen.getAllByTestId('balance-chart').length).toBe(4));
    const or = screen.getAllByTestId('balance-chart').find((c) => c.dataset.accountId === 'or')!;
    expect(JSON.parse(or.dataset.series!)).toEqual([
      { label: 'Balance', points: expect.any(Number) },
      { label: 'Projection', points: 2 },
    ]);
    // The runway the core served with the status, the same words as on the card.
    expect(within(or).getByTestId('balance-runway').textContent).toBe(" ≈ 49 days at the last 7 days' burn ($1.50/day)");
  });

  it('re-queries when new figures arrive', async () => {
    const api = await openUsage();
    const count = api.callsTo('querySeries').length;
    act(() => api.emit({ type: 'snapshot', snapshot: api.statuses[0]!.lastSuccess! }));
    await waitFor(() => expect(api.callsTo('querySeries').length).toBeGreaterThan(count));
  });
});
