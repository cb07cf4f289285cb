// A zone's UTC offsets from the operating system's IANA database (TZif files, RFC 8536), so that calendar arithmetic
// in a zone other than UTC does not load ICU's zone and locale data (~8-10 MB resident for the life of the process).
// tz.ts asks here first and falls back to Intl when no file is found or it does not parse.
import { lastAtOrBefore } from '../sorted.ts';

const HOUR_S = 3600;
const DAY_MS = 86_400_000;
/** TZif files are a few kB; anything much larger is not one. */
const MAX_BYTES = 1 << 20;
/** RFC 8536: offsets SHOULD lie in -89999..93599 s (about ±25 h). */
const MAX_OFFSET_S = 93_599;

/** "Europe/Berlin", "America/Argentina/Buenos_Aires": an area and a place, not a POSIX rule like "EST5EDT,M3.2.0". */
export const IANA_AREA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/;

/** Offset in ms at instant t (local = utc + offset). */
export type OffsetAt = (t: number) => number;

const zones = new Map<string, OffsetAt | null>();

/**
 * The zone's offset function from the TZif file `$TZDIR/zone` (else /usr/share/zoneinfo/zone), or null when the name is
 * not an IANA area/place name, no such file exists, or it is not a TZif file this reader accepts. Cached per name.
 */
export function tzifOffsetAt(zone: string, env: NodeJS.ProcessEnv = process.env): OffsetAt | null {
  if (!zoneFileName(zone)) return null;
  const dir = databaseDir(env);
  const key = `${dir}\0${zone}`;
  let f = zones.get(key);
  if (f === undefined) {
    f = readZone(`${dir}/${zone}`);
    if (zones.size >= 1000) zones.clear(); // names come from settings and requests: keep the misses bounded
    zones.set(key, f);
  }
  return f;
}

/**
 * Whether the system's zone database is at least as new as the one in Node's ICU (`process.versions.tz`), read from
 * `tzdata.zi` ("# version 2025b", Linux) or `+VERSION` (macOS). The two disagree where a zone's rules changed between
 * their releases, and the newer is the right one: an older or unknown system release leaves the zone to Intl. A Node
 * without ICU data for zones (no `versions.tz`) has only the system's.
 */
export function systemDatabaseIsCurrent(env: NodeJS.ProcessEnv = process.env, icu: string | null = process.versions.tz ?? null): boolean {
  const dir = databaseDir(env);
  let system = releases.get(dir);
  if (system === undefined) {
    system = readRelease(dir);
    releases.set(dir, system);
  }
  if (icu === null) return true;
  return system !== null && compareReleases(system, icu) >= 0;
}
const releases = new Map<string, string | null>();

