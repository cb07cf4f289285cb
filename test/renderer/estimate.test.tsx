// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import { FakeSpendbarApi } from './fake-api.ts';

const rows = () => screen.getAllByTestId('estimate-row');

// Prices depend on the time of day: 20:00 UTC is in DeepSeek's off-peak hours (16:30–00:30 UTC), when deepseek-chat is
// the cheapest of the three; at noon gpt-4o-mini is.
const OFF_PEAK = Date.parse('2026-11-16T20:00:00Z');
const PEAK = Date.parse('2026-11-16T12:00:00Z');

async function openEstimate(api = new FakeSpendbarApi({ now: OFF_PEAK })) {
  render(<App api={api} />);
  fireEvent.click(await screen.findByTestId('tab-estimate'));
  await screen.findByTestId('estimate-input', {}, { timeout: 10_000 });
  return api;
}

async function estimate(text: string) {
  fireEvent.change(screen.getByTestId('estimate-input'), { target: { value: text } });
  fireEvent.click(screen.getByTestId('estimate-run'));
}

describe('Estimate view', () => {
  it('estimates a pasted prompt on the models used in the last 30 days, cheapest first, with what fits', async () => {
    const api = await openEstimate();
    await estimate('Summarise our last month of API spend in three bullet points.');
    await waitFor(() => expect(rows()).toHaveLength(3), { timeout: 10_000 });
    expect(api.callsTo('estimateCost')[0]?.[0]).toEqual({ input: 'Summarise our last month of API spend in three bullet points.', format: 'auto' });
    expect(rows().map((r) => r.getAttribute('data-model'))).toEqual(['deepseek-chat', 'gpt-4o-mini', 'claude-sonnet-4-5']);
    const result = screen.getByTestId('estimate-result');
    expect(result.textContent).toMatch(/the models your accounts used in the last 30 days/);
    expect(within(rows()[0] as HTMLElement).getByTestId('estimate-cost').textContent).toMatch(/^\$0\.\d{6} … \$0\.\d+$/);
    expect(within(rows()[1] as HTMLElement).getByText('exact')).toBeTruthy();
    expect(within(rows()[2] as HTMLElement).getByText('estimated').getAttribute('title')).toMatch(/legacy Claude tokenizer/);
    expect(screen.getAllByTestId('estimate-fit').map((b) => b.textContent)).toEqual(['fits', 'fits', 'fits']);
    expect(screen.getByTestId('estimate-source').textContent).toMatch(/@pydantic\/genai-prices 0\.1\.8, published 2026-09-23/);
  });

  it('orders by the price at the time of the estimate (DeepSeek costs more outside its off-peak hours)', async () => {
    await openEstimate(new FakeSpendbarApi({ now: PEAK }));
    await estimate('Summarise our last month of API spend in three bullet points.');
    await waitFor(() => expect(rows()).toHaveLength(3), { timeout: 10_000 });
    expect(rows().map((r) => r.getAttribute('data-model'))).toEqual(['gpt-4o-mini', 'deepseek-chat', 'claude-sonnet-4-5']);
  });

  it('lets the user pick models: an unknown name says so, an unpriced one shows no price', async () => {
    const api = await openEstimate();
    await estimate('hello');
    await waitFor(() => expect(rows()).toHaveLength(3), { timeout: 10_000 });
    const toggle = screen.getAllByTestId('estimate-model-toggle').find((t) => t.getAttribute('data-model') === 'claude-sonnet-4-5') as HTMLElement;
    fireEvent.click(toggle);
    fireEvent.change(screen.getByTestId('estimate-add-model'), { target: { value: 'gtp-4o, qwen-max' } });
    fireEvent.keyDown(screen.getByTestId('estimate-add-model'), { key: 'Enter' });
    fireEvent.click(screen.getByTestId('estimate-run'));
    await waitFor(() => expect(rows().map((r) => r.getAttribute('data-model'))).toEqual(['deepseek-chat', 'gpt-4o-mini', 'qwen-max', 'gtp-4o']));
    expect(api.callsTo('estimateCost').at(-1)?.[0]).toMatchObject({ models: ['deepseek-chat', 'gpt-4o-mini', 'gtp-4o', 'qwen-max'] });
    const unknown = rows()[3] as HTMLElement;
    expect(unknown.getAttribute('data-status')).toBe('unknown');
    expect(unknown.textContent).toMatch(/Unknown model 'gtp-4o'.*Did you mean 'gpt-4o'/);
    expect(within(rows()[2] as HTMLElement).getByTestId('estimate-cost').textContent).toBe('unpriced');
  });

  it('shows what was wrong with the input and no table', async () => {
    await openEstimate();
    await estimate('{"messages": [{"role": "user", "content": "hi"},]}');
    expect((await screen.findByTestId('estimate-error', {}, { timeout: 10_000 })).textContent).toMatch(/messages JSON is malformed/);
    expect(screen.queryByTestId('estimate-result')).toBeNull();
  });

  it('shows the size against the limit and refuses input over 1 MiB before sending it', async () => {
    const api = await openEstimate();
    fireEvent.change(screen.getByTestId('estimate-input'), { target: { value: '字'.repeat(400_000) } });
    expect(screen.getByText(/1,200,000 of 1,048,576 bytes: too long/)).toBeTruthy();
    expect((screen.getByTestId('estimate-run') as HTMLButtonElement).disabled).toBe(true);
    expect(api.callsTo('estimateCost')).toHaveLength(0);
  });
});
