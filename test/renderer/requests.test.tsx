// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import type { MeterSummary, RequestRow } from '../../shared/metering.ts';
import { costText, meteredVsBilledText, resetText, windowText } from '../../renderer/lib/requests.ts';
import { FakeSpendbarApi } from './fake-api.ts';

// The view is lazily loaded by the app: transform it once up front, so a busy machine does not time the tests out.
await import('../../renderer/views/requests/Requests.tsx');
const SLOW = { timeout: 15_000 };
const NOW = Date.now();

function row(id: number, over: Partial<RequestRow> = {}): RequestRow {
  return {
    id,
    time: NOW - id * 1000,
    accountId: 'or',
    key: 'sk-or-v1-…ab12',
    app: 'web',
    kind: 'service',
    model: 'openai/gpt-4o',
    modelRequested: 'openai/gpt-4o',
    endpoint: '/chat/completions',
    stream: true,
    status: 200,
    inputTokens: 120,
    outputTokens: 42,
    cachedTokens: 20,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    cost: { amount: 0.00123, currency: 'USD' },
    costSource: 'provider',
    estimated: false,
    latencyMs: 840,
    ttfbMs: 95,
    rateLimit: null,
    note: null,
    ...over,
  };
}

function seeded(): FakeSpendbarApi {
  const api = new FakeSpendbarApi();
  api.requestRows = Array.from({ length: 60 }, (_, i) => row(60 - i, i === 0 ? { model: 'in-house-7b', cost: null, costSource: 'unpriced', app: 'indexer', kind: 'internal' } : {}));
  const summary: MeterSummary = {
    from: NOW - 86_400_000,
    to: NOW,
    proxy: { url: 'http://127.0.0.1:8788', tokenHint: 'Print the proxy token with `spendbar proxy-token`.', accounts: [{ accountId: 'or', baseUrl: 'http://127.0.0.1:8788/proxy/or', upstream: 'https://openrouter.ai/api/v1', canInsertKey: true }] },
    byApp: [
      { app: 'web', kind: 'service', requests: 59, errors: 1, inputTokens: 7080, outputTokens: 2478, cachedTokens: 0, reasoningTokens: 0, costs: [{ micros: 72_570, currency: 'USD' }], unpriced: 0, estimated: 0 },
      { app: 'indexer', kind: 'internal', requests: 1, errors: 0, inputTokens: 120, outputTokens: 42, cachedTokens: 0, reasoningTokens: 0, costs: [], unpriced: 1, estimated: 0 },
    ],
    headroom: [
      {
        accountId: 'or',
        key: 'sk-or-v1-…ab12',
        keyId: 'k_demo0000000001',
        time: NOW - 5000,
        rateLimit: { requests: { limit: 500, remaining: 40, resetAt: NOW + 42_000 }, tokens: { limit: null, remaining: null, resetAt: null } },
        lowestPercent: 8,
        rateLimited1h: 3,
        rateLimited24h: 7,
      },
    ],
    meteredVsBilled: [{ accountId: 'or', from: NOW - 86_400_000, to: NOW, metered: [{ micros: 72_570, currency: 'USD' }], meteredUnpriced: 0, billed: [{ micros: 1_072_570, currency: 'USD' }], billedFrom: 'usage', gap: [{ micros: 1_000_000, currency: 'USD' }] }],
  };
  api.summary = summary;
  return api;
}