function readRelease(dir: string): string | null {
  const fs = process.getBuiltinModule('node:fs');
  for (const [file, pattern] of [['tzdata.zi', /^# version (\d{4}[a-z]+)\s/], ['+VERSION', /^(\d{4}[a-z]+)\s*$/]] as const) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(`${dir}/${file}`, 'r');
      const head = Buffer.alloc(64);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      const m = pattern.exec(head.subarray(0, n).toString('latin1'));
      if (m) return m[1] ?? null;
    } catch {
      // not this layout
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
  return null;
}

/** Orders tz releases: "2025b" < "2026a" < "2026c" < "2026aa" (the year, then the letters as the project counts). */
export function compareReleases(a: string, b: string): number {
  const ma = /^(\d{4})([a-z]+)$/.exec(a);
  const mb = /^(\d{4})([a-z]+)$/.exec(b);
  if (!ma || !mb) return ma ? 1 : mb ? -1 : 0;
  const [, ya = '', la = ''] = ma;
  const [, yb = '', lb = ''] = mb;
  if (ya !== yb) return Number(ya) - Number(yb);
  if (la.length !== lb.length) return la.length - lb.length;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function databaseDir(env: NodeJS.ProcessEnv): string {
  return env.TZDIR?.startsWith('/') ? env.TZDIR.replace(/\/+$/, '') : '/usr/share/zoneinfo';
}

/**
 * Whether `zone` may name a file under the database directory: area/place characters only (so no "..", no absolute
 * path), and not one of the database's variant trees ("posix/..." duplicates the zones, "right/..." counts leap
 * seconds), which Intl does not accept as names either.
 */
export function zoneFileName(zone: string): boolean {
  return IANA_AREA_NAME.test(zone) && !/^(posix|right)\//.test(zone);
}

function readZone(file: string): OffsetAt | null {
  const fs = process.getBuiltinModule('node:fs');
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > MAX_BYTES || st.size < 44) return null;
    const bytes = new Uint8Array(st.size);
    let got = 0;
    while (got < bytes.length) {
      const n = fs.readSync(fd, bytes, got, bytes.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return parseTzif(bytes.subarray(0, got));
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

interface Block {
  /** Transition instants, ms, ascending. */
  times: number[];
  /** Index into `offsets` of the type in effect from each transition. */
  types: number[];
  /** Each local time type's UTC offset, ms. */
  offsets: number[];
}

/** The offset function a TZif file describes, or null when the bytes are not a TZif file this reader accepts. */
export function parseTzif(bytes: Uint8Array): OffsetAt | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = readBlock(view, 0, 4);
  if (!first) return null;
  const version = bytes[4] as number;
  if (version === 0) return lookup(first.block, null);
  if (version < 0x32) return null; // '2', '3', '4' and later: a 64-bit block and a footer follow
  const second = readBlock(view, first.end, 8);
  if (!second) return null;
  // The footer: a newline, a POSIX TZ string (possibly empty), a newline.
  const start = second.end;
  if (bytes[start] !== 0x0a) return null;
  const close = bytes.indexOf(0x0a, start + 1);
  if (close < 0) return null;
  let text = '';
  for (let i = start + 1; i < close; i++) {
    const c = bytes[i] as number;
    if (c < 0x20 || c > 0x7e) return null;
    text += String.fromCharCode(c);
  }
  if (text === '') return lookup(second.block, null);
  const rule = parsePosixTz(text);
  return rule ? lookup(second.block, rule) : null;
}

function readBlock(view: DataView, at: number, timeSize: 4 | 8): { block: Block; end: number } | null {
  if (view.byteLength < at + 44) return null;
  if (view.getUint32(at) !== 0x545a6966) return null; // "TZif"
  const count = (i: number) => view.getUint32(at + 20 + 4 * i);
  const [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = [0, 1, 2, 3, 4, 5].map(count) as [number, number, number, number, number, number];
  // A file with leap-second records ("right/" zones) counts time differently from POSIX instants: not for us.
  if (leapcnt !== 0 || typecnt === 0 || (isutcnt !== 0 && isutcnt !== typecnt) || (isstdcnt !== 0 && isstdcnt !== typecnt)) return null;
  let p = at + 44;
  const end = p + timecnt * timeSize + timecnt + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  if (view.byteLength < end) return null;
  const times: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) {
    const s = timeSize === 8 ? Number(view.getBigInt64(p)) : view.getInt32(p);
    if (i > 0 && !(s * 1000 > (times[i - 1] as number))) return null;
    times.push(s * 1000);
  }
  const types: number[] = [];
  for (let i = 0; i < timecnt; i++, p++) {
    const k = view.getUint8(p);
    if (k >= typecnt) return null;
    types.push(k);
  }
  const offsets: number[] = [];
  for (let i = 0; i < typecnt; i++, p += 6) {
    const utoff = view.getInt32(p);
    if (Math.abs(utoff) > MAX_OFFSET_S) return null;
    offsets.push(utoff * 1000);
  }
  return { block: { times, types, offsets }, end };
}

function lookup({ times, types, offsets }: Block, rule: PosixTz | null): OffsetAt {
  const last = times.length ? (times[times.length - 1] as number) : -Infinity;
  const before = offsets[0] as number; // RFC 8536: type 0 before the first transition
  return (t) => {
    if (rule && t >= last) return rule(t);
    const found = lastAtOrBefore(times, t);
    return found < 0 ? before : (offsets[types[found] as number] as number);
  };
}

/** A POSIX TZ rule as a function of the instant: the offset in ms. */
type PosixTz = OffsetAt;

interface RuleDate {
  kind: 'J' | 'n' | 'M';
  /** J: 1-365 (Feb 29 never counted); n: 0-365 (counted); M: month 1-12. */
  n: number;
  week: number;
  weekday: number;
  /** Seconds after local midnight of that day: -167 h .. 167 h (RFC 8536 version 3). */
  time: number;
}

/**
 * Parses a POSIX TZ string as TZif footers use it: `std offset [dst [offset] ,start[/time],end[/time]]`, names plain
 * (`CET`) or quoted (`<+0330>`), offsets west-positive (`-1` is UTC+1), dates `Jn`, `n` or `Mm.w.d`, times that may be
 * negative or past 24 h. Returns the offset function, or null when the string is not such a rule (a DST name without
 * rules included: POSIX leaves its dates to the implementation).
 */
export function parsePosixTz(text: string): PosixTz | null {
  let i = 0;
  const name = (): boolean => {
    const m = /^(?:<[A-Za-z0-9+-]{3,}>|[A-Za-z]{3,})/.exec(text.slice(i));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  /** [+-]hh[:mm[:ss]], hours up to 167; returns seconds, or null. */
  const clock = (): number | null => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2})(?::(\d{1,2}))?)?/.exec(text.slice(i));
    if (!m) return null;
    const [h, mi, s] = [Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)];
    if (h > 167 || mi > 59 || s > 59) return null;
    i += m[0].length;
    return (m[1] === '-' ? -1 : 1) * (h * HOUR_S + mi * 60 + s);
  };
  const date = (): RuleDate | null => {
    let m: RegExpExecArray | null;
    let d: RuleDate;
    const rest = text.slice(i);
    if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest))) {
      d = { kind: 'M', n: Number(m[1]), week: Number(m[2]), weekday: Number(m[3]), time: 2 * HOUR_S };
      if (d.n < 1 || d.n > 12 || d.week < 1 || d.week > 5 || d.weekday > 6) return null;
    } else if ((m = /^J(\d{1,3})/.exec(rest))) {
      d = { kind: 'J', n: Number(m[1]), week: 0, weekday: 0, time: 2 * HOUR_S };
      if (d.n < 1 || d.n > 365) return null;
    } else if ((m = /^(\d{1,3})/.exec(rest))) {
      d = { kind: 'n', n: Number(m[1]), week: 0, weekday: 0, time: 2 * HOUR_S };
      if (d.n > 365) return null;
    } else {
      return null;
    }
    i += m[0].length;
    if (text[i] === '/') {
      i++;
      const time = clock();
      if (time === null) return null;
      d.time = time;
    }
    return d;
  };

  if (!name()) return null;
  const std = clock();
  if (std === null || Math.abs(std) > MAX_OFFSET_S) return null;
  const stdOff = 0 - std * 1000;
  if (i === text.length) return () => stdOff;
  if (!name()) return null;
  let dstOff = stdOff + HOUR_S * 1000;
  if (text[i] !== ',') {
    const dst = clock();
    if (dst === null || Math.abs(dst) > MAX_OFFSET_S) return null;
    dstOff = 0 - dst * 1000;
  }
  if (text[i++] !== ',') return null;
  const start = date();
  if (!start || text[i++] !== ',') return null;
  const end = date();
  if (!end || i !== text.length) return null;

  // Each year's two transitions as instants: DST starts at a wall time in standard time, ends at one in DST.
  const years = new Map<number, [number, number]>();
  const transitions = (y: number): [number, number] => {
    let pair = years.get(y);
    if (!pair) {
      pair = [dayOf(start, y) + start.time * 1000 - stdOff, dayOf(end, y) + end.time * 1000 - dstOff];
      if (years.size > 1000) years.clear();
      years.set(y, pair);
    }
    return pair;
  };
  return (t) => {
    // The latest transition at or before t among the years around t's; a start at the same instant as an end wins
    // (DST all year, as in `EST5EDT4,0/0,J365/25`).
    const y = new Date(t).getUTCFullYear();
    let at = -Infinity;
    let off = stdOff;
    for (let k = y - 1; k <= y + 1; k++) {
      const [dstStarts, dstEnds] = transitions(k);
      if (dstEnds <= t && dstEnds > at) [at, off] = [dstEnds, stdOff];
      if (dstStarts <= t && dstStarts >= at) [at, off] = [dstStarts, dstOff];
    }
    return off;
  };
}

/** Midnight (as a UTC instant of the local date) of a rule's day in year y. */
function dayOf(d: RuleDate, y: number): number {
  const jan1 = Date.UTC(y, 0, 1);
  if (d.kind === 'n') return jan1 + d.n * DAY_MS;
  if (d.kind === 'J') {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    return jan1 + (d.n - 1 + (leap && d.n >= 60 ? 1 : 0)) * DAY_MS;
  }
  const first = Date.UTC(y, d.n - 1, 1);
  const days = new Date(Date.UTC(y, d.n, 0)).getUTCDate();
  let day = 1 + ((d.weekday - new Date(first).getUTCDay() + 7) % 7) + (d.week - 1) * 7;
  while (day > days) day -= 7;
  return first + (day - 1) * DAY_MS;
}
