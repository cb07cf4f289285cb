// The bounded SSE reader: events across chunk boundaries, every line terminator, comments, limits, and framing that
// leaves one event out of the bytes the client gets.
import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../../electron/core/proxy/sse.ts';

function collect(opts: { frame?: boolean; drop?: (e: SseEvent) => boolean; maxBytes?: number } = {}) {
  const events: SseEvent[] = [];
  const parser = new SseParser({ frame: opts.frame, maxBytes: opts.maxBytes, onEvent: (e) => (events.push(e), !(opts.drop?.(e) ?? false)) });
  return { parser, events };
}

describe('SseParser', () => {
  it('reads events split anywhere, with LF, CRLF and CR line ends, comments and multi-line data', () => {
    const text = ': keep-alive\n\nevent: a\ndata: {"x":1}\n\r\ndata: line1\r\ndata: line2\r\n\r\ndata:nospace\r\rid: 7\ndata: é\n\n';
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const { parser, events } = collect();
      for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
      parser.end();
      expect(events).toEqual([
        { event: 'a', data: '{"x":1}' },
        { event: '', data: 'line1\nline2' },
        { event: '', data: 'nospace' },
        { event: '', data: 'é' },
      ]);
      expect(parser.malformed).toBe(0);
    }
  });

  it('delivers a last event that lacks its closing blank line at the end', () => {
    const { parser, events } = collect();
    parser.push(Buffer.from('data: tail'));
    parser.end();
    expect(events).toEqual([{ event: '', data: 'tail' }]);
  });

  it('skips an overlong line as malformed instead of holding it, and keeps reading after it', () => {
    const { parser, events } = collect({ maxBytes: 64 });
    parser.push(Buffer.from(`data: ${'x'.repeat(200)}`));
    parser.push(Buffer.from(`${'y'.repeat(200)}\n\ndata: ok\n\n`));
    expect(parser.malformed).toBe(1);
    expect(events).toEqual([{ event: '', data: 'ok' }]);
  });

  it('framing: returns exactly the bytes of the events it keeps, across chunks', () => {
    const stream = 'data: one\n\ndata: {"usage":1}\n\ndata: [DONE]\n\n';
    const { parser } = collect({ frame: true, drop: (e) => e.data.includes('usage') });
    const out: Buffer[] = [];
    const bytes = Buffer.from(stream);
    for (let i = 0; i < bytes.length; i += 5) out.push(...parser.push(bytes.subarray(i, i + 5)));
    out.push(...parser.end());
    expect(Buffer.concat(out).toString()).toBe('data: one\n\ndata: [DONE]\n\n');
  });

  it('framing: a dropped CRLF event leaves only an empty line behind', () => {
    const { parser } = collect({ frame: true, drop: (e) => e.data === 'b' });
    const out = [...parser.push(Buffer.from('data: a\r\n\r\ndata: b\r\n\r\ndata: c\r\n\r\n')), ...parser.end()];
    const seen: string[] = [];
    const check = new SseParser({ onEvent: (e) => (seen.push(e.data), true) });
    check.push(Buffer.concat(out));
    check.end();
    expect(seen).toEqual(['a', 'c']);
  });

  it('framing gives up on an event larger than the bound and passes everything through from there', () => {
    const { parser } = collect({ frame: true, maxBytes: 32, drop: () => true });
    const big = `data: ${'z'.repeat(100)}`;
    const out = [...parser.push(Buffer.from(big)), ...parser.push(Buffer.from('\n\ndata: after\n\n')), ...parser.end()];
    expect(parser.isFraming).toBe(false);
    expect(Buffer.concat(out).toString()).toBe(`${big}\n\ndata: after\n\n`);
  });
});

describe('carriesUsage (which stream events are parsed as they pass)', () => {
  it('a usage object is usage; OpenAI\'s "usage":null on every chunk is not, nor the word in text', async () => {
    const { carriesUsage } = await import('../../../electron/core/proxy/side-reader.ts');
    expect(carriesUsage('{"choices":[],"usage":{"prompt_tokens":3}}')).toBe(true);
    expect(carriesUsage('{"type":"response.completed","response":{"usage": {"input_tokens":1}}}')).toBe(true);
    expect(carriesUsage('{"choices":[{"delta":{"content":"x"}}],"usage":null}')).toBe(false);
    expect(carriesUsage('{"choices":[{"delta":{"content":"x"}}],"usage" : null, "x": {"usage":{"a":1}}}')).toBe(true);
    expect(carriesUsage('{"choices":[{"delta":{"content":"the \\"usage\\" field"}}]}')).toBe(false);
  });
});
