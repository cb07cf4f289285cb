// Accuracy shown, not claimed: the corpus (English, Chinese, code, JSON, a messages request, mixed scripts) against
// token counts recorded once from the reference tokenizers (fixtures/expected.json, produced by
// scripts/estimate/reference-counts.ts; exact counts from js-tiktoken, an implementation independent of the one
// Spendbar ships).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { counter } from '../../../electron/core/estimate/tokenizer.ts';
import { textFeatures } from '../../../electron/core/estimate/features.ts';
import { estimateTokens, type RateSet } from '../../../electron/core/estimate/heuristic.ts';
import { estimate } from '../../../electron/core/estimate/estimate.ts';

const dir = join(import.meta.dirname, 'fixtures');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  files: Record<string, { chars: number; o200k_base: number; cl100k_base: number; reference: Record<RateSet, number>; chat?: { messages: number; o200k_base: number; cl100k_base: number } }>;
};
const files = Object.entries(expected.files);
const text = (file: string) => readFileSync(join(dir, 'corpus', file), 'utf8');

/** The bound README "Estimate" states for the character-class estimate on this corpus. */
const ESTIMATE_BOUND = 0.15;

describe('the test corpus', () => {
  it('covers English, Chinese, code and JSON', () => {
    expect(Object.keys(expected.files).sort()).toEqual(['chinese.txt', 'code.ts.txt', 'data.json', 'english.txt', 'messages.json', 'mixed.txt']);
    for (const [file, e] of files) expect(text(file).length).toBe(e.chars);
  });

  it.each(files)('%s: o200k_base and cl100k_base counts equal the reference exactly', async (file, e) => {
    const o200k = await counter('o200k_base');
    const cl100k = await counter('cl100k_base');
    expect(o200k(text(file))).toBe(e.o200k_base);
    expect(cl100k(text(file))).toBe(e.cl100k_base);
  });

  it.each(files)(`%s: the estimate for each family is within ${ESTIMATE_BOUND * 100}% of its reference tokenizer`, (file, e) => {
    const f = textFeatures(text(file));
    for (const [family, ref] of Object.entries(e.reference) as [RateSet, number][]) {
      const est = estimateTokens(f, family);
      expect(Math.abs(est / ref - 1), `${family}: ${est} vs ${ref}`).toBeLessThanOrEqual(ESTIMATE_BOUND);
    }
  });

  it("counts a chat request as OpenAI's cookbook does: text tokens + 3 per message + 1 per name + 3", async () => {
    const chat = expected.files['messages.json']?.chat;
    const r = await estimate({ input: text('messages.json') }, { models: [{ model: 'gpt-4o' }, { model: 'gpt-4' }], modelsFrom: 'caller' });
    expect(r.format).toBe('openai-messages');
    expect(r.messages).toBe(chat?.messages);
    expect(r.rows.find((x) => x.model === 'gpt-4o')?.inputTokens).toBe(chat?.o200k_base);
    expect(r.rows.find((x) => x.model === 'gpt-4')?.inputTokens).toBe(chat?.cl100k_base);
    expect(r.rows.find((x) => x.model === 'gpt-4o')).toMatchObject({ method: 'exact', overheadTokens: 4 * 3 + 1 + 3 });
  });
});
