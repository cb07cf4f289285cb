// The proxy's estimate of what a provider did not report is the project's estimator: the Estimate view's figure for
// the same request body and model, and the reply counted with the model's tokenizer (or its family's estimate).
import { describe, expect, it } from 'vitest';
import { estimate } from '../../../electron/core/estimate/estimate.ts';
import { countFor } from '../../../electron/core/estimate/count.ts';
import { readPrompt } from '../../../electron/core/estimate/prompt.ts';
import { estimateUsage, MAX_COUNTED_CHARS } from '../../../electron/core/proxy/estimate-usage.ts';

const none = { input: true, output: true, outputText: [] as string[], outputChars: 0 };

describe('estimateUsage', () => {
  it.each(['gpt-4o', 'claude-sonnet-4-20250514', 'deepseek-chat', 'some-local-model'])('a chat body for %s: the Estimate view\'s input figure', async (model) => {
    const body = { model, system: 'You are terse.', messages: [{ role: 'user', content: 'Summarise the plot of Hamlet in one line, please.' }, { role: 'assistant', content: 'A prince avenges his father.' }, { role: 'user', content: 'Shorter.' }] };
    const view = await estimate({ input: JSON.stringify(body) }, { models: [{ model, known: true }], modelsFrom: 'caller' });
    const got = await estimateUsage({ body, model, missing: none });
    expect(view.rows[0]?.inputTokens).toBeGreaterThan(10);
    expect(got.inputTokens).toBe(view.rows[0]?.inputTokens);
    expect(got.outputTokens).toBe(0);
  });

  it('a prompt or input body (completions, embeddings) is counted as its text', async () => {
    const got = await estimateUsage({ body: { model: 'gpt-4o', input: ['the quick brown fox', 'jumps over'] }, model: 'gpt-4o', missing: { ...none, output: false } });
    const text = await countFor(readPrompt('the quick brown fox', 'text'), 'openai-o200k');
    const more = await countFor(readPrompt('jumps over', 'text'), 'openai-o200k');
    expect(got).toEqual({ inputTokens: text.textTokens + more.textTokens, outputTokens: null });
  });

  it('the reply is counted from the held text and scaled to all of it; only what is missing is estimated', async () => {
    const piece = 'Hello there, how are you today? ';
    const got = await estimateUsage({ body: null, model: 'gpt-4o', missing: { input: false, output: true, outputText: [piece], outputChars: piece.length * 3 } });
    const once = (await countFor(readPrompt(piece, 'text'), 'openai-o200k')).textTokens;
    expect(got).toEqual({ inputTokens: null, outputTokens: once * 3 });
  });

  it('a huge prompt is counted on its first MAX_COUNTED_CHARS and scaled, so it stays bounded', async () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((MAX_COUNTED_CHARS * 2) / 27));
    const got = await estimateUsage({ body: { prompt: text }, model: 'mistral-large', missing: { ...none, output: false } });
    const half = (await countFor({ format: 'text', messages: [{ role: 'text', hasName: false, texts: [text.slice(0, MAX_COUNTED_CHARS)] }], uncounted: [], notes: [], maxOutput: null, model: null }, 'generic')).textTokens;
    expect(got.inputTokens).toBe(Math.ceil(half * (text.length / MAX_COUNTED_CHARS)));
  });
});
