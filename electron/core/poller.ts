// Schedules polls: each account on its own interval (refresh-policy decides when), due accounts through a
// bounded pool, never two polls of one account at once. While idle exactly one timer is armed, for the
// earliest due account; it is re-armed whenever the schedule changes. Nothing ticks.
import type { Account, PollError, Snapshot } from '../../shared/domain.ts';
import { toPollError } from './errors.ts';
import { log } from './log.ts';
import { failedSnapshot } from './poll-account.ts';
import { effectiveIntervalMs, isStale, nextPollDelay, retryAfterWait, startDelay } from './refresh-policy.ts';

export interface PollerAccountState {
  accountId: string;
  /** Queued or running. */
  polling: boolean;
  paused: boolean;
  /** null while polling, paused, or before start(). */
  nextPollAt: number | null;
  lastSuccessAt: number | null;
  consecutiveFailures: number;
  stale: boolean;
  lastError: PollError | null;
}

/** The global timer functions fit; tests pass vi's fake timers the same way. */
export interface PollerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PollerOptions {
  /** Should never reject; a rejection is recorded as a failed poll. */
  pollOne: (account: Account) => Promise<Snapshot>;
  /** Polls running at once across all accounts (default 4). */
  concurrency?: number;
  clock?: PollerClock;
  random?: () => number;
  onSnapshot?: (snapshot: Snapshot) => void;
  /**
   * The states that changed: one account when its poll starts or ends, all of them (`all`) when the schedule as a
   * whole changed (start, stop, pause, accounts added or removed). Work per poll stays constant however many
   * accounts there are.
   */
  onStatus?: (states: PollerAccountState[], all: boolean) => void;
  /**
   * A poll running longer than this stops counting against `concurrency` (up to `maxSlow` of them at once), so a few
   * hung providers cannot hold every slot while healthy accounts wait. Unset: polls hold their slot to the end.
   */
  slowAfterMs?: number;
  /** At most this many slow polls run beyond the pool (default 16). */
  maxSlow?: number;
  /** The store's last successful poll, so staleness survives restarts. */
  lastSuccessAt?: (accountId: string) => number | null;
  /** Let the process exit while only the poll timer is pending (CLI one-shots; not `serve`). */
  unrefTimers?: boolean;
}

interface Entry {
  account: Account;
  intervalMs: number;
  /** When polling of this account began: the staleness clock when it never succeeded. */
  since: number;
  nextPollAt: number | null;
  /** The queued or running poll; joined by refresh(). Resolves null when the result was dropped. */
  current: Promise<Snapshot | null> | null;
  settle: ((s: Snapshot | null) => void) | null;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  consecutiveFailures: number;
  lastError: PollError | null;
  /** A Retry-After still running: not even a refresh polls before it. */
  retryNotBefore: number | null;
}

// setTimeout overflows past 2^31−1 ms and fires at once; longer waits re-arm when this one fires.
const MAX_TIMER_MS = 2_147_483_647;

