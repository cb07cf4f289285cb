// Snoozing and acknowledging alerts: what the user does to an alert, on its persisted state.
import { HOUR, startOfTomorrow } from './calendar.ts';
import type { AlertRepo } from './repo.ts';

export type SnoozeTarget = { eventId: number } | { ruleId: string; subject?: string };
export type SnoozeUntil = number | '1h' | 'tomorrow';

/** Whether the rule, or this subject of it, is muted now. */
export function isSnoozed(repo: AlertRepo, ruleId: string, subject: string, now: number): boolean {
  return [ruleId, `${ruleId}|${subject}`].some((t) => (repo.snoozeRow(t)?.until ?? 0) > now);
}

/** Mutes until a time; snoozing a fired alert also re-arms it so it reminds after. Returns the end time. */
export function snoozeAlert(repo: AlertRepo, target: SnoozeTarget, until: SnoozeUntil, now: number, zone: string): number {
  const end = until === '1h' ? now + HOUR : until === 'tomorrow' ? startOfTomorrow(zone, now) : until;
  if ('eventId' in target) {
    const e = repo.event(target.eventId);
    if (!e) throw new RangeError(`No alert ${target.eventId}.`);
    repo.snooze(`${e.ruleId}|${e.subject}`, end, e.dedupeKey);
    if (e.kind === 'fired') repo.setFired(e.dedupeKey, false);
    repo.markSnoozed(e.id, end);
  } else {
    repo.snooze(target.subject ? `${target.ruleId}|${target.subject}` : target.ruleId, end, null);
  }
  return end;
}

export function unsnoozeRule(repo: AlertRepo, target: { ruleId: string; subject?: string }): void {
  repo.unsnooze(target.subject ? `${target.ruleId}|${target.subject}` : target.ruleId);
}

/** Acknowledging cancels the reminder a snooze of this alert set up. */
export function acknowledgeAlert(repo: AlertRepo, eventId: number, now: number): boolean {
  const e = repo.event(eventId);
  if (!e) return false;
  const target = `${e.ruleId}|${e.subject}`;
  if (repo.snoozeRow(target)?.dedupeKey === e.dedupeKey) {
    repo.unsnooze(target);
    repo.setFired(e.dedupeKey, true);
  }
  return repo.acknowledge(eventId, now);
}
