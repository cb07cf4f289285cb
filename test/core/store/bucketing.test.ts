import { describe, expect, it } from 'vitest';
import type { SeriesBucket, SeriesQuery } from '../../../shared/domain.ts';
import { bucketStart, bucketStarts, chooseBucket, nextBucketStart } from '../../../electron/core/store/index.ts';
import { bucket, DAY, HOUR, okSnapshot, openStore, rng, tempDbPath, track } from './helpers.ts';
import { SnapshotStore } from '../../../electron/core/store/index.ts';

const iso = (s: string) => Date.parse(s);

/** Wall-clock date and time of t in zone, read with Intl directly (independent of the code under test). */
function wall(zone: string, t: number): { date: string; time: string; weekday: string } {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
  });
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, weekday: p.weekday ?? '' };
}

describe('bucket starts', () => {
  it('cuts UTC into hours, days, Monday weeks and months', () => {
    const t = iso('2026-04-08T10:37:12.345Z'); // a Wednesday
    expect(bucketStart('UTC', 'hour', t)).toBe(iso('2026-04-08T10:00:00Z'));
    expect(bucketStart('UTC', 'day', t)).toBe(iso('2026-04-08T00:00:00Z'));
    expect(bucketStart('UTC', 'week', t)).toBe(iso('2026-04-06T00:00:00Z'));
    expect(bucketStart('UTC', 'week', iso('2026-04-12T23:59:59Z'))).toBe(iso('2026-04-06T00:00:00Z'));
    expect(bucketStart('UTC', 'week', iso('2026-04-13T00:00:00Z'))).toBe(iso('2026-04-13T00:00:00Z'));
    expect(bucketStart('UTC', 'month', t)).toBe(iso('2026-04-01T00:00:00Z'));
    expect(nextBucketStart('UTC', 'month', iso('2026-12-01T00:00:00Z'))).toBe(iso('2027-01-01T00:00:00Z'));
  });

  it('gives America/New_York a 23-hour day on 2026-03-08 (spring forward)', () => {
    const zone = 'America/New_York';
    const day = bucketStart(zone, 'day', iso('2026-03-08T15:00:00Z'));
    expect(day).toBe(iso('2026-03-08T05:00:00Z'));
    expect(nextBucketStart(zone, 'day', day)).toBe(iso('2026-03-09T04:00:00Z'));
    expect(bucketStarts(zone, 'hour', day, iso('2026-03-09T04:00:00Z'))).toHaveLength(23);
    expect(bucketStart(zone, 'month', day)).toBe(iso('2026-03-01T05:00:00Z'));
    expect(nextBucketStart(zone, 'month', iso('2026-03-01T05:00:00Z'))).toBe(iso('2026-04-01T04:00:00Z'));
  });

  it('gives Europe/Berlin a 25-hour day on 2026-10-25 (fall back)', () => {
    const zone = 'Europe/Berlin';
    const day = bucketStart(zone, 'day', iso('2026-10-25T12:00:00Z'));
    expect(day).toBe(iso('2026-10-24T22:00:00Z'));
    expect(nextBucketStart(zone, 'day', day)).toBe(iso('2026-10-25T23:00:00Z'));
    expect(bucketStarts(zone, 'hour', day, iso('2026-10-25T23:00:00Z'))).toHaveLength(25);
    // That Sunday belongs to the week that began Monday 2026-10-19 (summer time); the next starts in winter time.
    const week = bucketStart(zone, 'week', iso('2026-10-25T12:00:00Z'));
    expect(week).toBe(iso('2026-10-18T22:00:00Z'));
    expect(nextBucketStart(zone, 'week', week)).toBe(iso('2026-10-25T23:00:00Z'));
  });

  it('starts every bucket on a local boundary in many zones across a year (checked against Intl)', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kathmandu'];
    const rand = rng(7);
    for (const zone of zones) {
      for (let i = 0; i < 150; i++) {
        const t = iso('2026-01-01T00:00:00Z') + Math.floor(rand() * 365 * DAY);
        for (const kind of ['day', 'week', 'month'] as SeriesBucket[]) {
          const b = bucketStart(zone, kind, t);
          expect(b).toBeLessThanOrEqual(t);
          // The instant before a bucket start is on an earlier local date: b is the first instant of its date.
          expect(wall(zone, b - 1).date < wall(zone, b).date).toBe(true);
          expect(nextBucketStart(zone, kind, b)).toBeGreaterThan(t);
          if (kind === 'week') expect(wall(zone, b).weekday).toBe('Mon');
          if (kind === 'month') expect(wall(zone, b).date.endsWith('-01')).toBe(true);
          if (kind === 'day') expect(wall(zone, b).date).toBe(wall(zone, t).date);
        }
        const h = bucketStart(zone, 'hour', t);
        expect(t - h).toBeLessThan(HOUR);
        expect(wall(zone, h).time.endsWith(':00')).toBe(true);
      }
    }
  });
});

