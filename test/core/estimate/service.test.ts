// Which models the estimate compares by default, from a real store: the ones used in the last 30 days.
import { describe, expect, it } from 'vitest';
import { EstimateService, usedModels } from '../../../electron/core/estimate/service.ts';
import { recordObservation, ensureObservedTables } from '../../../electron/core/estimate/observed.ts';
import { DEFAULT_ESTIMATE_MODELS } from '../../../shared/estimate.ts';
import { bucket, DAY, okSnapshot, openStore } from '../store/helpers.ts';

const NOW = Date.parse('2026-10-20T12:00:00Z');

function storeWithUsage() {
  const store = openStore();
  store.saveSnapshot(okSnapshot('router', NOW - 2 * DAY, { usage: [bucket(NOW - 2 * DAY, { model: 'anthropic/claude-sonnet-4.5', requests: 40 }), bucket(NOW - 3 * DAY, { model: 'openai/gpt-4o-mini', requests: 400 })] }));
  store.saveSnapshot(okSnapshot('ds', NOW - DAY, { provider: 'deepseek', usage: [bucket(NOW - DAY, { model: 'deepseek-chat', requests: 90 }), bucket(NOW - DAY, { model: '(all models, estimated from balance changes)', requests: 0, inputTokens: 0, outputTokens: 0, cost: { micros: 5000, currency: 'CNY' } })] }));
  // Older than 30 days: not a default any more.
  store.saveSnapshot(okSnapshot('router', NOW - 45 * DAY, { usage: [bucket(NOW - 45 * DAY, { model: 'openai/gpt-3.5-turbo', requests: 1000 })] }));
  return store;
}

const accounts = [{ id: 'router', provider: 'openrouter' }, { id: 'ds', provider: 'deepseek' }];

describe('the default models', () => {
  it('are the ones used in the last 30 days, busiest first, with the provider that used them', () => {
    const store = storeWithUsage();
    const used = usedModels({ accounts: () => accounts, totals: (q) => store.totals(q), now: () => NOW });
    expect(used).toEqual([
      { model: 'openai/gpt-4o-mini', provider: 'openrouter', known: true },
      { model: 'deepseek-chat', provider: 'deepseek', known: true },
      { model: 'anthropic/claude-sonnet-4.5', provider: 'openrouter', known: true },
    ]);
  });

  it('the estimate uses them and prices them in the tables of their provider', async () => {
    const store = storeWithUsage();
    const service = new EstimateService({ accounts: () => accounts, totals: (q) => store.totals(q), db: store.db, now: () => NOW });
    const r = await service.estimate({ input: 'Hello, how much will this cost?' });
    expect(r.modelsFrom).toBe('used-30-days');
    expect(r.rows.map((x) => x.model).sort()).toEqual(['anthropic/claude-sonnet-4.5', 'deepseek-chat', 'openai/gpt-4o-mini']);
    expect(r.rows.find((x) => x.model === 'openai/gpt-4o-mini')?.cost?.pricedAs).toBe('openrouter/openai/gpt-4o-mini');
    expect(r.rows.find((x) => x.model === 'deepseek-chat')?.cost?.pricedAs).toBe('deepseek/deepseek-chat');
  });

  it('fall back to the documented list when nothing was used, and put the request’s own model first', async () => {
    const store = openStore();
    const service = new EstimateService({ accounts: () => accounts, totals: (q) => store.totals(q), db: store.db, now: () => NOW });
    const plain = await service.estimate({ input: 'hi' });
    expect(plain.modelsFrom).toBe('default');
    expect(plain.rows.map((x) => x.model).sort()).toEqual([...DEFAULT_ESTIMATE_MODELS].sort());
    const named = await service.estimate({ input: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(named.rows.map((x) => x.model)).toContain('gpt-4o');
    expect(named.rows).toHaveLength(DEFAULT_ESTIMATE_MODELS.length + 1);
  });

  it("the caller's list wins, and observed ratios from metered requests are shown per model", async () => {
    const store = storeWithUsage();
    ensureObservedTables(store.db);
    recordObservation(store.db, { model: 'deepseek-chat', method: 'deepseek', estimated: 1100, actual: 1000, time: NOW - DAY });
    recordObservation(store.db, { model: 'deepseek-chat', method: 'deepseek', estimated: 450, actual: 500, time: NOW });
    const service = new EstimateService({ accounts: () => accounts, totals: (q) => store.totals(q), db: store.db, now: () => NOW });
    const r = await service.estimate({ input: 'hi', models: ['deepseek-chat', 'gpt-4o'] });
    expect(r.modelsFrom).toBe('caller');
    expect(r.rows.find((x) => x.model === 'deepseek-chat')?.observed).toEqual({ ratio: 1550 / 1500, requests: 2, lastAt: NOW });
    expect(r.rows.find((x) => x.model === 'gpt-4o')?.observed).toBeNull();
    await expect(service.estimate({ input: 'hi', models: Array.from({ length: 30 }, (_, i) => `m${i}`) })).rejects.toThrow(/at most 25 models/);
  });
});
