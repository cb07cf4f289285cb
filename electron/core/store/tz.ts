// Calendar arithmetic in an IANA zone, without a date library: bucket starts for hour/day/week/month.
// Pure functions; the store uses them to cut series into buckets and to key its daily roll-up.
import { isUtcZone, type SeriesBucket } from '../../../shared/domain.ts';
import { lastAtOrBefore } from '../sorted.ts';
import { IANA_AREA_NAME, systemDatabaseIsCurrent, tzifOffsetAt, type OffsetAt } from './zoneinfo.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Nominal bucket lengths, used only to decide downsampling. */
export const NOMINAL_MS: Record<SeriesBucket, number> = {
  hour: HOUR,
  day: DAY,
  week: 7 * DAY,
  month: 30.436875 * DAY,
};

export const COARSER: Record<SeriesBucket, SeriesBucket | null> = { hour: 'day', day: 'week', week: 'month', month: null };

/**
 * The zone's offset function: from the system's zone database where it has the zone and is no older than ICU's
 * (zoneinfo.ts), else from Intl.
 * Intl's first use in a process loads ICU's zone and locale data (~8-10 MB resident for good), so it is the fallback.
 * Throws Intl's RangeError when neither knows the zone.
 */
function offsetsOf(zone: string): OffsetAt {
  let f = offsetFunctions.get(zone);
  if (!f) {
    f = (systemDatabaseIsCurrent() ? tzifOffsetAt(zone) : null) ?? intlOffsetAt(formatter(zone));
    if (offsetFunctions.size >= 1000) offsetFunctions.clear(); // Intl takes any spelling of a name: stay bounded
    offsetFunctions.set(zone, f);
  }
  return f;
}
const offsetFunctions = new Map<string, OffsetAt>();

function intlOffsetAt(f: Intl.DateTimeFormat): OffsetAt {
  return (t) => {
    const n: Record<string, number> = {};
    for (const p of f.formatToParts(t)) if (p.type !== 'literal') n[p.type] = Number(p.value);
    return Date.UTC(n.year ?? 1970, (n.month ?? 1) - 1, n.day ?? 1, n.hour ?? 0, n.minute ?? 0, n.second ?? 0) + mod(t, 1000) - t;
  };
}

