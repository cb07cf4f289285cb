// The Usage filter: what the user picked, and the time range it means right now. Periods are whole calendar days of
// the app's zone, so "last 7 days" is exactly seven day columns: today and the six before it.
import { addDays, DAY_MS, midnight } from './zone.ts';

export type PeriodDays = 1 | 3 | 7 | 30;
export const PERIOD_DAYS: PeriodDays[] = [1, 3, 7, 30];

export interface UsageFilter {
  accountId: string;
  key: string;
  model: string;
  /** ALL or one value each. Days back from now, or 'custom' for [customFrom, customTo] (local dates "YYYY-MM-DD", both inclusive). */
  period: PeriodDays | 'custom';
  customFrom: string;
  customTo: string;
}

/** "All" for account, key and model; not '' because "" is a real key (the provider did not say which). */
export const ALL = '__all__';

export const DEFAULT_FILTER: UsageFilter = {
  accountId: ALL,
  key: ALL,
  model: ALL,
  period: 7,
  customFrom: '',
  customTo: '',
};

export interface TimeRange {
  from: number;
  to: number;
}

function parseDate(text: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const check = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(check.getTime()) || check.getUTCDate() !== Number(m[3])) return null;
  return midnight(Number(m[1]), Number(m[2]), Number(m[3]), zone);
}

/** "Today", "Last 7 days". */
export function periodLabel(days: PeriodDays): string {
  return days === 1 ? 'Today' : `Last ${days} days`;
}

/**
 * Resolves a filter to epoch ms at `now` in the zone: N days is today and the N − 1 days before it, from their
 * midnight to now. Throws with a message the form can show when a custom range is wrong.
 */
export function resolveRange(filter: UsageFilter, now = Date.now(), zone = 'UTC'): TimeRange {
  if (filter.period !== 'custom') return { from: addDays(now, -(filter.period - 1), zone), to: now };
  const from = parseDate(filter.customFrom, zone);
  const toDay = parseDate(filter.customTo, zone);
  if (from === null || toDay === null) throw new Error('Pick both a start and an end date for the custom range.');
  // The end date is inclusive: the range runs to the start of the next day.
  const to = addDays(toDay, 1, zone);
  if (to <= from) throw new Error('The custom range ends before it starts.');
  return { from, to };
}

/** The bucket that keeps a chart readable for the range: hours for a day, days beyond. */
export function defaultBucket(range: TimeRange): 'hour' | 'day' {
  return range.to - range.from <= 2 * DAY_MS + 3_600_000 ? 'hour' : 'day';
}

export function filterArrays(filter: UsageFilter): { accountIds?: string[]; models?: string[]; keys?: string[] } {
  const out: { accountIds?: string[]; models?: string[]; keys?: string[] } = {};
  if (filter.accountId !== ALL) out.accountIds = [filter.accountId];
  if (filter.model !== ALL) out.models = [filter.model];
  if (filter.key !== ALL) out.keys = [filter.key];
  return out;
}
