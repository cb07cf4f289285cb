// Usage read from response bodies and stream events of both API styles; estimates only where none came.
import { describe, expect, it } from 'vitest';
import { promptChars, UsageMeter } from '../../../electron/core/proxy/usage.ts';

describe('UsageMeter, OpenAI style', () => {
  it('reads chat usage with cached and reasoning tokens and the served model', () => {
    const m = new UsageMeter('openai');
    m.read({ model: 'gpt-4o-2024-08-06', choices: [{ message: { content: 'hi' } }], usage: { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 40 }, completion_tokens_details: { reasoning_tokens: 7 } } });
    expect(m.result(0)).toEqual({ model: 'gpt-4o-2024-08-06', inputTokens: 100, outputTokens: 20, cachedTokens: 40, cacheWriteTokens: 0, reasoningTokens: 7, providerCost: null, estimated: false });
  });

  it('takes usage from any chunk, the latest winning (never summed)', () => {
    const m = new UsageMeter('openai');
    m.read({ choices: [{ delta: { content: 'a' } }], usage: { prompt_tokens: 10, completion_tokens: 1 } });
    m.read({ choices: [{ delta: { content: 'b' } }], usage: { prompt_tokens: 10, completion_tokens: 2 } });
    m.read({ choices: [{ delta: {} , finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3 } });
    expect(m.result(0)).toMatchObject({ inputTokens: 10, outputTokens: 3, estimated: false });
  });

  it("DeepSeek's prompt_cache_hit_tokens count as cached; OpenRouter's cost and cache writes are kept as reported", () => {
    const d = new UsageMeter('openai');
    d.read({ usage: { prompt_tokens: 50, completion_tokens: 5, prompt_cache_hit_tokens: 30, prompt_cache_miss_tokens: 20 } });
    expect(d.result(0).cachedTokens).toBe(30);
    const r = new UsageMeter('openai');
    r.read({ usage: { prompt_tokens: 194, completion_tokens: 2, cost: 0.95, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100 } } });
    expect(r.result(0)).toMatchObject({ providerCost: 0.95, cacheWriteTokens: 100 });
  });

  it('Responses API: usage inside response.completed, embeddings: prompt tokens only', () => {
    const m = new UsageMeter('openai');
    m.read({ type: 'response.created', response: { model: 'gpt-4.1' } });
    m.read({ type: 'response.output_text.delta', delta: 'hey' });
    m.read({ type: 'response.completed', response: { model: 'gpt-4.1', usage: { input_tokens: 9, input_tokens_details: { cached_tokens: 2 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 1 } } } });
    expect(m.result(0)).toMatchObject({ model: 'gpt-4.1', inputTokens: 9, cachedTokens: 2, outputTokens: 4, reasoningTokens: 1, estimated: false });
    const e = new UsageMeter('openai');
    e.read({ object: 'list', usage: { prompt_tokens: 8, total_tokens: 8 } });
    expect(e.result(0)).toMatchObject({ inputTokens: 8, outputTokens: 0, estimated: false });
  });

  it('estimates from text lengths when no usage came, and says so', () => {
    const m = new UsageMeter('openai');
    m.read({ choices: [{ delta: { content: 'x'.repeat(40) } }] });
    expect(m.result(400)).toMatchObject({ inputTokens: 100, outputTokens: 10, estimated: true });
  });
});

describe('UsageMeter, Anthropic style', () => {
  it('message_start input and cache tokens, message_delta output is cumulative: overwritten, never added', () => {
    const m = new UsageMeter('anthropic');
    m.read({ type: 'message_start', message: { model: 'claude-sonnet-4-20250514', usage: { input_tokens: 90, cache_creation_input_tokens: 10, cache_read_input_tokens: 20, output_tokens: 1 } } });
    m.read({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'Hello' } });
    m.read({ type: 'message_delta', usage: { output_tokens: 5 } });
    m.read({ type: 'message_delta', usage: { output_tokens: 12 } });
    expect(m.result(0)).toEqual({ model: 'claude-sonnet-4-20250514', inputTokens: 120, outputTokens: 12, cachedTokens: 20, cacheWriteTokens: 10, reasoningTokens: 0, providerCost: null, estimated: false });
  });

  it('newer message_delta events that repeat input figures replace them too', () => {
    const m = new UsageMeter('anthropic');
    m.read({ type: 'message_start', message: { usage: { input_tokens: 5, output_tokens: 1 } } });
    m.read({ type: 'message_delta', usage: { input_tokens: 7, output_tokens: 3, cache_read_input_tokens: 2 } });
    expect(m.result(0)).toMatchObject({ inputTokens: 9, outputTokens: 3, cachedTokens: 2 });
  });

  it('a stream cut before message_delta keeps the input it had and estimates the output', () => {
    const m = new UsageMeter('anthropic');
    m.read({ type: 'message_start', message: { usage: { input_tokens: 50, output_tokens: 1 } } });
    m.read({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'y'.repeat(80) } });
    expect(m.result(0)).toMatchObject({ inputTokens: 50, outputTokens: 20, estimated: true });
  });

  it('a whole (non-stream) message', () => {
    const m = new UsageMeter('anthropic');
    m.read({ type: 'message', model: 'claude-3-5-haiku-20241022', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 11, output_tokens: 3 } });
    expect(m.result(0)).toMatchObject({ model: 'claude-3-5-haiku-20241022', inputTokens: 11, outputTokens: 3, estimated: false });
  });
});

describe('promptChars', () => {
  it('counts message text, system prompts and inputs, not other fields', () => {
    expect(promptChars({ model: 'gpt-4o-with-a-long-name', system: 'abc', messages: [{ role: 'user', content: 'hello' }, { role: 'user', content: [{ type: 'text', text: 'xy' }] }] })).toBe(10);
    expect(promptChars({ input: ['ab', 'cd'] })).toBe(4);
  });
});
