// @vitest-environment jsdom
// A chart is created once per canvas and then updated in place: a new metric, a hidden legend entry or new figures
// redraw the same Chart.js instance (update('none')), never a fresh one.
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { Chart } from 'chart.js';
import { App } from '../../renderer/App.tsx';
import { FakeSpendbarApi } from './fake-api.ts';

interface Summary {
  label: string;
  sum: number;
  hidden: boolean;
}
const series = (): Summary[] => JSON.parse(screen.getByTestId('trend-chart').getAttribute('data-series') ?? '[]');
const canvas = () => screen.getByTestId('trend-canvas') as HTMLCanvasElement;
const drawn = () => Number(canvas().dataset.drawn ?? 0);
/** What the Chart.js instance on the trend canvas holds: each dataset's label and the sum of its values. */
function chartSums(): Record<string, number> {
  const chart = Chart.getChart(canvas())!;
  return Object.fromEntries(chart.data.datasets.map((d) => [d.label, (d.data as number[]).reduce((a, v) => a + v, 0)]));
}

describe('the trend chart', () => {
  it('is updated in place when its data changes, not re-created', async () => {
    render(<App api={new FakeSpendbarApi()} initialView="usage" />);
    // The chart code loads lazily; the first test of a run also pays for transforming it.
    await waitFor(() => expect(screen.getByTestId('trend-canvas').dataset.drawn).toBeDefined(), { timeout: 18_000 });
    // The balance history below the fold draws its own charts once the trend is drawn: let those come first.
    await waitFor(() => expect(screen.getByTestId('balance-history').getAttribute('aria-busy')).toBe('false'), { timeout: 10_000 });
    await waitFor(() => expect(screen.getAllByTestId('balance-chart').length).toBeGreaterThan(0));
    const el = canvas();
    const chart = Chart.getChart(el);
    expect(chart).toBeDefined();
    const instances = Object.keys(Chart.instances).length;
    const requests = series();
    expect(chartSums()).toEqual(Object.fromEntries(requests.map((s) => [s.label, s.sum])));
    const before = drawn();

    // Another count metric: same panel, same canvas, same chart, new figures.
    fireEvent.change(screen.getByTestId('trend-metric'), { target: { value: 'totalTokens' } });
    await waitFor(() => expect(screen.getByTestId('trend-chart').getAttribute('data-metric')).toBe('totalTokens'));
    await waitFor(() => expect(series()).not.toEqual(requests));
    await waitFor(() => expect(chartSums()).toEqual(Object.fromEntries(series().map((s) => [s.label, s.sum]))));
    expect(canvas()).toBe(el);
    expect(Chart.getChart(el)).toBe(chart);
    expect(Object.keys(Chart.instances)).toHaveLength(instances);
    expect(drawn()).toBeGreaterThan(before);

    // Hiding a model redraws the same chart with that dataset hidden.
    const item = within(screen.getByTestId('trend-legend')).getAllByTestId('legend-item')[0]!;
    const label = item.dataset.label!;
    fireEvent.click(item);
    await waitFor(() => expect(Chart.getChart(el)!.data.datasets.find((d) => d.label === label)!.hidden).toBe(true));
    expect(Chart.getChart(el)).toBe(chart);
    expect(Object.keys(Chart.instances)).toHaveLength(instances);
  });
});
