// Usage read from response bodies and stream events of both API styles; estimates only where none came.
import { describe, expect, it } from 'vitest';
import { MAX_HELD_OUTPUT_CHARS, promptTexts, UsageMeter } from '../../../electron/core/proxy/usage.ts';

describe('UsageMeter, OpenAI style', () => {
  it('reads chat usage with cached and reasoning tokens and the served model', () => {
    const m = new UsageMeter('openai');
    m.read({ model: 'gpt-4o-2024-08-06', choices: [{ message: { content: 'hi' } }], usage: { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 40 }, completion_tokens_details: { reasoning_tokens: 7 } } });
    expect(m.result()).toEqual({ model: 'gpt-4o-2024-08-06', inputTokens: 100, outputTokens: 20, cachedTokens: 40, cacheWriteTokens: 0, reasoningTokens: 7, providerCost: null, estimated: false });
  });

  it('takes usage from any chunk, the latest winning (never summed)', () => {
    const m = new UsageMeter('openai');
    m.read({ choices: [{ delta: { content: 'a' } }], usage: { prompt_tokens: 10, completion_tokens: 1 } });
    m.read({ choices: [{ delta: { content: 'b' } }], usage: { prompt_tokens: 10, completion_tokens: 2 } });
    m.read({ choices: [{ delta: {} , finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3 } });
    expect(m.result()).toMatchObject({ inputTokens: 10, outputTokens: 3, estimated: false });
  });

  it("DeepSeek's prompt_cache_hit_tokens count as cached; OpenRouter's cost and cache writes are kept as reported", () => {
    const d = new UsageMeter('openai');
    d.read({ usage: { prompt_tokens: 50, completion_tokens: 5, prompt_cache_hit_tokens: 30, prompt_cache_miss_tokens: 20 } });
    expect(d.result().cachedTokens).toBe(30);
    const r = new UsageMeter('openai');
    r.read({ usage: { prompt_tokens: 194, completion_tokens: 2, cost: 0.95, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100 } } });
    expect(r.result()).toMatchObject({ providerCost: 0.95, cacheWriteTokens: 100 });
  });

  it('Responses API: usage inside response.completed, embeddings: prompt tokens only', () => {
    const m = new UsageMeter('openai');
    m.read({ type: 'response.created', response: { model: 'gpt-4.1' } });
    m.read({ type: 'response.output_text.delta', delta: 'hey' });
    m.read({ type: 'response.completed', response: { model: 'gpt-4.1', usage: { input_tokens: 9, input_tokens_details: { cached_tokens: 2 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 1 } } } });
    expect(m.result()).toMatchObject({ model: 'gpt-4.1', inputTokens: 9, cachedTokens: 2, outputTokens: 4, reasoningTokens: 1, estimated: false });
    const e = new UsageMeter('openai');
    e.read({ object: 'list', usage: { prompt_tokens: 8, total_tokens: 8 } });
    expect(e.result()).toMatchObject({ inputTokens: 8, outputTokens: 0, estimated: false });
  });

  it('without usage: marked estimated, and says what is missing with the reply text held for the estimate', () => {
    const m = new UsageMeter('openai');
    m.read({ choices: [{ delta: { content: 'Hello ' } }] });
    m.read({ choices: [{ delta: { content: 'world' } }] });
    expect(m.result()).toMatchObject({ inputTokens: 0, outputTokens: 0, estimated: true });
    expect(m.missing()).toEqual({ input: true, output: true, outputText: ['Hello ', 'world'], outputChars: 11 });
    m.read({ usage: { prompt_tokens: 4, completion_tokens: 2 } });
    expect(m.missing()).toBeNull();
  });

  it('holds at most MAX_HELD_OUTPUT_CHARS of reply text, and counts all of it', () => {
    const m = new UsageMeter('openai');
    for (let i = 0; i < 3; i++) m.read({ choices: [{ delta: { content: 'y'.repeat(MAX_HELD_OUTPUT_CHARS / 2 + 1) } }] });
    const missing = m.missing();
    expect(missing?.outputText.join('').length).toBe(MAX_HELD_OUTPUT_CHARS);
    expect(missing?.outputChars).toBe(3 * (MAX_HELD_OUTPUT_CHARS / 2 + 1));
  });

  it('a whole body read from its usage object alone (body.ts) is complete', () => {
    const m = new UsageMeter('openai');
    expect(m.readWholeUsage('gpt-4o', { prompt_tokens: 9, completion_tokens: 3, cost: 0.002 })).toBe(true);
    expect(m.result()).toMatchObject({ model: 'gpt-4o', inputTokens: 9, outputTokens: 3, providerCost: 0.002, estimated: false });
    expect(new UsageMeter('openai').readWholeUsage('x', 'not usage')).toBe(false);
  });
});

describe('UsageMeter, Anthropic style', () => {
  it('message_start input and cache tokens, message_delta output is cumulative: overwritten, never added', () => {
    const m = new UsageMeter('anthropic');
    m.read({ type: 'message_start', message: { model: 'claude-sonnet-4-20250514', usage: { input_tokens: 90, cache_creation_input_tokens: 10, cache_read_input_tokens: 20, output_tokens: 1 } } });
    m.read({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'Hello' } });
    m.read({ type: 'message_delta', usage: { output_tokens: 5 } });
    m.read({ type: 'message_delta', usage: { output_tokens: 12 } });
    expect(m.result()).toEqual({ model: 'claude-sonnet-4-20250514', inputTokens: 120, outputTokens: 12, cachedTokens: 20, cacheWriteTokens: 10, reasoningTokens: 0, providerCost: null, estimated: false });
  });

  it('newer message_delta events that repeat input figures replace them too', () => {
    const m = new UsageMeter('anthropic');
    m.read({ type: 'message_start', message: { usage: { input_tokens: 5, output_tokens: 1 } } });
    m.read({ type: 'message_delta', usage: { input_tokens: 7, output_tokens: 3, cache_read_input_tokens: 2 } });
    expect(m.result()).toMatchObject({ inputTokens: 9, outputTokens: 3, cachedTokens: 2 });
  });

  it('a stream cut before message_delta keeps the input it had and estimates the output', () => {
    const m = new UsageMeter('anthropic');
    m.read({ type: 'message_start', message: { usage: { input_tokens: 50, output_tokens: 1 } } });
    m.read({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'y'.repeat(80) } });
    // The output so far is kept as a floor; the estimate (recorder) fills in the rest from the held text.
    expect(m.result()).toMatchObject({ inputTokens: 50, outputTokens: 1, estimated: true });
    expect(m.missing()).toMatchObject({ input: false, output: true, outputChars: 80 });
  });

  it('a whole (non-stream) message', () => {
    const m = new UsageMeter('anthropic');
    m.read({ type: 'message', model: 'claude-3-5-haiku-20241022', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 11, output_tokens: 3 } });
    expect(m.result()).toMatchObject({ model: 'claude-3-5-haiku-20241022', inputTokens: 11, outputTokens: 3, estimated: false });
  });
});

describe('promptTexts', () => {
  it('takes message text, system prompts and inputs, not other fields', () => {
    expect(promptTexts({ model: 'gpt-4o-with-a-long-name', system: 'abc', messages: [{ role: 'user', content: 'hello' }, { role: 'user', content: [{ type: 'text', text: 'xy' }] }] })).toEqual(['abc', 'hello', 'xy']);
    expect(promptTexts({ input: ['ab', 'cd'] })).toEqual(['ab', 'cd']);
  });
});
