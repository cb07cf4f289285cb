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
 * The trim `serve` and the app use: SQLite's unused cache pages. (A forced full GC here was measured too: it cost
 * ~130 ms of CPU per poll round of 20 accounts and left the process no smaller, so V8 keeps deciding that.)
 */
export function releaseIdleMemory(db: { exec(sql: string): void; isOpen?: boolean }): void {
  if (db.isOpen === false) return;
  db.exec('PRAGMA shrink_memory');
}
