import { describe, expect, it } from 'vitest';
import { estimate, sortRows } from '../../../electron/core/estimate/estimate.ts';
import { counter } from '../../../electron/core/estimate/tokenizer.ts';
import { familyOf } from '../../../electron/core/estimate/families.ts';
import { PRICE_TABLE_SOURCE } from '../../../electron/core/pricing/catalog.ts';
import type { EstimateRow } from '../../../shared/estimate.ts';

const caller = (...models: string[]) => ({ models: models.map((model) => ({ model })), modelsFrom: 'caller' as const });
const at = Date.parse('2026-10-01T00:00:00Z');

describe('estimate', () => {
  it('prices input only … input + max output from the table (gpt-4o: $2.50 and $10 per million)', async () => {
    const input = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const tokens = (await counter('o200k_base'))(input);
    const r = await estimate({ input, maxOutput: 1000 }, { ...caller('gpt-4o'), now: at });
    const row = r.rows[0] as EstimateRow;
    expect(row).toMatchObject({ model: 'gpt-4o', status: 'ok', method: 'exact', inputTokens: tokens, overheadTokens: 0, maxOutput: 1000, contextWindow: 128_000, fit: 'fits' });
    expect(row.cost).toEqual({ min: { micros: Math.round(tokens * 2.5), currency: 'USD' }, max: { micros: Math.round(tokens * 2.5 + 1000 * 10), currency: 'USD' }, pricedAs: 'openai/gpt-4o' });
    expect(r.priceSource).toEqual(PRICE_TABLE_SOURCE);
    expect(r.maxOutputFrom).toBe('caller');
  });

  it('sorts cheapest first and marks estimated families with their method', async () => {
    const r = await estimate({ input: 'Compare these models on one short prompt, please.' }, caller('claude-sonnet-4-5', 'gpt-4o-mini', 'deepseek-chat', 'gemini-2.5-flash'));
    const maxes = r.rows.map((x) => x.cost?.max.micros ?? Infinity);
    expect(maxes).toEqual([...maxes].sort((a, b) => a - b));
    const claude = r.rows.find((x) => x.model === 'claude-sonnet-4-5');
    expect(claude).toMatchObject({ method: 'estimated', family: 'Claude', methodNote: expect.stringMatching(/legacy Claude tokenizer/) });
    expect(r.rows.find((x) => x.model === 'gpt-4o-mini')?.methodNote).toMatch(/exact: the o200k_base encoding \(vocabulary of gpt-tokenizer 4\.0\.0\)/);
    expect(r.maxOutputFrom).toBe('default');
    expect(r.maxOutput).toBe(4096);
  });

  it('an unpriced model is counted but never given a cost; an unknown one gets no number at all', async () => {
    const r = await estimate({ input: 'hello world' }, caller('qwen-max', 'gtp-4o', 'gpt-4o'));
    expect(r.rows.map((x) => [x.model, x.status])).toEqual([['gpt-4o', 'ok'], ['qwen-max', 'unpriced'], ['gtp-4o', 'unknown']]);
    const unpriced = r.rows[1] as EstimateRow;
    expect(unpriced).toMatchObject({ cost: null, family: 'Qwen', method: 'estimated', message: expect.stringMatching(/Unpriced: 'qwen-max' is not in the price table.*not guessed/) });
    expect(unpriced.inputTokens).toBeGreaterThan(0);
    const unknown = r.rows[2] as EstimateRow;
    expect(unknown).toMatchObject({ inputTokens: null, cost: null, method: null, message: expect.stringMatching(/Unknown model 'gtp-4o'.*Did you mean 'gpt-4o'/) });
  });

  it("a name from the user's own usage that Spendbar cannot place is counted with the generic estimate, not refused", async () => {
    const r = await estimate({ input: 'hello world' }, { models: [{ model: 'house-llm-7b', known: true }], modelsFrom: 'used-30-days' });
    expect(r.rows[0]).toMatchObject({ status: 'unpriced', family: 'other (generic)', method: 'estimated' });
  });

  it('says when the input, or the input with the max output, does not fit the context window', async () => {
    const long = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(900);
    const r = await estimate({ input: long, maxOutput: 100 }, caller('gpt-4', 'gpt-4o'));
    const gpt4 = r.rows.find((x) => x.model === 'gpt-4');
    expect(gpt4?.inputTokens).toBeGreaterThan(8192);
    expect(gpt4).toMatchObject({ contextWindow: 8192, fit: 'too-long', message: expect.stringMatching(/exceeds the 8,192-token context window/) });
    expect(r.rows.find((x) => x.model === 'gpt-4o')?.fit).toBe('fits');
    const mid = 'word '.repeat(6000);
    const r2 = await estimate({ input: mid, maxOutput: 4000 }, caller('gpt-4'));
    expect(r2.rows[0]).toMatchObject({ fit: 'no-room-for-output', message: expect.stringMatching(/at most [\d,]+ output tokens fit/) });
  });

  it("takes the request's max tokens when the caller gives none, and the caller's over the request's", async () => {
    const input = JSON.stringify({ max_tokens: 77, messages: [{ role: 'user', content: 'hi' }] });
    expect((await estimate({ input }, caller('gpt-4o'))).maxOutput).toBe(77);
    expect((await estimate({ input, maxOutput: 5 }, caller('gpt-4o'))).maxOutput).toBe(5);
  });

  it('lists what it did not count', async () => {
    const input = JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'image_url', image_url: { url: 'y' } }] }] });
    const r = await estimate({ input }, caller('gpt-4o'));
    expect(r.notes).toContain('Not counted: 2 images; the real input will be larger.');
  });

  it('refuses a bad max output', async () => {
    await expect(estimate({ input: 'x', maxOutput: -1 }, caller('gpt-4o'))).rejects.toThrow(/max output must be a whole number/);
    await expect(estimate({ input: 'x', maxOutput: 1.5 }, caller('gpt-4o'))).rejects.toThrow(/max output/);
  });

  it('never sorts across currencies by raw number: each currency is a block', () => {
    const row = (model: string, micros: number, currency: string): EstimateRow => ({
      model, status: 'ok', family: 'x', method: 'exact', methodNote: '', inputTokens: 1, overheadTokens: 0, maxOutput: 1, contextWindow: null, fit: 'unknown',
      cost: { min: { micros, currency }, max: { micros, currency }, pricedAs: model }, observed: null, message: null,
    });
    const sorted = sortRows([row('a', 900, 'USD'), row('b', 5, 'CNY'), row('c', 100, 'USD'), row('d', 7000, 'CNY')]);
    expect(sorted.map((r) => r.model)).toEqual(['b', 'd', 'c', 'a']);
  });
});

