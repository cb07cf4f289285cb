// Pure state updates for live events, kept apart from React so they are easy to test.
import type { AccountStatus, Snapshot } from '../../shared/domain.ts';

/** Folds a pushed snapshot into the statuses the views show, so cards change before the next status push. */
export function applySnapshot(statuses: readonly AccountStatus[], snapshot: Snapshot): AccountStatus[] {
  let found = false;
  const next = statuses.map((s) => {
    if (s.accountId !== snapshot.accountId) return s;
    found = true;
    return {
      ...s,
      latest: snapshot,
      lastSuccess: snapshot.ok ? snapshot : s.lastSuccess,
      stale: snapshot.ok ? false : s.stale,
      polling: false,
      consecutiveFailures: snapshot.ok ? 0 : s.consecutiveFailures + 1,
    };
  });
  if (!found) {
    next.push({
      accountId: snapshot.accountId,
      latest: snapshot,
      lastSuccess: snapshot.ok ? snapshot : null,
      stale: false,
      polling: false,
      paused: false,
      nextPollAt: null,
      consecutiveFailures: snapshot.ok ? 0 : 1,
    });
  }
  return next;
}

export { applyStatusDelta, preferNewer } from '../../shared/status-delta.ts';

export function isRefreshing(statuses: readonly AccountStatus[]): boolean {
  return statuses.some((s) => s.polling);
}

/**
 * Whether a status push carries figures the history views have not seen: an account's latest snapshot is another
 * one, or accounts came or went. Pushes that only move `polling` or `nextPollAt` (every poll start, every new event
 * stream) must not re-run the Usage queries.
 */
export function hasNewFigures(prev: readonly AccountStatus[], next: readonly AccountStatus[]): boolean {
  if (prev.length !== next.length) return true;
  const seen = new Map(prev.map((s) => [s.accountId, s]));
  return next.some((s) => {
    const old = seen.get(s.accountId);
    return !old || old.latest?.time !== s.latest?.time || old.lastSuccess?.time !== s.lastSuccess?.time;
  });
}
