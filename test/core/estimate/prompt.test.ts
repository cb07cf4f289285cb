import { describe, expect, it } from 'vitest';
import { EstimateInputError, readPrompt } from '../../../electron/core/estimate/prompt.ts';
import { MAX_ESTIMATE_BYTES } from '../../../shared/estimate.ts';

const fails = (input: string, message: RegExp, format?: 'auto' | 'text' | 'messages') => {
  expect(() => readPrompt(input, format)).toThrow(EstimateInputError);
  expect(() => readPrompt(input, format)).toThrow(message);
};

describe('readPrompt', () => {
  it('takes plain text as it is', () => {
    const p = readPrompt('Hello there.\nSecond line.');
    expect(p).toMatchObject({ format: 'text', messages: [{ texts: ['Hello there.\nSecond line.'] }], uncounted: [] });
  });

  it('reads an OpenAI chat request: string and part content, names, max tokens, model; images and tool calls listed as not counted', () => {
    const p = readPrompt(
      JSON.stringify({
        model: 'gpt-4o',
        max_completion_tokens: 300,
        tools: [{ type: 'function', function: { name: 'f' } }],
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', name: 'ana', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'data:…' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: '1', content: 'sunny' },
        ],
      }),
    );
    expect(p.format).toBe('openai-messages');
    expect(p.model).toBe('gpt-4o');
    expect(p.maxOutput).toBe(300);
    expect(p.messages.map((m) => m.texts)).toEqual([['Be brief.'], ['What is in this picture?', 'ana'], [], ['sunny']]);
    expect(p.messages[1]?.hasName).toBe(true);
    expect(p.uncounted).toEqual(expect.arrayContaining([{ kind: 'image', count: 1 }, { kind: 'tool call', count: 1 }, { kind: 'tool definition', count: 1 }]));
  });

  it("reads an Anthropic request: system (string or blocks) and content blocks; tool and image blocks not counted", () => {
    const p = readPrompt(
      JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        system: [{ type: 'text', text: 'You are a poet.' }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Write about rain.' }, { type: 'image', source: { type: 'base64', data: 'xx' } }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: '42' }] },
        ],
      }),
    );
    expect(p.format).toBe('anthropic-messages');
    expect(p.messages[0]).toMatchObject({ role: 'system', texts: ['You are a poet.'] });
    expect(p.messages[1]?.texts).toEqual(['Write about rain.']);
    expect(p.maxOutput).toBe(1024);
    expect(p.uncounted).toEqual(expect.arrayContaining([{ kind: 'image', count: 1 }, { kind: 'tool call', count: 1 }, { kind: 'tool result', count: 1 }]));
  });

  it('reads a bare messages array', () => {
    expect(readPrompt('[{"role":"user","content":"hi"}]')).toMatchObject({ format: 'openai-messages', messages: [{ role: 'user', texts: ['hi'] }] });
  });

  it('counts JSON without messages, and text that only starts with a bracket, as plain text', () => {
    expect(readPrompt('{"a": 1}')).toMatchObject({ format: 'text', notes: [expect.stringMatching(/without a "messages" array/)] });
    expect(readPrompt('[1] Smith, J. (2020). A paper.')).toMatchObject({ format: 'text' });
  });

  it('refuses empty, binary and oversized input with a message that says what to do', () => {
    fails('', /empty/);
    fails('  \n\t ', /empty/);
    fails('abc\u0000def', /binary/);
    fails('\u0001\u0002\u0003\u0004\u0005 some text', /binary/);
    fails('x'.repeat(MAX_ESTIMATE_BYTES + 1), /larger than 1 MiB/);
    // Bytes, not characters: 400k CJK characters are 1.2 MB of UTF-8.
    fails('字'.repeat(400_000), /larger than 1 MiB/);
  });

  it('refuses malformed messages JSON, naming the problem and the way out', () => {
    fails('{"messages": [{"role": "user", "content": "hi"},]}', /messages JSON is malformed.*--format text/);
    fails('{"messages": []}', /messages array is empty/);
    fails('{"messages": [{"content": "hi"}]}', /messages\[0\] has no "role"/);
    fails('{"messages": [{"role": "user", "content": 5}]}', /messages\[0\]\.content must be a string or an array/);
    fails('{"messages": [{"role": "user", "content": [{"text": "x"}]}]}', /messages\[0\]\.content\[0\] must be a content block with a "type"/);
    fails('{"messages": [{"role": "user", "content": [{"type": "text"}]}]}', /text block without a "text"/);
    fails('just words', /not JSON/, 'messages');
    fails('{"prompt": "x"}', /no "messages" array/, 'messages');
  });

  it('format text counts a messages JSON as the text it is', () => {
    expect(readPrompt('{"messages": [{"role": "user", "content": "hi"}]}', 'text').format).toBe('text');
  });
});