describe('familyOf', () => {
  it.each([
    ['gpt-4o-mini', 'openai-o200k'], ['openai/gpt-4.1', 'openai-o200k'], ['o3-mini', 'openai-o200k'], ['gpt-5', 'openai-o200k'], ['gpt-oss-120b', 'openai-o200k'],
    ['gpt-4', 'openai-cl100k'], ['gpt-4-turbo', 'openai-cl100k'], ['gpt-3.5-turbo', 'openai-cl100k'], ['text-embedding-3-small', 'openai-cl100k'],
    ['claude-sonnet-4-5', 'claude'], ['anthropic/claude-3.5-haiku', 'claude'], ['gemini-2.5-pro', 'gemini'], ['deepseek-reasoner', 'deepseek'],
    ['Qwen/Qwen3-235B', 'qwen'], ['llama-3.1-70b', 'generic'],
  ])('%s → %s', (model, family) => expect(familyOf(model).id).toBe(family));
});

describe('the price source', () => {
  it('names the installed table version and the tokenizer version that is installed', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const nm = join(import.meta.dirname, '../../../node_modules');
    const prices = JSON.parse(readFileSync(join(nm, '@pydantic/genai-prices/package.json'), 'utf8')) as { version: string };
    const tokenizer = JSON.parse(readFileSync(join(nm, 'gpt-tokenizer/package.json'), 'utf8')) as { version: string };
    expect(PRICE_TABLE_SOURCE.name).toBe(`@pydantic/genai-prices ${prices.version}`);
    const { TOKENIZER_SOURCE } = await import('../../../electron/core/estimate/tokenizer.ts');
    expect(TOKENIZER_SOURCE).toBe(`gpt-tokenizer ${tokenizer.version}`);
  });
});
