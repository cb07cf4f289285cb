import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAdmission } from '../../../electron/core/proxy/admission.ts';
import { call, dataLines, startHarness } from './harness.ts';

/** A hand-cranked event loop: `turn()` runs what was scheduled for the next turn. */
function manualTurns() {
  let pending: (() => void)[] = [];
  return {
    nextTurn: (fn: () => void) => void pending.push(fn),
    async turn() {
      const run = pending;
      pending = [];
      for (const fn of run) fn();
      await Promise.resolve();
    },
    get scheduled() {
      return pending.length;
    },
  };
}

describe('admission of new proxied requests', () => {
  it('starts up to perTurn at once, queues the rest in arrival order, and releases perTurn per later turn', async () => {
    const loop = manualTurns();
    const gate = createAdmission(2, loop.nextTurn);
    const started: number[] = [];
    for (let i = 0; i < 5; i++) {
      const wait = gate.enter();
      if (wait === null) started.push(i);
      else void wait.then(() => started.push(i));
    }
    expect(started).toEqual([0, 1]);
    expect(gate.waiting).toBe(3);
    await loop.turn();
    expect(started).toEqual([0, 1, 2, 3]);
    await loop.turn();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(gate.waiting).toBe(0);
  });

  it('counts the starts a turn released against that turn, and starts at once again after a quiet turn', async () => {
    const loop = manualTurns();
    const gate = createAdmission(1, loop.nextTurn);
    expect(gate.enter()).toBeNull();
    const second = gate.enter();
    expect(second).not.toBeNull();
    await loop.turn(); // releases the second
    // Still in the turn that released one: a newcomer waits.
    const third = gate.enter();
    expect(third).not.toBeNull();
    await loop.turn();
    expect(gate.waiting).toBe(0);
    await loop.turn(); // a turn with nothing released resets the count and arms nothing more
    expect(loop.scheduled).toBe(0);
    expect(gate.enter()).toBeNull();
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => createAdmission(0)).toThrow(RangeError);
    expect(() => createAdmission(1.5)).toThrow(RangeError);
  });

  it('lets Node read sockets between two turns of starts (what keeps running streams flowing in a burst)', async () => {
    // Each start makes a peer send a byte: with one start per turn, the byte a start caused is read before the start
    // after next runs (the next one may share the turn it was sent in); with no limit, every start comes first.
    const order = async (perTurn: number) => {
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const accepted = new Promise<Socket>((r) => server.once('connection', r));
      const peer = connect((server.address() as { port: number }).port, '127.0.0.1');
      await new Promise<void>((r) => peer.once('connect', () => r()));
      const side = await accepted;
      const events: string[] = [];
      side.on('data', (b: Buffer) => {
        for (const c of b.toString()) events.push(`read ${c}`);
      });
      const gate = createAdmission(perTurn);
      const start = (i: number) => {
        events.push(`start ${i}`);
        peer.write(String(i));
      };
      const all: Promise<void>[] = [];
      for (let i = 0; i < 6; i++) {
        const wait = gate.enter();
        if (wait === null) start(i);
        else all.push(wait.then(() => start(i)));
      }
      await Promise.all(all);
      await new Promise((r) => setTimeout(r, 20));
      peer.destroy();
      side.destroy();
      await new Promise((r) => server.close(r));
      return events;
    };
    const paced = await order(1);
    for (let i = 0; i < 4; i++) expect(paced.indexOf(`read ${i}`)).toBeLessThan(paced.indexOf(`start ${i + 2}`));
    const unpaced = await order(100);
    expect(unpaced.slice(0, 6)).toEqual(['start 0', 'start 1', 'start 2', 'start 3', 'start 4', 'start 5']);
  });

  it('answers and records every request of a burst through the real proxy, streams and plain ones', async () => {
    const h = await startHarness();
    try {
      const n = 60;
      const answers = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          call(h, '/oa/v1/chat/completions', { model: 'gpt-4o', stream: i % 2 === 0, messages: [{ role: 'user', content: `burst ${i}` }] }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(n).fill(200));
      for (const [i, a] of answers.entries()) if (i % 2 === 0) expect(dataLines(a.text).at(-1)).toBe('[DONE]');
      await h.settle();
      const rows = h.core.meter.requests({ limit: 200 }).rows;
      expect(rows).toHaveLength(n);
      expect(rows.every((r) => r.status === 200 && r.inputTokens > 0 && r.outputTokens > 0)).toBe(true);
      expect(rows.filter((r) => r.stream)).toHaveLength(n / 2);
    } finally {
      await h.close();
    }
  });
});
