// One rule for folding a status delta (the accounts whose status changed) into the statuses a UI holds, shared by the
// dashboard's live state and the tray.
import type { AccountStatus } from './domain.ts';

/** The changed accounts replace theirs; the others keep their objects (no re-render); new ones are appended. */
export function applyStatusDelta(statuses: readonly AccountStatus[], changed: readonly AccountStatus[]): AccountStatus[] {
  const byId = new Map(changed.map((s) => [s.accountId, s]));
  const next = statuses.map((s) => {
    const c = byId.get(s.accountId);
    if (!c) return s;
    byId.delete(s.accountId);
    return c;
  });
  return [...next, ...byId.values()];
}

/**
 * A full status list that was answered to a request (a refresh) may be older than the deltas already received over the
 * event stream: an account that finished polling in between would show as polling forever. Each account keeps
 * whichever status holds the newer snapshot; the list (which accounts, in what order) is the answer's.
 */
export function preferNewer(current: readonly AccountStatus[], answered: readonly AccountStatus[]): AccountStatus[] {
  const now = new Map(current.map((s) => [s.accountId, s]));
  return answered.map((s) => {
    const held = now.get(s.accountId);
    return held && (held.latest?.time ?? -1) > (s.latest?.time ?? -1) ? held : s;
  });
}
