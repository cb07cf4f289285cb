// Readings of one account's latest figures that the tray needs: runway, quota use, and how worried to be.
// Pure: the same snapshot always gives the same answer.
import type { AccountStatus, Snapshot } from '../../shared/domain.ts';
import { formatDays } from '../../shared/figures.ts';

/** Runway below this many days turns the tray icon to warning; below RUNWAY_ALERT_DAYS, to alert. */
export const RUNWAY_WARNING_DAYS = 7;
export const RUNWAY_ALERT_DAYS = 1;
/** Share of a quota or key cap used that turns the icon to warning, then alert. */
export const QUOTA_WARNING = 0.8;
export const QUOTA_ALERT = 0.95;

export type Concern = 'ok' | 'warning' | 'alert';

/** The figures to show: the latest successful snapshot, so a failing provider still shows its last numbers. */
export function figuresOf(status: AccountStatus): Snapshot | null {
  return status.lastSuccess ?? (status.latest?.ok ? status.latest : null);
}

export function isFailing(status: AccountStatus): boolean {
  return status.latest !== null && !status.latest.ok;
}

/**
 * Days the main balance lasts, as the core served it with the status (electron/core/figures/runway.ts: the last
 * 7 days of balance drops, top-ups excluded): the same figure the dashboard and the runway alert show.
 */
export function runwayDays(status: AccountStatus | null | undefined): number | null {
  return status?.runway?.days ?? null;
}

/** Fraction of the quota or key cap used (0..1+), or null when the quota is unlimited or unknown. */
export function quotaUsed(snapshot: Snapshot | null): number | null {
  const quota = snapshot?.quota;
  if (!quota || !quota.limit || quota.limit.micros <= 0) return null;
  if (quota.used.currency !== quota.limit.currency) return null;
  return quota.used.micros / quota.limit.micros;
}

/** How worried the figures themselves make us (failing and stale are judged separately). */
export function concernOf(status: AccountStatus): Concern {
  const snapshot = figuresOf(status);
  if (!snapshot) return 'ok';
  if (snapshot.available === false) return 'alert';
  if (snapshot.balance && snapshot.balance.micros <= 0) return 'alert';
  const runway = runwayDays(status);
  const used = quotaUsed(snapshot);
  if ((runway !== null && runway < RUNWAY_ALERT_DAYS) || (used !== null && used >= QUOTA_ALERT)) return 'alert';
  if ((runway !== null && runway < RUNWAY_WARNING_DAYS) || (used !== null && used >= QUOTA_WARNING)) return 'warning';
  return 'ok';
}

/** "6.2 days", "12 days", "over a year": the shared wording. */
export const formatRunway = formatDays;
