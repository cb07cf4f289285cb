// Fire once per breach: the pure transition from a check's previous state to its next, with hysteresis and top-up.
import type { Check } from './check.ts';

export interface CheckState {
  fired: boolean;
  /** The last balance seen for this check, to detect a top-up. */
  signal: number | null;
}

export type Transition = 'fire' | 'recover' | 'rearm' | null;

/**
 * A fired check re-arms only once its value has recovered past the margin, or when the balance jumped up (a top-up;
 * small upward jitter such as a refund of cents does not count).
 * An armed check fires when breached. Both can happen in one step: a top-up that still leaves the balance low is a
 * new breach. `muted` (snoozed) keeps an armed check armed so it fires once the snooze ends.
 */
export function step(prev: CheckState | undefined, check: Check, muted = false): { next: CheckState; transition: Transition } {
  let fired = prev?.fired ?? false;
  let transition: Transition = null;
  const topUp = check.signal !== undefined && prev?.signal != null && check.signal - prev.signal >= Math.max(1, check.topUp ?? 1);
  if (fired && (check.recovered || topUp)) {
    fired = false;
    transition = check.recovery && check.recovered ? 'recover' : 'rearm';
  }
  if (!fired && check.breached && !muted) {
    fired = true;
    transition = 'fire';
  }
  return { next: { fired, signal: check.signal ?? null }, transition };
}