describe('downsampling', () => {
  it('moves to the next coarser bucket until the range fits maxPoints', () => {
    expect(chooseBucket('hour', 0, 100 * DAY, 1000)).toBe('day');
    expect(chooseBucket('hour', 0, 40 * DAY, 1000)).toBe('hour');
    expect(chooseBucket('hour', 0, 100 * DAY, 10)).toBe('month');
    expect(chooseBucket('day', 0, 100 * 365 * DAY, 1)).toBe('month');
  });

  it('reports the bucket it used and returns at most maxPoints points', () => {
    const store = openStore();
    const t0 = iso('2026-01-05T00:00:00Z');
    const usage = Array.from({ length: 60 * 24 }, (_, i) => bucket(t0 + i * HOUR, { requests: 1 }));
    store.saveSnapshot(okSnapshot('a', t0, { usage }));
    const q: SeriesQuery = { metric: 'requests', bucket: 'hour', groupBy: 'none', from: t0, to: t0 + 60 * DAY, maxPoints: 50 };
    const r = store.series(q);
    expect(r.bucket).toBe('week');
    expect(r.query).toEqual(q);
    expect(r.series[0]?.points.length).toBeLessThanOrEqual(50);
    expect(r.series[0]?.points.reduce((n, p) => n + p.v, 0)).toBe(60 * 24);
    expect(store.series({ ...q, maxPoints: undefined }).bucket).toBe('day');
  });
});

describe('series in a time zone', () => {
  const hourly = (from: number, to: number) =>
    Array.from({ length: (to - from) / HOUR }, (_, i) => bucket(from + i * HOUR, { requests: 1 }));

  for (const [zone, from, to, expected] of [
    [
      'America/New_York',
      '2026-03-07T05:00:00Z',
      '2026-03-10T04:00:00Z',
      [
        ['2026-03-07T05:00:00Z', 24],
        ['2026-03-08T05:00:00Z', 23],
        ['2026-03-09T04:00:00Z', 24],
      ],
    ],
    [
      'Europe/Berlin',
      '2026-10-23T22:00:00Z',
      '2026-10-26T23:00:00Z',
      [
        ['2026-10-23T22:00:00Z', 24],
        ['2026-10-24T22:00:00Z', 25],
        ['2026-10-25T23:00:00Z', 24],
      ],
    ],
  ] as const) {
    it(`counts local days in ${zone} across the DST change, from the roll-up and from raw rows alike`, () => {
      const usage = hourly(iso(from), iso(to));
      const q: SeriesQuery = { metric: 'requests', bucket: 'day', groupBy: 'none', from: iso(from), to: iso(to), timeZone: zone };
      const want = expected.map(([t, v]) => ({ t: iso(t), v }));
      const local = openStore({ timeZone: zone }); // roll-up keyed by this zone's days
      const utc = openStore(); // roll-up in UTC: the query falls back to raw rows
      for (const store of [local, utc]) {
        store.saveSnapshot(okSnapshot('a', iso(from), { usage }));
        expect(store.series(q).series).toEqual([{ group: 'all', points: want }]);
        // Unaligned ends mix roll-up days with raw edges.
        const partial = store.series({ ...q, from: iso(from) + 90 * 60_000, to: iso(to) - 90 * 60_000 });
        expect(partial.series[0]?.points.map((p) => p.v)).toEqual([want[0]!.v - 2, want[1]!.v, want[2]!.v - 1]);
      }
      const days = local.db.prepare('SELECT DISTINCT day FROM usage_daily ORDER BY day').all() as { day: number }[];
      expect(days.map((d) => d.day)).toEqual(want.map((p) => p.t));
    });
  }

  it('rebuilds the daily roll-up when the store is reopened in another zone', () => {
    const file = tempDbPath();
    const t0 = iso('2026-03-07T00:00:00Z');
    const first = SnapshotStore.open(file);
    first.saveSnapshot(okSnapshot('a', t0, { usage: hourly(t0, t0 + 3 * DAY) }));
    first.close();
    const store = track(SnapshotStore.open(file, { timeZone: 'America/New_York' }));
    const days = store.db.prepare('SELECT day, sum(requests) AS n FROM usage_daily GROUP BY day ORDER BY day').all();
    expect(days).toEqual([
      { day: iso('2026-03-06T05:00:00Z'), n: 5 },
      { day: iso('2026-03-07T05:00:00Z'), n: 24 },
      { day: iso('2026-03-08T05:00:00Z'), n: 23 },
      { day: iso('2026-03-09T04:00:00Z'), n: 20 },
    ]);
  });

  it('omits empty buckets instead of reporting zeros', () => {
    const store = openStore();
    const t0 = iso('2026-05-04T00:00:00Z');
    store.saveSnapshot(okSnapshot('a', t0, { usage: [bucket(t0 + 3 * HOUR), bucket(t0 + 2 * DAY + HOUR)] }));
    const r = store.series({ metric: 'requests', bucket: 'day', groupBy: 'none', from: t0, to: t0 + 5 * DAY });
    expect(r.series[0]?.points.map((p) => p.t)).toEqual([t0, t0 + 2 * DAY]);
    expect(store.series({ metric: 'requests', bucket: 'day', groupBy: 'none', from: t0 + 3 * DAY, to: t0 + 5 * DAY }).series).toEqual([]);
  });

  it('rejects an unknown zone with a clear message', () => {
    const store = openStore();
    expect(() => store.series({ metric: 'requests', bucket: 'day', groupBy: 'none', from: 0, to: DAY, timeZone: 'Mars/Olympus' })).toThrow(
      /Unknown time zone "Mars\/Olympus"/,
    );
    expect(() => SnapshotStore.open(':memory:', { timeZone: 'Nowhere' })).toThrow(/Unknown time zone/);
  });
});

