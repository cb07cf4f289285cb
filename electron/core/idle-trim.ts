// Gives memory back once a burst of work is over. A poll round or a dashboard's queries fill SQLite's page cache
// (sized for fast queries while someone looks); between polls nothing needs it. Each piece of work
// re-arms one unref'd timer, so the trim runs once, a little after the last of a burst, and never on a tick: an idle
// process with nothing happening has no timer armed at all.
import { log } from './log.ts';

export interface IdleTrim {
  /** Work just happened: trim once it has been quiet for `quietMs`. */
  poke(): void;
  stop(): void;
}

export interface IdleTrimOptions {
  /** Frees what can be freed (PRAGMA shrink_memory). */
  trim: () => void;
  /** Quiet time before trimming (default 5 s). */
  quietMs?: number;
  setTimer?: (fn: () => void, ms: number) => { unref?: () => unknown };
  clearTimer?: (timer: unknown) => void;
}

export const IDLE_TRIM_QUIET_MS = 5_000;

export function idleTrim(opts: IdleTrimOptions): IdleTrim {
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
  const quietMs = opts.quietMs ?? IDLE_TRIM_QUIET_MS;
  let timer: unknown = null;
  let stopped = false;
  const run = () => {
    timer = null;
    try {
      opts.trim();
    } catch (err) {
      log.warn('spendbar: could not release idle memory:', err);
    }
  };
  return {
    poke() {
      if (stopped) return;
      if (timer !== null) clearTimer(timer);
      const t = setTimer(run, quietMs);
      t.unref?.();
      timer = t;
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
  };
}

/**
 * Heap growth since the last settled size that is worth a collection to give back. A 20-account poll round grows the
 * heap by 2–3 MiB (the young generation back to its 2 × 1 MB, and the round's garbage); collecting after it costs
 * ~50 ms of CPU and leaves the idle process 3.5 MiB smaller (year of data: 62.4 → 58.9 MB). At 4 MiB, as it was, only
 * the start-up burst was ever collected.
 */
export const HEAP_GROWTH_WORTH_COLLECTING = 1 * 2 ** 20;

type Collect = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * Gives V8's heap back after a burst that grew it, once the burst is over. A plain forced GC frees the garbage but
 * keeps its pages for reuse (measured: ~130 ms of CPU per 20-account poll round, no smaller), and with the memory
 * reducer off (bin/runtime.js) nothing else would ever return them: after the demo's start-up the process sat at
 * 277 MB, 157 MB after one memory-reducing collection. So it runs V8's memory-reducing ("last-resort") collection, and
 * only when the heap grew by `HEAP_GROWTH_WORTH_COLLECTING` since the last one: a burst that allocated nothing costs nothing.
 * Needs `gc` exposed (`spendbar serve` starts with --expose-gc); without it, nothing is collected.
 */
export function heapSettler(opts: { collect?: Collect | null; heapSize?: () => number } = {}): () => boolean {
  const collect = opts.collect === undefined ? ((globalThis as { gc?: Collect }).gc ?? null) : opts.collect;
  const heapSize = opts.heapSize ?? (() => process.memoryUsage().heapTotal);
  let settled = heapSize();
  return () => {
    if (!collect || heapSize() < settled + HEAP_GROWTH_WORTH_COLLECTING) return false;
    collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    settled = heapSize();
    return true;
  };
}

/** The trim `serve` and the app use: SQLite's unused cache pages, and V8's heap when a burst grew it. */
export function releaseIdleMemory(db: { exec(sql: string): void; isOpen?: boolean }, settleHeap: () => boolean = () => false): void {
  if (db.isOpen === false) return;
  db.exec('PRAGMA shrink_memory');
  settleHeap();
}