/** en-US wall-clock parts in `zone`; throws a RangeError when Intl does not know the zone. */
function formatter(zone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

/** Throws a RangeError naming the zone when it is not a valid IANA zone. */
export function checkTimeZone(zone: string): string {
  if (isUtc(zone)) return zone;
  try {
    offsetsOf(zone);
  } catch {
    throw new RangeError(`Unknown time zone "${zone}": use an IANA name such as "Europe/Berlin" or "UTC".`);
  }
  return zone;
}

/**
 * The machine's IANA time zone. Read from $TZ or the /etc/localtime link where those name one, so that a process
 * never loads ICU's zone and locale data (~10 MB resident) to learn it; otherwise from Intl.
 */
export function systemTimeZone(): string {
  return (machineZone ??= zoneOfMachine(process.env, readLocaltimeLink));
}
let machineZone: string | undefined;

/** systemTimeZone()'s rule, for a given environment and /etc/localtime link. */
export function zoneOfMachine(env: NodeJS.ProcessEnv, localtimeLink: () => string | null): string {
  // $TZ when set (a leading ':' allowed; empty means UTC), else the zone the /etc/localtime link points into.
  const named = env.TZ !== undefined ? env.TZ.replace(/^:/, '') || 'UTC' : /zoneinfo\/(.+)$/.exec(localtimeLink() ?? '')?.[1];
  if (named && isUtc(named)) return 'UTC';
  if (named && IANA_AREA_NAME.test(named)) return named;
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function readLocaltimeLink(): string | null {
  try {
    return process.getBuiltinModule('node:fs').readlinkSync('/etc/localtime');
  } catch {
    return null;
  }
}

export function isUtc(zone: string): boolean {
  return isUtcZone(zone);
}

interface Wall {
  y: number;
  mo: number; // 0-based
  d: number;
  h: number;
}

function wallOf(zone: string, t: number): Wall & { naive: number } {
  if (isUtc(zone)) {
    const u = new Date(t);
    return { y: u.getUTCFullYear(), mo: u.getUTCMonth(), d: u.getUTCDate(), h: u.getUTCHours(), naive: t };
  }
  const naive = t + offsetsOf(zone)(t);
  const u = new Date(naive);
  return { y: u.getUTCFullYear(), mo: u.getUTCMonth(), d: u.getUTCDate(), h: u.getUTCHours(), naive };
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Zone offset at instant t, in ms (local = utc + offset). */
export function offsetAt(zone: string, t: number): number {
  if (isUtc(zone)) return 0;
  return offsetsOf(zone)(t);
}

/**
 * The first instant whose wall clock in `zone` reads the given local time. Inside a DST gap (the wall time never
 * happens) it is the first instant after the gap; inside an overlap, the earlier of the two.
 */
export function wallToUtc(zone: string, y: number, mo: number, d: number, h = 0): number {
  const naive = Date.UTC(y, mo, d, h);
  if (isUtc(zone)) return naive;
  const t1 = naive - offsetAt(zone, naive);
  const t2 = naive - offsetAt(zone, t1);
  const t3 = naive - offsetAt(zone, t2);
  const candidates = [...new Set([t1, t2, t3])].sort((a, b) => a - b);
  const exact = candidates.find((c) => c + offsetAt(zone, c) === naive);
  if (exact !== undefined) return exact;
  // A gap: the wall clock jumps over `naive`; the bucket begins where the clock lands after the jump.
  return candidates.find((c) => c + offsetAt(zone, c) > naive) ?? t1;
}

/** Start of the bucket of kind `bucket` containing t. Weeks start on Monday. */
export function bucketStart(zone: string, bucket: SeriesBucket, t: number): number {
  if (bucket === 'hour') return t - mod(t + offsetAt(zone, t), HOUR);
  if (isUtc(zone) && bucket === 'day') return t - mod(t, DAY);
  const w = wallOf(zone, t);
  if (bucket === 'day') return wallToUtc(zone, w.y, w.mo, w.d);
  if (bucket === 'week') {
    const weekday = new Date(Date.UTC(w.y, w.mo, w.d)).getUTCDay(); // 0 = Sunday
    return wallToUtc(zone, w.y, w.mo, w.d - ((weekday + 6) % 7));
  }
  return wallToUtc(zone, w.y, w.mo, 1);
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucketStart(zone: string, bucket: SeriesBucket, start: number): number {
  if (bucket === 'hour') {
    const next = bucketStart(zone, 'hour', start + HOUR);
    // A half-hour DST shift can pull the aligned start back onto `start`; never return a non-advancing bucket.
    return next > start ? next : start + HOUR;
  }
  if (isUtc(zone) && bucket === 'day') return start + DAY;
  const w = wallOf(zone, start);
  if (bucket === 'day') return wallToUtc(zone, w.y, w.mo, w.d + 1);
  if (bucket === 'week') return wallToUtc(zone, w.y, w.mo, w.d + 7);
  return wallToUtc(zone, w.y, w.mo + 1, 1);
}

/** Starts of every bucket overlapping [from, to), ascending; the first may begin before `from`. */
export function bucketStarts(zone: string, bucket: SeriesBucket, from: number, to: number): number[] {
  const starts: number[] = [];
  if (!(to > from)) return starts;
  for (let b = bucketStart(zone, bucket, from); b < to; b = nextBucketStart(zone, bucket, b)) starts.push(b);
  return starts;
}

/** Index of the bucket containing t (the last start <= t), or -1 when t precedes the first. */
export function bucketIndex(starts: readonly number[], t: number): number {
  return lastAtOrBefore(starts, t);
}

/**
 * Start of the local day containing t, memoised per 15-minute slot: every zone in use today has offsets that are
 * multiples of 15 minutes, so a local midnight never falls inside a slot. Used on every usage upsert.
 */
export function dayStarter(zone: string): (t: number) => number {
  if (isUtc(zone)) return (t) => t - mod(t, DAY);
  const SLOT = 900_000;
  const memo = new Map<number, number>();
  return (t) => {
    const slot = t - mod(t, SLOT);
    let d = memo.get(slot);
    if (d === undefined) {
      d = bucketStart(zone, 'day', slot);
      if (memo.size > 100_000) memo.clear();
      memo.set(slot, d);
    }
    return d;
  };
}
