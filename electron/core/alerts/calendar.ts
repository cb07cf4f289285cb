// Calendar windows, quiet hours and snooze times in the user's zone. Built on the store's zone arithmetic so an
// alert's "today" is the same day the dashboard shows.
import type { QuietHours } from '../../../shared/alerts.ts';
import { bucketStart, nextBucketStart, offsetAt, wallToUtc } from '../store/tz.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export type CalendarWindow = 'hour' | 'day' | 'week' | 'month';

/** The local wall clock at t, as a UTC-based Date (read it with getUTC*). */
export function wall(zone: string, t: number): Date {
  return new Date(t + offsetAt(zone, t));
}

export function windowStart(zone: string, kind: CalendarWindow, t: number): number {
  return bucketStart(zone, kind, t);
}

export function windowEnd(zone: string, kind: CalendarWindow, start: number): number {
  return nextBucketStart(zone, kind, start);
}

/** The dedupe part of a window: "2025-03-04T13" (hour), "2025-03-04" (day), "week 2025-03-03", "2025-03". */
export function windowKey(zone: string, kind: CalendarWindow, t: number): string {
  const iso = wall(zone, windowStart(zone, kind, t)).toISOString();
  if (kind === 'hour') return iso.slice(0, 13);
  if (kind === 'day') return iso.slice(0, 10);
  if (kind === 'week') return `week ${iso.slice(0, 10)}`;
  return iso.slice(0, 7);
}

/** Start of the same local hour (or day) `weeks` weeks earlier; DST-safe because it goes through the wall clock. */
export function sameTimeWeeksBefore(zone: string, start: number, weeks: number): number {
  const w = wall(zone, start);
  return wallToUtc(zone, w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate() - 7 * weeks, w.getUTCHours());
}

/** Start of the next local day: "snooze until tomorrow". */
export function startOfTomorrow(zone: string, t: number): number {
  return nextBucketStart(zone, 'day', bucketStart(zone, 'day', t));
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether t falls in quiet hours. A window whose end is before its start runs across midnight. */
export function inQuietHours(q: QuietHours | null | undefined, t: number, fallbackZone: string): boolean {
  if (!q) return false;
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === end) return false;
  const w = wall(q.timeZone ?? fallbackZone, t);
  const m = w.getUTCHours() * 60 + w.getUTCMinutes();
  return start < end ? m >= start && m < end : m >= start || m < end;
}
