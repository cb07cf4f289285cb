// What the proxy benches share: questions to a child over IPC, and reading the timed fake's chunks back.
import type { ChildProcess } from 'node:child_process';

/** Sends {type} to a bench child and resolves with its first answer of that type. */
export function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string } & T) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send({ type });
  });
}

/**
 * Reads the timed fake's stream (llm-child.ts "timed": each chunk's content is its send time) as it arrives: `take`
 * gets each received piece and its arrival time (performance.now()) and pushes each chunk's lateness in ms to `lag`;
 * `seen` counts the chunks read.
 */
export function chunkClock(lag: number[]): { take(piece: Buffer, t: number): void; readonly seen: number } {
  let rest = '';
  let seen = 0;
  return {
    take(piece, t) {
      rest += piece.toString('utf8');
      const events = rest.split('\n\n');
      rest = events.pop() ?? '';
      for (const e of events) {
        const m = /"content":"(\d+(?:\.\d+)?)"/.exec(e);
        if (!m) continue;
        seen++;
        lag.push(performance.timeOrigin + t - Number(m[1]));
      }
    },
    get seen() {
      return seen;
    },
  };
}
