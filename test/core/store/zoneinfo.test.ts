// The TZif reader (electron/core/store/zoneinfo.ts) against Intl on the machine's own zone database, its POSIX footer
// rules on synthetic strings, its refusals (missing, truncated, not TZif, bad names), and a whole process using tz.ts
// in Europe/Berlin without Intl.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compareReleases, parsePosixTz, parseTzif, systemDatabaseIsCurrent, tzifOffsetAt } from '../../../electron/core/store/zoneinfo.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
const SYSTEM_DB = '/usr/share/zoneinfo';
const hasSystemDb = fs.existsSync(`${SYSTEM_DB}/Europe/Berlin`);
const TZ_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../electron/core/store/tz.ts');

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'spendbar-zoneinfo-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** Intl's offset in ms at t, as tz.ts computed it before the TZif reader. */
function intlOffset(f: Intl.DateTimeFormat, t: number): number {
  const n: Record<string, number> = {};
  for (const p of f.formatToParts(t)) if (p.type !== 'literal') n[p.type] = Number(p.value);
  return Date.UTC(n.year!, n.month! - 1, n.day!, n.hour!, n.minute!, n.second!) + (t % 1000) - t;
}

/** The release year of the system database (tzdata.zi on Linux, +VERSION on macOS), or null. */
function systemDbYear(): number | null {
  for (const [file, re] of [['tzdata.zi', /^# version (\d{4})[a-z]/], ['+VERSION', /^(\d{4})[a-z]/]] as const) {
    try {
      const m = re.exec(fs.readFileSync(`${SYSTEM_DB}/${file}`, 'utf8'));
      if (m) return Number(m[1]);
    } catch {
      // not this layout
    }
  }
  return null;
}

describe('TZif offsets agree with Intl', () => {
  const ZONES = ['Europe/Berlin', 'America/New_York', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Australia/Adelaide', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'Africa/Casablanca', 'America/St_Johns', 'Pacific/Apia', 'Antarctica/Troll', 'Europe/Dublin', 'Asia/Tehran', 'America/Santiago', 'Etc/UTC', 'Etc/GMT+5'];
  // The system database and ICU's can be different releases (here 2025b against 2026c). Morocco decides its clocks
  // around Ramadan year by year (2026c changed Casablanca from September 2026): when the releases differ, that zone is
  // compared only up to the older release's year. The others' rules have stood for years; the footer rule of each
  // (after 2037, the last transition a zone file lists) is compared with ICU's to 2045.
  const icuYear = Number(/^(\d{4})/.exec(process.versions.tz ?? '')?.[1] ?? NaN);
  const dbYear = systemDbYear();
  const sameRelease = process.versions.tz !== undefined && fs.existsSync(`${SYSTEM_DB}/tzdata.zi`) && fs.readFileSync(`${SYSTEM_DB}/tzdata.zi`, 'utf8').startsWith(`# version ${process.versions.tz}\n`);
  const CHANGING = new Set(['Africa/Casablanca']);
  const endYear = (zone: string) => (sameRelease || !CHANGING.has(zone) ? 2046 : Math.min(icuYear, dbYear ?? NaN));
  const skip = !hasSystemDb ? `(skipped: no zone database at ${SYSTEM_DB})` : '';
  const STEP = 7 * HOUR; // every hour of the day in turn, over the years

  it.skipIf(!!skip).each(ZONES)(`%s, every 7 h and at each change to the second, 1990-2045${sameRelease ? '' : ` (Casablanca to ${endYear('Africa/Casablanca')})`} (ICU tz ${process.versions.tz}, system ${dbYear ?? '?'}) ${skip}`, (zone) => {
    const end = endYear(zone);
    if (Number.isNaN(end)) return void expect.fail(`the system zone database's release is unknown: cannot compare ${zone} with ICU's`);
    const tzif = tzifOffsetAt(zone, {});
    expect(tzif, 'parsed').not.toBeNull();
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    const misses: string[] = [];
    const check = (t: number) => {
      const [want, got] = [intlOffset(f, t), tzif!(t)];
      if (want !== got) misses.push(`${new Date(t).toISOString()}: Intl ${want / MIN} min, TZif ${got / MIN} min`);
      return want;
    };
    let changes = 0;
    let prev = Date.UTC(1990, 0, 1);
    let prevOffset = check(prev);
    for (let t = prev + STEP; t < Date.UTC(end, 0, 1) && misses.length < 5; t += STEP) {
      const offset = check(t);
      if (offset !== prevOffset) {
        // Find the change's second in Intl, then check both sides of it.
        let [lo, hi] = [prev, t];
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (intlOffset(f, mid) === prevOffset) lo = mid;
          else hi = mid;
        }
        check(lo);
        check(hi);
        changes++;
      }
      [prev, prevOffset] = [t, offset];
    }
    expect(misses, `system zone database ${dbYear ?? '?'}, ICU's ${process.versions.tz}`).toEqual([]);
    if (['Europe/Berlin', 'Australia/Lord_Howe', 'Europe/Dublin'].includes(zone)) expect(changes).toBeGreaterThan(40);
  });
});

describe('POSIX TZ footer rules', () => {
  const at = (iso: string) => Date.parse(iso);
  const offsets = (rule: string, ...isos: string[]) => {
    const f = parsePosixTz(rule);
    expect(f, rule).not.toBeNull();
    return isos.map((iso) => f!(at(iso)) / MIN);
  };

  it('EU rules: last Sundays of March and October at 01:00 UTC', () => {
    // 2030-03-31 and 2030-10-27 are the last Sundays.
    expect(offsets('CET-1CEST,M3.5.0,M10.5.0/3', '2030-01-15T12:00Z', '2030-03-31T00:59:59Z', '2030-03-31T01:00Z', '2030-10-27T00:59:59Z', '2030-10-27T01:00Z')).toEqual([60, 60, 120, 120, 60]);
  });

  it('US rules, the default 02:00 transition time', () => {
    // 2nd Sunday of March 2031 is the 9th; 1st Sunday of November the 2nd.
    expect(offsets('EST5EDT,M3.2.0,M11.1.0', '2031-03-09T06:59:59Z', '2031-03-09T07:00Z', '2031-11-02T05:59:59Z', '2031-11-02T06:00Z')).toEqual([-300, -240, -240, -300]);
  });

  it('southern hemisphere: DST across the new year', () => {
    // 1st Sunday of October 2030 is the 6th (02:00 AEST = 16:00 UTC the day before); of April 2031 the 6th (03:00 AEDT).
    expect(offsets('AEST-10AEDT,M10.1.0,M4.1.0/3', '2030-07-01T00:00Z', '2030-10-05T15:59:59Z', '2030-10-05T16:00Z', '2031-01-01T00:00Z', '2031-04-05T15:59:59Z', '2031-04-05T16:00Z')).toEqual([600, 600, 660, 660, 660, 600]);
  });

  it('half-hour and 45-minute offsets, and Lord Howe’s 30-minute DST', () => {
    expect(offsets('<+0330>-3:30', '2040-06-01T00:00Z')).toEqual([210]);
    expect(offsets('<+0545>-5:45', '2040-06-01T00:00Z')).toEqual([345]);
    expect(offsets('NST3:30NDT,M3.2.0,M11.1.0', '2040-01-01T00:00Z', '2040-07-01T00:00Z')).toEqual([-210, -150]);
    expect(offsets('<+1030>-10:30<+11>-11,M10.1.0,M4.1.0', '2040-07-01T00:00Z', '2040-12-01T00:00Z')).toEqual([630, 660]);
    expect(offsets('<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45', '2040-07-01T00:00Z', '2040-12-01T00:00Z')).toEqual([765, 825]);
  });

  it('zones without DST', () => {
    expect(offsets('<-05>5', '1900-01-01T00:00Z', '2100-01-01T00:00Z')).toEqual([-300, -300]);
    expect(offsets('<+13>-13', '2040-01-01T00:00Z')).toEqual([780]);
    expect(offsets('UTC0', '2040-01-01T00:00Z')).toEqual([0]);
  });

  it('negative DST (Europe/Dublin: IST is standard, GMT the winter "DST")', () => {
    // Last Sunday of October 2030 (27th) 02:00 IST = 01:00 UTC; last Sunday of March 2031 (30th) 01:00 GMT.
    expect(offsets('IST-1GMT0,M10.5.0,M3.5.0/1', '2030-07-01T00:00Z', '2030-10-27T00:59:59Z', '2030-10-27T01:00Z', '2031-03-30T00:59:59Z', '2031-03-30T01:00Z')).toEqual([60, 60, 0, 0, 60]);
  });

  it('transition times negative or past 24 h (version 3)', () => {
    // America/Nuuk: -1:00 local standard on the last Sunday of March = 01:00 UTC that Sunday.
    expect(offsets('<-02>2<-01>,M3.5.0/-1,M10.5.0/0', '2030-03-31T00:59:59Z', '2030-03-31T01:00Z', '2030-10-27T00:59:59Z', '2030-10-27T01:00Z')).toEqual([-120, -60, -60, -120]);
    // America/Santiago: 24:00 on the first Saturday of September 2030 (the 7th) = 04:00 UTC on the 8th.
    expect(offsets('<-04>4<-03>,M9.1.6/24,M4.1.6/24', '2030-09-08T03:59:59Z', '2030-09-08T04:00Z', '2031-04-06T02:59:59Z', '2031-04-06T03:00Z')).toEqual([-240, -180, -180, -240]);
    // 167 h after the day's midnight: a week later.
    expect(offsets('AAA0BBB,M3.1.0/167,M10.1.0', '2030-03-09T22:59:59Z', '2030-03-09T23:00Z')).toEqual([0, 60]);
    // DST all year: the start at the same instant as the previous end wins.
    expect(offsets('EST5EDT4,0/0,J365/25', '2030-01-01T04:59:59Z', '2030-01-01T05:00Z', '2030-06-01T00:00Z', '2030-12-31T23:00Z')).toEqual([-240, -240, -240, -240]);
  });

  it('Jn never counts February 29; n does', () => {
    // J60 is March 1 in every year; 59 is February 29 in a leap year, March 1 otherwise.
    expect(offsets('AAA0BBB,J60/0,J61/0', '2028-02-29T12:00Z', '2028-03-01T12:00Z', '2027-03-01T12:00Z')).toEqual([0, 60, 60]);
    expect(offsets('AAA0BBB,59/0,60/0', '2028-02-29T12:00Z', '2028-03-01T12:00Z', '2027-03-01T12:00Z', '2027-03-02T12:00Z')).toEqual([60, 0, 60, 0]);
  });

  it('refuses what is not such a rule', () => {
    for (const bad of ['', 'CET', 'C-1', 'CET-1CEST', 'CET-1CEST,M3.5.0', 'CET-1CEST,M13.5.0,M10.5.0', 'CET-1CEST,M3.6.0,M10.5.0', 'CET-1CEST,M3.5.7,M10.5.0', 'CET-1CEST,J0,J100', 'CET-1CEST,366,100', 'CET-1CEST,M3.5.0/168,M10.5.0', 'CET-1CEST,M3.5.0,M10.5.0/3x', '<+03-3', 'CET-99', 'CET-1:60']) {
      expect(parsePosixTz(bad), bad).toBeNull();
    }
  });
});

interface Synthetic {
  version?: string;
  times?: number[]; // seconds
  types?: number[];
  offsets?: number[]; // seconds
  footer?: string;
  leap?: number;
}

/** A TZif file: version 1 (32-bit block only) or a later one (both blocks and the footer). */
function tzif({ version = '2', times = [], types = [], offsets = [0], footer = '', leap = 0 }: Synthetic): Uint8Array {
  const block = (size: 4 | 8) => {
    // The 32-bit block leaves out the transitions it cannot hold, as zic does.
    const kept = times.flatMap((t, i) => (size === 8 || (t >= -(2 ** 31) && t < 2 ** 31) ? [[t, types[i] ?? 0] as const] : []));
    const out = Buffer.alloc(44 + kept.length * (size + 1) + offsets.length * 6 + 4 + leap * (size + 4));
    out.write('TZif', 0, 'latin1');
    out[4] = version === '1' ? 0 : version.charCodeAt(0);
    [0, 0, leap, kept.length, offsets.length, 4].forEach((n, i) => out.writeUInt32BE(n, 20 + 4 * i));
    let p = 44;
    for (const [t] of kept) p = size === 8 ? out.writeBigInt64BE(BigInt(t), p) : out.writeInt32BE(t, p);
    for (const [, k] of kept) p = out.writeUInt8(k, p);
    for (const o of offsets) p = out.writeUInt8(0, out.writeUInt8(0, out.writeInt32BE(o, p)));
    out.write('XXX\0', p, 'latin1');
    return out;
  };
  if (version === '1') return block(4);
  return Buffer.concat([block(4), block(8), Buffer.from(`\n${footer}\n`, 'latin1')]);
}

describe('TZif files', () => {
  const db = path.join(temp, 'db');
  const env = { TZDIR: db };
  const put = (zone: string, bytes: Uint8Array | string) => {
    fs.mkdirSync(path.dirname(path.join(db, zone)), { recursive: true });
    fs.writeFileSync(path.join(db, zone), bytes);
  };
  // Two transitions in 2000 (seconds): +1 h from 2000-03-26 01:00 UTC, back at 2000-10-29 01:00 UTC.
  const berlinish: Synthetic = { times: [954032400, 972781200], types: [1, 0], offsets: [3600, 7200], footer: 'CET-1CEST,M3.5.0,M10.5.0/3' };

  it('reads the transitions, type 0 before the first, and the footer after the last', () => {
    put('Test/Berlinish', tzif(berlinish));
    const f = tzifOffsetAt('Test/Berlinish', env)!;
    expect(f).not.toBeNull();
    const off = (iso: string) => f(Date.parse(iso)) / MIN;
    expect([off('1960-01-01T00:00Z'), off('2000-03-26T00:59:59Z'), off('2000-03-26T01:00Z'), off('2000-10-29T01:00Z'), off('2030-07-01T00:00Z'), off('2030-12-01T00:00Z')]).toEqual([60, 60, 120, 60, 120, 60]);
  });

  it('uses the 64-bit block when there is one, and the last type after the end of a version 1 file', () => {
    // 2041 does not fit 32 bits: the 32-bit block has no transition, so reading it would say +0 after 2041.
    const late = Date.UTC(2041, 0, 1) / 1000;
    const v2 = tzif({ times: [late], types: [1], offsets: [0, 3600], footer: '<+01>-1' });
    expect(parseTzif(v2)!(Date.UTC(2041, 5)) / MIN).toBe(60);
    expect(parseTzif(v2)!(Date.UTC(2039, 5)) / MIN).toBe(0);
    const v1 = tzif({ version: '1', times: [954032400], types: [1], offsets: [0, -18000] });
    expect(parseTzif(v1)!(Date.UTC(2100, 0)) / MIN).toBe(-300);
    expect(parseTzif(tzif({ ...berlinish, footer: '' }))!(Date.UTC(2030, 6)) / MIN).toBe(60); // no rule: the last type
    expect(parseTzif(tzif({ ...berlinish, version: '4' }))!(Date.UTC(2030, 6)) / MIN).toBe(120);
  });

  it('is null for a missing file, a truncated one, one that is not TZif, a directory, a huge file or leap seconds', () => {
    const whole = tzif(berlinish);
    expect(tzifOffsetAt('Test/Missing', env)).toBeNull();
    put('Test/Truncated', whole.subarray(0, whole.length - 20));
    expect(tzifOffsetAt('Test/Truncated', env)).toBeNull();
    for (const cut of [10, 44, 60, whole.length - 1]) expect(parseTzif(whole.subarray(0, cut)), `${cut} bytes`).toBeNull();
    put('Test/Text', '# not a zone\nEurope/Berlin CET-1CEST\n'.repeat(4));
    expect(tzifOffsetAt('Test/Text', env)).toBeNull();
    put('Test/Huge', Buffer.concat([whole, Buffer.alloc(1 << 20)]));
    expect(tzifOffsetAt('Test/Huge', env)).toBeNull();
    fs.mkdirSync(path.join(db, 'Test/Dir'), { recursive: true });
    expect(tzifOffsetAt('Test/Dir', env)).toBeNull();
    put('Test/Leap', tzif({ ...berlinish, leap: 1 }));
    expect(tzifOffsetAt('Test/Leap', env)).toBeNull();
    put('Test/BadRule', tzif({ ...berlinish, footer: 'CET-1CEST' }));
    expect(tzifOffsetAt('Test/BadRule', env)).toBeNull();
    put('Test/BadType', tzif({ ...berlinish, types: [1, 2] }));
    expect(tzifOffsetAt('Test/BadType', env)).toBeNull();
    put('Test/Unsorted', tzif({ ...berlinish, times: [972781200, 954032400] }));
    expect(tzifOffsetAt('Test/Unsorted', env)).toBeNull();
  });

  it('builds no path from a name with "..", an absolute path or a variant tree', () => {
    // A valid file just outside the database, reachable through ".." from a directory inside it.
    fs.writeFileSync(path.join(temp, 'Outside'), tzif(berlinish));
    fs.mkdirSync(path.join(db, 'Etc'), { recursive: true });
    put('posix/Test/Berlinish', tzif(berlinish));
    for (const name of ['Etc/../../Outside', '../Outside', path.join(temp, 'Outside'), 'posix/Test/Berlinish', 'right/Test/Berlinish', 'Test/Berlinish\0', 'Test/./Berlinish']) {
      expect(tzifOffsetAt(name, env), name).toBeNull();
    }
    expect(tzifOffsetAt('Test/Berlinish', env)).not.toBeNull();
  });
});

describe('a process in Europe/Berlin', () => {
  /** Runs node on a script that imports tz.ts (after `prelude`), with the environment given; returns its JSON. */
  const run = (prelude: string, env: NodeJS.ProcessEnv) => {
    const script = `${prelude}
      const tz = await import(${JSON.stringify(TZ_PATH)});
      const zone = tz.checkTimeZone(tz.systemTimeZone());
      const from = Date.UTC(2030, 2, 25), to = Date.UTC(2030, 3, 2);
      console.log(JSON.stringify({ zone, days: tz.bucketStarts(zone, 'day', from, to), months: tz.bucketStarts(zone, 'month', Date.UTC(2030, 0, 1), Date.UTC(2031, 0, 1)), day: tz.dayStarter(zone)(Date.UTC(2030, 9, 27, 12)), hour: tz.bucketStart(zone, 'hour', Date.UTC(2030, 2, 31, 1, 30)) }));`;
    const r = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    return { status: r.status, out: r.status === 0 ? JSON.parse(r.stdout) : null, stderr: r.stderr };
  };
  const noIntl = `Intl.DateTimeFormat = function () { throw new Error('Intl.DateTimeFormat used'); };`;
  const expected = {
    zone: 'Europe/Berlin',
    // Midnights: 23:00 UTC the day before in CET, 22:00 from April (DST from 2030-03-31 01:00 UTC).
    days: [24, 25, 26, 27, 28, 29, 30].map((d) => Date.UTC(2030, 2, d, 23)).concat([31, 32].map((d) => Date.UTC(2030, 2, d, 22))),
    months: [Date.UTC(2029, 11, 31, 23), Date.UTC(2030, 0, 31, 23), Date.UTC(2030, 1, 28, 23), Date.UTC(2030, 2, 31, 22)],
    day: Date.UTC(2030, 9, 26, 22),
    hour: Date.UTC(2030, 2, 31, 1),
  };

  /** A zone database of the given release holding Europe/Berlin (copied from the system's). */
  const databaseOf = (release: string) => {
    const dir = path.join(temp, `db-${release}`);
    fs.mkdirSync(path.join(dir, 'Europe'), { recursive: true });
    fs.copyFileSync(`${SYSTEM_DB}/Europe/Berlin`, path.join(dir, 'Europe/Berlin'));
    fs.writeFileSync(path.join(dir, 'tzdata.zi'), `# version ${release}\n# This zic input file is in the public domain.\n`);
    return dir;
  };

  it.skipIf(!hasSystemDb)(`never uses Intl where the zone database is as new as ICU's${hasSystemDb ? '' : ` (no ${SYSTEM_DB} here)`}`, () => {
    const r = run(noIntl, { TZ: 'Europe/Berlin', TZDIR: databaseOf('2999a') });
    expect(r.stderr).toBe('');
    expect(r.out.zone).toBe(expected.zone);
    expect(r.out.days).toEqual(expected.days);
    expect(r.out.months.slice(0, 4)).toEqual(expected.months);
    expect(r.out.months).toHaveLength(13); // the last is 2031-01-01 local, before 01:00 UTC
    expect([r.out.day, r.out.hour]).toEqual([expected.day, expected.hour]);
  });

  it.skipIf(!hasSystemDb)('uses Intl where the zone database is older than ICU’s (the newer release has the right rules)', () => {
    const stubbed = run(noIntl, { TZ: 'Europe/Berlin', TZDIR: databaseOf('1999a') });
    expect(stubbed.status).not.toBe(0);
    expect(stubbed.stderr).toMatch(/Unknown time zone "Europe\/Berlin"/);
    const r = run('', { TZ: 'Europe/Berlin', TZDIR: databaseOf('1999a') });
    expect(r.stderr).toBe('');
    expect(r.out.days).toEqual(expected.days);
  });

  it('falls back to Intl where the zone database has no such file, with the same answers', () => {
    const empty = path.join(temp, 'empty-db');
    fs.mkdirSync(empty, { recursive: true });
    const stubbed = run(noIntl, { TZ: 'Europe/Berlin', TZDIR: empty });
    expect(stubbed.status).not.toBe(0);
    expect(stubbed.stderr).toMatch(/Unknown time zone "Europe\/Berlin"/); // checkTimeZone asked the stub
    const r = run('', { TZ: 'Europe/Berlin', TZDIR: empty });
    expect(r.stderr).toBe('');
    expect(r.out.days).toEqual(expected.days);
    expect(r.out.months.slice(0, 4)).toEqual(expected.months);
    expect([r.out.day, r.out.hour]).toEqual([expected.day, expected.hour]);
  });
});

describe('which database is newer', () => {
  it('orders tz releases by year, then letters', () => {
    expect(compareReleases('2025b', '2026c')).toBeLessThan(0);
    expect(compareReleases('2026c', '2026c')).toBe(0);
    expect(compareReleases('2026d', '2026c')).toBeGreaterThan(0);
    expect(compareReleases('2026z', '2026aa')).toBeLessThan(0);
    expect(compareReleases('2027a', '2026zz')).toBeGreaterThan(0);
    expect(compareReleases('unknown', '2026c')).toBeLessThan(0);
  });

  it('reads the release from tzdata.zi or +VERSION, and trusts an unknown one only when Node has no ICU zones', () => {
    const at = (name: string, file: string | null, text = '') => {
      const dir = path.join(temp, `release-${name}`);
      fs.mkdirSync(dir, { recursive: true });
      if (file) fs.writeFileSync(path.join(dir, file), text);
      return { TZDIR: dir };
    };
    const linux = at('linux', 'tzdata.zi', '# version 2026d\n# ddeps backzone\n');
    const mac = at('mac', '+VERSION', '2025a\n');
    const none = at('none', null);
    const garbled = at('garbled', 'tzdata.zi', 'version 2026d\n');
    expect(systemDatabaseIsCurrent(linux, '2026c')).toBe(true);
    expect(systemDatabaseIsCurrent(linux, '2026d')).toBe(true);
    expect(systemDatabaseIsCurrent(linux, '2027a')).toBe(false);
    expect(systemDatabaseIsCurrent(mac, '2024b')).toBe(true);
    expect(systemDatabaseIsCurrent(mac, '2026c')).toBe(false);
    expect(systemDatabaseIsCurrent(none, '2026c')).toBe(false);
    expect(systemDatabaseIsCurrent(garbled, '2026c')).toBe(false);
    expect(systemDatabaseIsCurrent(none, null)).toBe(true);
  });
});
