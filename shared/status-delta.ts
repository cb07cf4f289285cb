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