describe('Requests view', () => {
  it('shows the latest requests, per app and kind, headroom with countdown, and metered vs billed', async () => {
    const api = seeded();
    render(<App api={api} initialView="requests" />);
    await waitFor(() => expect(screen.getAllByTestId('request-row')).toHaveLength(50), SLOW);
    const first = screen.getAllByTestId('request-row')[0]!;
    expect(within(first).getByTestId('request-cost').textContent).toBe('unpriced');
    expect(first.textContent).toContain('internal');
    expect(screen.getAllByTestId('request-row')[1]!.textContent).toContain('120 in · 42 out · 20 cached');
    expect(screen.getAllByTestId('app-row').map((r) => `${r.getAttribute('data-app')}/${r.getAttribute('data-kind')}`)).toEqual(['web/service', 'indexer/internal']);
    const h = screen.getByTestId('headroom-row');
    expect(within(h).getByTestId('headroom-requests').textContent).toMatch(/^40 of 500 left \(8\.0%\) · resets in \d{1,2} s$/);
    expect(within(h).getByTestId('headroom-tokens').textContent).toBe('unlimited');
    expect(within(h).getByTestId('headroom-429').textContent).toBe('3 in 1 h · 7 in 24 h');
    expect(h.querySelector('.bar-danger')).not.toBeNull();
    expect(screen.getByTestId('mvb-row').textContent).toContain('$1.00 billed beyond what went through the proxy');
    expect(screen.getByTestId('proxy-account').textContent).toContain('http://127.0.0.1:8788/proxy/or');
  });

  it('pages to older requests and filters by kind', async () => {
    const api = seeded();
    render(<App api={api} initialView="requests" />);
    await waitFor(() => expect(screen.getAllByTestId('request-row')).toHaveLength(50), SLOW);
    fireEvent.click(screen.getByTestId('requests-older'));
    await waitFor(() => expect(screen.getAllByTestId('request-row')).toHaveLength(60), SLOW);
    expect(screen.queryByTestId('requests-older')).toBeNull();
    fireEvent.change(screen.getByTestId('requests-kind'), { target: { value: 'internal' } });
    await waitFor(() => expect(screen.getAllByTestId('request-row')).toHaveLength(1), SLOW);
    expect(api.callsTo('listRequests').at(-1)).toEqual([{ limit: 50, kind: 'internal' }]);
  });

  it('asks for metered series, refreshes on a "requests" event, and copies the token only through the API', async () => {
    const api = seeded();
    render(<App api={api} initialView="requests" />);
    await waitFor(() => expect(screen.getAllByTestId('request-row').length).toBeGreaterThan(0), SLOW);
    expect(api.callsTo('querySeries').some((a) => (a[0] as { source?: string }).source === 'metered')).toBe(true);
    const before = api.callsTo('meterSummary').length;
    api.requestRows.push(row(61, { model: 'newest-model' }));
    act(() => api.emit({ type: 'requests', accountIds: ['or'] }));
    await waitFor(() => expect(screen.getAllByTestId('request-row')[0]!.textContent).toContain('newest-model'), SLOW);
    expect(api.callsTo('meterSummary').length).toBeGreaterThan(before);
    fireEvent.click(screen.getByTestId('copy-proxy-token'));
    await waitFor(() => expect(screen.getByTestId('copy-proxy-token-result').textContent).toMatch(/spendbar proxy-token/), SLOW);
  });
});

describe('requests wording', () => {
  it('never shows an unpriced request as $0, marks estimates, and says refilled windows', () => {
    expect(costText({ cost: null, costSource: 'unpriced', estimated: false })).toBe('unpriced');
    expect(costText({ cost: null, costSource: 'none', estimated: false })).toBe('—');
    expect(costText({ cost: { amount: 0.0007, currency: 'USD' }, costSource: 'price-table', estimated: true })).toBe('≈ $0.0007');
    expect(windowText({ limit: 10, remaining: 0, resetAt: NOW - 1 }, NOW)).toBe('10 (refilled)');
    expect(resetText(NOW + 3 * 60_000, NOW)).toBe('in 3 min');
    expect(meteredVsBilledText({ accountId: 'x', from: 0, to: 1, metered: [{ micros: 2_000_000, currency: 'USD' }], meteredUnpriced: 2, billed: [{ micros: 1_000_000, currency: 'CNY' }], billedFrom: 'usage', gap: [] })).toEqual({
      metered: '$2.00 + 2 unpriced',
      billed: '¥1.00',
      gap: 'different currencies: not compared',
    });
  });
});
