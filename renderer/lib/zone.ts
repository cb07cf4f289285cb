// Calendar arithmetic in the app's time zone (AppInfo.timeZone), which may differ from the browser's: the dashboard
// cuts its periods on the same midnights the core cuts its buckets on.
const HOUR = 3_600_000;
export const DAY_MS = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

// The page's first DateTimeFormat loads the browser's calendar and zone data (tens of ms); whatever zone it is for,
// later ones are cheap. Pay that in the task right after start-up, while the first API answers are on their way
// (the requests are already out), not when the view first cuts its periods on their arrival.
if (typeof window !== 'undefined') setTimeout(() => format('UTC').formatToParts(0), 0);
function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, f);
  }
  return f;
}

/** The wall clock at t in the zone. */
export function wallClock(t: number, zone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of format(zone).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour! % 24, min: parts.minute!, s: parts.second! };
}

/** The zone's offset from UTC at t, in ms. */
function offsetAt(t: number, zone: string): number {
  const w = wallClock(t, zone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(t / 1000) * 1000;
}

/** The instant of a wall-clock date's midnight in the zone (the earlier one when a DST change repeats it). */
export function midnight(y: number, m: number, d: number, zone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetAt(guess, zone);
  t = guess - offsetAt(t, zone);
  return t;
}

/** Start of the zone's day containing t. */
export function startOfDay(t: number, zone: string): number {
  const w = wallClock(t, zone);
  return midnight(w.y, w.m, w.d, zone);
}

/** Start of the day `n` days after (or before) the zone's day containing t. */
export function addDays(t: number, n: number, zone: string): number {
  const w = wallClock(t + 12 * HOUR - (t - startOfDay(t, zone)), zone);
  const date = new Date(Date.UTC(w.y, w.m - 1, w.d + n));
  return midnight(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), zone);
}

// Building a DateTimeFormat costs far more than formatting with one: a year of columns would build hundreds.
const labelFormats = new Map<string, Intl.DateTimeFormat>();
function labelFormat(bucket: string, zone: string): Intl.DateTimeFormat {
  const kind = bucket === 'hour' || bucket === 'month' ? bucket : 'day';
  let f = labelFormats.get(`${kind}\u0000${zone}`);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === 'hour'
        ? { timeZone: zone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : kind === 'month'
          ? { timeZone: zone, month: 'short', year: 'numeric' }
          : { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short' };
    f = new Intl.DateTimeFormat('en-GB', opts);
    labelFormats.set(`${kind}\u0000${zone}`, f);
  }
  return f;
}

/** "Mon 24 Nov", "24 Nov 14:00", in the zone. */
export function columnLabel(t: number, bucket: string, zone: string): string {
  const text = labelFormat(bucket, zone).format(new Date(t));
  return bucket === 'week' ? `week of ${text}` : text;
}
