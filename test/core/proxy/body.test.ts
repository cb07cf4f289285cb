// A whole (non-stream) response body is read for usage cheaply: small ones parsed whole, larger ones from the usage
// object at their tail (the rest left unparsed) unless that gives no complete usage.
import { describe, expect, it } from 'vitest';
import { TailCollector } from '../../../electron/core/proxy/body.ts';
import { createSideReader } from '../../../electron/core/proxy/side-reader.ts';
import { UsageMeter } from '../../../electron/core/proxy/usage.ts';

function read(body: string, chunk = 4096): UsageMeter {
  const c = new TailCollector();
  const bytes = Buffer.from(body);
  for (let i = 0; i < bytes.length; i += chunk) c.push(bytes.subarray(i, i + chunk));
  const m = new UsageMeter(body.includes('"type":"message"') ? 'anthropic' : 'openai');
  c.readInto(m);
  return m;
}

const long = 'word '.repeat(40_000);

describe('TailCollector.readInto', () => {
  it('a large OpenAI body: usage and model from its edges, exact', () => {
    const m = read(JSON.stringify({ id: 'c', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: long } }], usage: { prompt_tokens: 11, completion_tokens: 40_000, cost: 0.5 } }));
    expect(m.result()).toMatchObject({ model: 'gpt-4o', inputTokens: 11, outputTokens: 40_000, providerCost: 0.5, estimated: false });
  });

  it('a large Anthropic message: final figures from its tail', () => {
    const m = read(JSON.stringify({ id: 'msg', type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514', content: [{ type: 'text', text: long }], usage: { input_tokens: 7, output_tokens: 9000, cache_read_input_tokens: 3 } }));
    expect(m.result()).toMatchObject({ model: 'claude-sonnet-4-20250514', inputTokens: 10, outputTokens: 9000, cachedTokens: 3, estimated: false });
  });

  it('a large body without usage is parsed whole, so its reply text is there for the estimate', () => {
    const m = read(JSON.stringify({ id: 'c', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: long } }] }));
    expect(m.result().estimated).toBe(true);
    expect(m.missing()?.outputChars).toBe(long.length);
  });

  it('"usage" inside the reply text is not taken for the usage object', () => {
    const m = read(JSON.stringify({ model: 'gpt-4o', choices: [{ message: { content: `${long} "usage": {"prompt_tokens": 999}` } }], usage: { prompt_tokens: 2, completion_tokens: 3 } }));
    expect(m.result()).toMatchObject({ inputTokens: 2, outputTokens: 3 });
  });

  it('an HTML error page reads as nothing', () => {
    expect(read(`<html>${long}</html>`).sawUsage).toBe(false);
  });
});

describe('a whole body read on the side', () => {
  const body = Buffer.from(JSON.stringify({ id: 'c', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }], usage: { prompt_tokens: 11, completion_tokens: 2 } }));

  it('is read after the client got its end (the response is not held for the usage read), and read exactly', () => {
    const meter = new UsageMeter('openai');
    const side = createSideReader({ eventStream: false, encoding: undefined, stripUsageChunk: false, meter });
    expect(side.take(body)).toEqual([body]);
    let atEnd: boolean | null = null;
    side.end(() => (atEnd = meter.sawUsage));
    expect(atEnd).toBe(false);
    side.settle();
    expect(meter.result()).toMatchObject({ model: 'gpt-4o', inputTokens: 11, outputTokens: 2, estimated: false });
  });

  it('a body cut short (no end) is not read: what it held is not taken as the provider\'s figures', () => {
    const meter = new UsageMeter('openai');
    const side = createSideReader({ eventStream: false, encoding: undefined, stripUsageChunk: false, meter });
    side.take(body);
    side.settle();
    expect(meter.sawUsage).toBe(false);
  });
});