const systemClock: PollerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Poller {
  private readonly opts: PollerOptions;
  private readonly clock: PollerClock;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly entries = new Map<string, Entry>();
  private queue: Entry[] = [];
  /** Ids of removed accounts whose poll is still running: a re-added account with that id waits for it. */
  private readonly draining = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private active = 0;
  /** Polls that ran past slowAfterMs and gave their slot back. */
  private slow = 0;
  private timer: unknown = null;
  /** When the armed timer fires. */
  private timerAt = Infinity;
  private started = false;
  private stopped = false;
  private paused = false;

  constructor(opts: PollerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    const c = opts.concurrency;
    this.concurrency = c !== undefined && Number.isFinite(c) ? Math.max(1, Math.floor(c)) : 4;
  }

  /** Adds, updates and removes accounts. A removed account's in-flight result is dropped, not reported. */
  setAccounts(accounts: Account[]): void {
    const now = this.clock.now();
    const seen = new Set<string>();
    for (const account of accounts) {
      if (seen.has(account.id)) continue;
      seen.add(account.id);
      const entry = this.entries.get(account.id);
      if (entry) this.update(entry, account, now);
      else this.entries.set(account.id, this.newEntry(account, now));
    }
    for (const [id, entry] of this.entries) if (!seen.has(id)) this.remove(entry);
    this.pump();
    this.arm();
    this.emitStatus();
  }

  /** One account's state (null when unknown): what a status push for that account needs, without the others. */
  state(accountId: string): PollerAccountState | null {
    const e = this.entries.get(accountId);
    return e ? this.stateOf(e, this.clock.now()) : null;
  }

  /** Polls every account soon (spread over a few seconds), then each on its own interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    const now = this.clock.now();
    for (const e of this.entries.values()) if (!e.current) e.nextPollAt = now + startDelay(this.random);
    this.arm();
    this.emitStatus();
  }

  /** Cancels the timer and queued polls, then waits for the running ones (their results are still reported). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    this.arm();
    const dropped = this.queue;
    this.queue = [];
    for (const e of dropped) this.settle(e, null);
    this.emitStatus();
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** No scheduled polls while paused; polls already running finish, and refresh() still polls on demand. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.arm();
    this.emitStatus();
  }

  /** Accounts that fell due while paused are polled soon, spread out like at start. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const now = this.clock.now();
    for (const e of this.entries.values()) {
      if (!e.current && e.nextPollAt !== null && e.nextPollAt <= now) e.nextPollAt = now + startDelay(this.random);
    }
    this.arm();
    this.emitStatus();
  }

  /**
   * Polls one account (or all) now, ahead of scheduled polls in the queue. An account already being polled
   * is joined, not polled twice. Unknown ids, dropped results and calls after stop() yield no snapshot.
   */
  async refresh(accountId?: string): Promise<Snapshot[]> {
    if (this.stopped) return [];
    const now = this.clock.now();
    const targets = (accountId === undefined ? [...this.entries.values()] : [this.entries.get(accountId)]).filter(
      // A provider that asked to be left alone (Retry-After) is, whoever clicks "Refresh".
      (e): e is Entry => e !== undefined && (e.current !== null || e.retryNotBefore === null || e.retryNotBefore <= now),
    );
    // Only accounts this call queued change state; those already polling are joined as they are.
    const queued = targets.filter((e) => e.current === null);
    const waits = this.enqueue(targets, true);
    this.pump();
    this.arm();
    this.emitStatus(queued);
    const results = await Promise.all(waits);
    return results.filter((s) => s !== null);
  }

  states(): PollerAccountState[] {
    const now = this.clock.now();
    return [...this.entries.values()].map((e) => this.stateOf(e, now));
  }

  private stateOf(e: Entry, now: number): PollerAccountState {
    const scheduled = this.started && !this.paused;
    return {
      accountId: e.account.id,
      polling: e.current !== null,
      paused: this.paused,
      nextPollAt: scheduled && !e.current ? e.nextPollAt : null,
      lastSuccessAt: e.lastSuccessAt,
      consecutiveFailures: e.consecutiveFailures,
      stale: isStale(e.lastSuccessAt, e.intervalMs, now, e.since),
      lastError: e.lastError,
    };
  }

  private newEntry(account: Account, now: number): Entry {
    return {
      account,
      intervalMs: effectiveIntervalMs(account.pollIntervalSec),
      since: now,
      nextPollAt: this.started ? now + startDelay(this.random) : null,
      current: null,
      settle: null,
      lastAttemptAt: null,
      lastSuccessAt: this.opts.lastSuccessAt?.(account.id) ?? null,
      consecutiveFailures: 0,
      lastError: null,
      retryNotBefore: null,
    };
  }

  private update(entry: Entry, account: Account, now: number): void {
    const changed = settingsKey(entry.account) !== settingsKey(account);
    entry.account = account;
    entry.intervalMs = effectiveIntervalMs(account.pollIntervalSec);
    if (!changed || entry.current || !this.started) return;
    // A failing account whose settings changed was probably just fixed: try it soon instead of after backoff.
    if (entry.consecutiveFailures > 0) entry.nextPollAt = now + startDelay(this.random);
    else if (entry.lastAttemptAt !== null) entry.nextPollAt = Math.max(now, entry.lastAttemptAt + entry.intervalMs);
  }

  private remove(entry: Entry): void {
    const id = entry.account.id;
    this.entries.delete(id);
    const queued = this.queue.indexOf(entry);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(entry, null);
    } else if (entry.current) {
      this.draining.add(id);
    }
  }

  /** Queues polls (urgent ones at the front, in order) and returns what each caller waits on. */
  private enqueue(targets: Entry[], urgent: boolean): Promise<Snapshot | null>[] {
    let front = 0;
    return targets.map((e) => {
      if (e.current) return e.current;
      e.nextPollAt = null;
      e.current = new Promise<Snapshot | null>((resolve) => (e.settle = resolve));
      if (urgent) this.queue.splice(front++, 0, e);
      else this.queue.push(e);
      return e.current;
    });
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const i = this.queue.findIndex((e) => !this.draining.has(e.account.id));
      if (i < 0) return;
      const [entry] = this.queue.splice(i, 1);
      if (entry) this.run(entry);
    }
  }

  private run(entry: Entry): void {
    this.active++;
    const account = entry.account;
    let holdsSlot = true;
    let slow = false;
    const slowAfter = this.opts.slowAfterMs;
    const slowTimer =
      slowAfter === undefined
        ? null
        : this.clock.setTimeout(() => {
            if (!holdsSlot || this.slow >= (this.opts.maxSlow ?? 16)) return;
            // Still waiting on its provider: give the slot to the next account.
            holdsSlot = false;
            slow = true;
            this.active--;
            this.slow++;
            this.pump();
          }, slowAfter);
    if (slowTimer !== null && this.opts.unrefTimers) (slowTimer as { unref?: () => void }).unref?.();
    const job = (async () => {
      let snapshot: Snapshot;
      try {
        snapshot = await this.opts.pollOne(account);
      } catch (err) {
        // pollOne never rejects by contract, so this is Spendbar's own fault, not the provider's.
        const e = toPollError(err);
        snapshot = failedSnapshot(account, { ...e, message: `Spendbar failed while handling this poll (${e.message}); the provider may be fine.` }, this.clock.now());
      }
      if (slowTimer !== null) this.clock.clearTimeout(slowTimer);
      if (holdsSlot) this.active--;
      if (slow) this.slow--;
      this.finish(entry, snapshot);
    })();
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
  }

  private finish(entry: Entry, snapshot: Snapshot): void {
    const id = entry.account.id;
    if (this.entries.get(id) !== entry) {
      this.draining.delete(id);
      this.settle(entry, null);
      this.pump();
      return;
    }
    const now = this.clock.now();
    entry.lastAttemptAt = now;
    if (snapshot.ok) {
      entry.lastSuccessAt = snapshot.time;
      entry.consecutiveFailures = 0;
      entry.lastError = null;
    } else {
      entry.consecutiveFailures++;
      entry.lastError = snapshot.error ?? { kind: 'bad-response', message: 'The poll failed without saying why.' };
    }
    entry.nextPollAt =
      now + nextPollDelay({ intervalMs: entry.intervalMs, consecutiveFailures: entry.consecutiveFailures, error: entry.lastError, random: this.random });
    const asked = snapshot.ok ? undefined : snapshot.error?.retryAfterMs;
    entry.retryNotBefore = asked !== undefined && asked > 0 ? now + retryAfterWait(asked) : null;
    guarded('onSnapshot', () => this.opts.onSnapshot?.(snapshot));
    this.settle(entry, snapshot);
    this.pump();
    // Only this entry's time changed: the armed timer still holds unless it is now the earliest.
    if (this.timer === null || entry.nextPollAt < this.timerAt) this.arm();
    this.emitStatus([entry]);
  }

  private settle(entry: Entry, snapshot: Snapshot | null): void {
    const settle = entry.settle;
    entry.current = null;
    entry.settle = null;
    settle?.(snapshot);
  }

  /** Clears the timer and, when polls are scheduled, sets one for the earliest due account. */
  private arm(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.started || this.paused) return;
    let due = Infinity;
    for (const e of this.entries.values()) if (!e.current && e.nextPollAt !== null && e.nextPollAt < due) due = e.nextPollAt;
    if (due === Infinity) return;
    const delay = Math.min(Math.max(0, due - this.clock.now()), MAX_TIMER_MS);
    this.timerAt = this.clock.now() + delay;
    this.timer = this.clock.setTimeout(() => this.onTimer(), delay);
    if (this.opts.unrefTimers) (this.timer as { unref?: () => void }).unref?.();
  }

  private onTimer(): void {
    this.timer = null;
    const now = this.clock.now();
    const due = [...this.entries.values()]
      .filter((e) => !e.current && e.nextPollAt !== null && e.nextPollAt <= now)
      .sort((a, b) => (a.nextPollAt ?? 0) - (b.nextPollAt ?? 0));
    this.enqueue(due, false);
    this.pump();
    this.arm();
    if (due.length > 0) this.emitStatus(due);
  }

  /** Tells the listener what changed: these entries, or every account when none are named. */
  private emitStatus(changed?: Entry[]): void {
    const listener = this.opts.onStatus;
    if (!listener || (changed && changed.length === 0)) return;
    const now = this.clock.now();
    guarded('onStatus', () => listener(changed ? changed.map((e) => this.stateOf(e, now)) : this.states(), changed === undefined));
  }
}

/** What decides how an account is polled: everything but its label. */
function settingsKey(account: Account): string {
  return JSON.stringify({ ...account, label: undefined });
}

/** A listener that throws must not wedge the schedule; its error is still visible in the log. */
function guarded(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.error(`spendbar: poller ${what} listener failed:`, err);
  }
}
