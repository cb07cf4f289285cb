// The bundled price table: exact matching with the documented normalisations only, list-price arithmetic with
// cached and cache-write tokens at their own rates, and "unpriced" (null) for anything else.
import { describe, expect, it } from 'vitest';
import { contextWindow, ExactIndex, findModel, priceUsage } from '../../../electron/core/pricing/index.ts';

const T = Date.UTC(2026, 10, 23, 18, 0, 0);
const usage = (input: number, output: number, cached = 0, cacheWrite = 0) => ({ inputTokens: input, outputTokens: output, cachedTokens: cached, cacheWriteTokens: cacheWrite });

describe('findModel (exact rules)', () => {
  const index = new ExactIndex([
    { id: 'openai', models: [{ id: 'gpt-4o', match: { or: [{ equals: 'gpt-4o' }, { equals: 'gpt-4o-2024-08-06' }] } }, { id: 'gpt-4o-mini', match: { starts_with: 'gpt-4o-mini' } }] },
    { id: 'anthropic', models: [{ id: 'claude-sonnet-4-0', match: { or: [{ starts_with: 'claude-sonnet-4-2025' }, { equals: 'claude-sonnet-4' }] } }] },
    { id: 'openrouter', models: [{ id: 'openai/gpt-4o', match: { equals: 'openai/gpt-4o' } }] },
  ]);
  it('matches an id or an exact alias', () => {
    expect(findModel(index, 'newapi', 'gpt-4o')?.model.id).toBe('gpt-4o');
    expect(findModel(index, 'newapi', 'gpt-4o-2024-08-06')?.model.id).toBe('gpt-4o');
  });
  it('never uses prefix, contains or regex rules', () => {
    expect(findModel(index, 'newapi', 'gpt-4o-mini-2099-preview')).toBeNull();
    expect(findModel(index, 'newapi', 'gpt-4o-turbo')).toBeNull();
    expect(findModel(index, 'newapi', 'GPT-4O')).toBeNull();
  });
  it('drops a date-snapshot suffix only when the dated name is not listed', () => {
    expect(findModel(index, 'anthropic', 'claude-sonnet-4-20250514')?.model.id).toBe('claude-sonnet-4-0');
    expect(findModel(index, 'openai', 'gpt-4o-2024-08-06')?.model.id).toBe('gpt-4o');
    expect(findModel(index, 'openai', 'gpt-4o-2025-01-01')?.model.id).toBe('gpt-4o');
    expect(findModel(index, 'openai', 'gpt-4o-preview')).toBeNull();
  });
  it('a vendor prefix: as written in a router table, else the vendor table without it', () => {
    expect(findModel(index, 'openrouter', 'openai/gpt-4o')).toMatchObject({ table: 'openrouter' });
    expect(findModel(index, 'newapi', 'openai/gpt-4o')).toMatchObject({ table: 'openai', model: { id: 'gpt-4o' } });
    expect(findModel(index, 'newapi', 'unknownvendor/gpt-4o')).toBeNull();
  });
  it('an account of a first-party provider searches only its own table', () => {
    expect(findModel(index, 'anthropic', 'gpt-4o')).toBeNull();
  });
});

describe('priceUsage (bundled table)', () => {
  it('gpt-4o: $2.50 / $10 per million, cached input at $1.25', async () => {
    const p = await priceUsage('openai', 'gpt-4o', usage(1_000_000, 100_000, 400_000), T);
    // 600k × 2.5 + 400k × 1.25 + 100k × 10 per million = 1.5 + 0.5 + 1.0
    expect(p).toEqual({ cost: { micros: 3_000_000, currency: 'USD' }, pricedAs: 'openai/gpt-4o' });
  });

  it('a dated Claude snapshot through a gateway: cache reads and writes at their rates', async () => {
    const p = await priceUsage('newapi', 'claude-sonnet-4-20250514', usage(1000, 50, 200, 100), T);
    // 700 × 3 + 200 × 0.30 + 100 × 3.75 + 50 × 15, per million
    expect(p?.cost).toEqual({ micros: 3285, currency: 'USD' });
  });

  it('unknown and fuzzy-looking names are unpriced (null), never $0', async () => {
    expect(await priceUsage('newapi', 'my-finetune-7b', usage(100, 100), T)).toBeNull();
    expect(await priceUsage('openai', 'gpt-4o-ultra', usage(100, 100), T)).toBeNull();
  });

  it('knows context windows for the issue-14 features', async () => {
    expect(await contextWindow('openai', 'gpt-4o')).toBe(128_000);
    expect(await contextWindow('openai', 'no-such-model')).toBeNull();
  });
});
