// When to poll next: pure functions of the interval, the failure streak and the last error, so the
// cadence can be tested without timers. The poller only applies what these return.
import { DEFAULT_POLL_INTERVAL_SEC, MIN_POLL_INTERVAL_SEC, type ErrorKind, type PollError } from '../../shared/domain.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Successful polls land within ±10% of the interval so accounts added together drift apart. */
export const JITTER_FRACTION = 0.1;
/** First retry after a transient failure; doubles per consecutive failure. */
export const FIRST_RETRY_MS = MINUTE_MS;
/**
 * Backoff never grows past an hour (or the account's own interval when that is longer): a provider that is
 * down for an afternoon is still checked hourly, and an account polled daily is never polled less often.
 */
export const MAX_BACKOFF_MS = HOUR_MS;
/** A Retry-After further out than this is treated as a mistake (or an HTTP date from a wrong clock). */
export const MAX_RETRY_AFTER_MS = 24 * HOUR_MS;
/** On start every account is polled within this window, not all in the same instant. */
export const START_STAGGER_MS = 5_000;
/** Figures are stale once this many intervals passed without a successful poll. */
export const STALE_AFTER_INTERVALS = 3;

/** Worth retrying soon: the provider or the network may recover on its own. */
export const TRANSIENT_KINDS: readonly ErrorKind[] = ['rate-limited', 'server', 'timeout', 'network', 'bad-response'];

export function isTransient(kind: ErrorKind): boolean {
  return TRANSIENT_KINDS.includes(kind);
}

/** The account's interval in ms: the default when unset or nonsense, never below the floor. */
export function effectiveIntervalMs(pollIntervalSec: number | null | undefined): number {
  const sec = typeof pollIntervalSec === 'number' && Number.isFinite(pollIntervalSec) && pollIntervalSec > 0 ? pollIntervalSec : DEFAULT_POLL_INTERVAL_SEC;
  return Math.round(Math.max(sec, MIN_POLL_INTERVAL_SEC) * 1000);
}

export interface NextPollInput {
  intervalMs: number;
  /** Failures in a row including the poll just finished; 0 after a success. */
  consecutiveFailures: number;
  /** The last poll's error; its kind picks the retry curve. */
  error?: PollError | null;
  /** In [0, 1), like Math.random. */
  random: () => number;
}

/**
 * Milliseconds until the next poll.
 * - Success: the interval ± 10%.
 * - Transient failure (rate-limited, server, timeout, network, bad-response): 60 s × 2^(n−1), capped at
 *   max(interval, 1 h); never sooner than the provider's Retry-After.
 * - Permanent failure (auth, forbidden, config, not-found, provider): the user has to act, so no fast retry:
 *   interval × 2^(n−1), capped at max(interval, 1 h).
 * Failure delays get only upward jitter (0…+10%) so they never come sooner than the curve promises.
 */
export function nextPollDelay(input: NextPollInput): number {
  const { intervalMs, random } = input;
  const jitter = clamp01(random());
  const failures = Math.max(0, Math.floor(input.consecutiveFailures));
  if (failures === 0) {
    return Math.round(intervalMs * (1 + (jitter * 2 - 1) * JITTER_FRACTION));
  }
  const cap = Math.max(intervalMs, MAX_BACKOFF_MS);
  // An unknown failure (no error recorded) is treated as transient: retrying is the cheaper mistake.
  const transient = input.error ? isTransient(input.error.kind) : true;
  const base = transient ? FIRST_RETRY_MS : intervalMs;
  // 2^30 is far past any cap; clamping the exponent keeps the arithmetic finite.
  const backoff = Math.min(base * 2 ** Math.min(failures - 1, 30), cap);
  const delay = Math.round(backoff * (1 + jitter * JITTER_FRACTION));
  const retryAfter = input.error?.retryAfterMs;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter > 0) {
    return Math.max(delay, retryAfterWait(retryAfter));
  }
  return delay;
}

/** How long Spendbar honours a Retry-After: as asked, up to a day. The one home of that cap (messages use it too). */
export function retryAfterWait(retryAfterMs: number): number {
  if (!Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return 0;
  return Math.min(Math.ceil(retryAfterMs), MAX_RETRY_AFTER_MS);
}

/** "30 s", "15 min", "24 h": a wait in the unit a person would use. */
export function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.round(min / 60)} h`;
}

/** Delay of an account's first poll after start (or after being added): soon, but spread out. */
export function startDelay(random: () => number): number {
  return Math.round(clamp01(random()) * START_STAGGER_MS);
}

/**
 * Whether the figures are too old to trust: the last success is more than 3 intervals ago. With no success
 * ever, the clock starts at `since` (when the account was added, or when polling started).
 */
export function isStale(lastSuccessAt: number | null, intervalMs: number, now: number, since: number): boolean {
  const from = lastSuccessAt ?? since;
  return now - from > STALE_AFTER_INTERVALS * intervalMs;
}

function clamp01(n: number): number {
  if (!Number.isFinite(n) || n < 0) return 0;
  return n >= 1 ? 1 - Number.EPSILON : n;
}