describe('balance series', () => {
  const at = (s: string) => iso(`2026-06-01T${s}:00Z`);

  function seeded() {
    const store = openStore();
    store.saveSnapshots([
      okSnapshot('a', at('10:10'), { balance: { micros: 100, currency: 'USD' } }),
      okSnapshot('b', at('10:30'), { balance: { micros: 1000, currency: 'USD' } }),
      okSnapshot('a', at('10:50'), { balance: { micros: 90, currency: 'USD' } }),
      okSnapshot('a', at('11:20'), {
        balance: { micros: 80, currency: 'USD' },
        balances: [
          { micros: 80, currency: 'USD' },
          { micros: 5, currency: 'CNY' },
        ],
      }),
      { ...okSnapshot('a', at('11:40')), ok: false, error: { kind: 'timeout', message: 'Timed out' }, balance: null, balances: [] },
    ]);
    return store;
  }

  it('takes the last balance of each bucket per account and currency', () => {
    const store = seeded();
    const q: SeriesQuery = { metric: 'balance', bucket: 'hour', groupBy: 'account', from: at('00:00'), to: at('23:00') };
    expect(store.series(q).series).toEqual([
      { group: 'a', currency: 'CNY', points: [{ t: at('11:00'), v: 5 }] },
      { group: 'a', currency: 'USD', points: [{ t: at('10:00'), v: 90 }, { t: at('11:00'), v: 80 }] },
      { group: 'b', currency: 'USD', points: [{ t: at('10:00'), v: 1000 }] },
    ]);
    expect(store.series({ ...q, groupBy: 'none' }).series).toEqual([
      { group: 'all', currency: 'CNY', points: [{ t: at('11:00'), v: 5 }] },
      { group: 'all', currency: 'USD', points: [{ t: at('10:00'), v: 1090 }, { t: at('11:00'), v: 80 }] },
    ]);
    expect(store.series({ ...q, accountIds: ['b'] }).series.map((s) => s.group)).toEqual(['b']);
    // An unaligned range reads its edges from raw snapshots.
    expect(store.series({ ...q, from: at('10:20'), to: at('11:30') }).series[1]).toEqual({
      group: 'a',
      currency: 'USD',
      points: [{ t: at('10:00'), v: 90 }, { t: at('11:00'), v: 80 }],
    });
  });

  it('uses raw snapshots when buckets do not fall on whole hours (Asia/Kolkata, UTC+5:30)', () => {
    const store = seeded();
    const q: SeriesQuery = { metric: 'balance', bucket: 'hour', groupBy: 'none', from: at('00:00'), to: at('23:00'), timeZone: 'Asia/Kolkata' };
    expect(store.series(q).series).toEqual([
      { group: 'all', currency: 'CNY', points: [{ t: at('10:30'), v: 5 }] },
      { group: 'all', currency: 'USD', points: [{ t: at('09:30'), v: 100 }, { t: at('10:30'), v: 1080 }] },
    ]);
  });
});
