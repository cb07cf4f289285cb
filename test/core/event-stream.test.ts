// The event stream's memory bound, with real Node writables that stop draining the way a stalled socket does.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { EventStream } from '../../electron/core/server/event-stream.ts';

/** A writable that accepts writes into its buffer and never flushes them: a client that stopped reading. */
function stalled(): Writable {
  return new Writable({ highWaterMark: 1024, write: () => undefined });
}

/** A client that reads everything at once. */
function reader(): Writable & { got: string[] } {
  const got: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk.toString());
      cb();
    },
  }) as Writable & { got: string[] };
  w.got = got;
  return w;
}

const event = (n: number) => `data: ${JSON.stringify({ type: 'snapshot', n, pad: 'x'.repeat(2000) })}\n\n`;

describe('EventStream', () => {
  it('drops a client that stops reading once its queue passes the limit, and keeps serving the others', () => {
    const stream = new EventStream({ maxBufferedBytes: 16 * 1024 });
    const slow = stalled();
    const fast = reader();
    stream.add(slow);
    stream.add(fast);
    let peak = 0;
    for (let i = 0; i < 200; i++) {
      stream.broadcast(event(i));
      peak = Math.max(peak, slow.writableLength);
    }
    expect(slow.destroyed).toBe(true);
    expect(stream.size).toBe(1);
    expect(stream.dropped).toBe(1);
    // Never more than the limit plus one event queued for it.
    expect(peak).toBeLessThanOrEqual(16 * 1024 + event(0).length);
    expect(fast.got).toHaveLength(200);
    stream.close();
  });

  it('drops a client that has not drained for longer than the stall timeout, even under the byte limit', () => {
    let now = 0;
    const stream = new EventStream({ maxBufferedBytes: 1024 * 1024, stallTimeoutMs: 30_000 }, () => now);
    const slow = stalled();
    stream.add(slow);
    stream.broadcast(event(1));
    stream.broadcast(event(2));
    now = 29_000;
    stream.sweep();
    expect(slow.destroyed).toBe(false);
    now = 31_000;
    stream.sweep();
    expect(slow.destroyed).toBe(true);
    expect(stream.size).toBe(0);
  });

  it('forgets a stall once the client drains again', async () => {
    let now = 0;
    let release: (() => void) | null = null;
    const sink = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, cb) {
        release = cb;
      },
    });
    const stream = new EventStream({ stallTimeoutMs: 1_000 }, () => now);
    stream.add(sink);
    stream.broadcast(event(1));
    (release as unknown as () => void)();
    await new Promise((r) => setImmediate(r));
    now = 5_000;
    stream.sweep();
    expect(sink.destroyed).toBe(false);
    stream.close();
  });

  it('refuses clients past the maximum', () => {
    const stream = new EventStream({ maxClients: 2 });
    expect(stream.add(reader())).toBe(true);
    expect(stream.add(reader())).toBe(true);
    expect(stream.add(reader())).toBe(false);
    stream.close();
  });
});
