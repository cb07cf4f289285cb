// What GET /metrics writes, kept between scrapes. A scrape builds the small per-account part from the core's memory
// every time and asks the store one cheap question (has anything been written since?); it reads the counters — nine
// tenths of the text — only when the answer is yes, and renders again only the half (provider usage, metered
// requests) whose rows moved (store/metrics-totals.ts: marks). The text is held as segments (the per-account
// part, then one per counter family), each with its bytes and, once a scraper asked for gzip (Prometheus does), its
// compressed form: a segment whose text did not change is neither encoded nor compressed again, and an unchanged
// scrape reuses the whole body. The gzip body is one member whose deflate stream is the segments' streams end to end
// (each ends on a sync flush, so none refers back into another), as pigz builds its output.
import { nodeZlib } from '../lazy-builtins.ts';
import type { Account, AccountStatus } from '../../../shared/domain.ts';
import type { MetricsMarks, MetricsTotalsRead, MetricsTotalsSource } from '../store/metrics-totals.ts';
import { accountLabels, renderAccountMetrics, renderMeteredCounters, renderUsageCounters } from './metrics.ts';

/**
 * zlib level 3: on 50 accounts × 20 models (915 KB, deflated family by family) it took 1.3–2.0 ms of CPU for 33 KiB;
 * level 1 as long or longer for 37 KiB, level 6 3.9–4.0 ms for 30 KiB. The text repeats itself line after line, so a
 * fast level finds most of it; the whole body is compressed only when everything changed (the first scrape).
 */
const GZIP_LEVEL = 3;
/** gzip member header: magic, deflate, no flags, no time, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final fixed-Huffman block: ends the deflate stream the segments left open. */
const FINAL_BLOCK = Buffer.from([3, 0]);

export interface MetricsScrapeInput {
  accounts: Account[];
  statuses: AccountStatus[];
  pollErrors: Map<string, number>;
}

export interface MetricsBody {
  /** The exposition as UTF-8. */
  readonly text: Buffer;
  /** The same, gzipped: made on the first call and kept with the text. */
  gzipped(): Buffer;
}

/** A family's (or the per-account part's) bytes; only the bytes are kept, not the text (nearly 1 MB at 50 × 20). */
class Segment {
  readonly bytes: Buffer;
  private deflated: Buffer | null = null;
  private crc: number | null = null;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }
  /** Raw deflate of the bytes ending on a sync flush (byte-aligned, not final): streams of segments can be chained. */
  deflate(): Buffer {
    if (this.deflated) return this.deflated;
    const zlib = nodeZlib();
    return (this.deflated = zlib.deflateRawSync(this.bytes, { level: GZIP_LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
  }
  crc32(): number {
    return (this.crc ??= nodeZlib().crc32(this.bytes));
  }
}

class Body implements MetricsBody {
  readonly segments: readonly Segment[];
  private joined: Buffer | null = null;
  private zipped: Buffer | null = null;
  constructor(segments: readonly Segment[]) {
    this.segments = segments;
  }
  /** Joined on first use: a gzip scrape never needs the whole text in one buffer. */
  get text(): Buffer {
    return (this.joined ??= Buffer.concat(this.segments.map((s) => s.bytes)));
  }
  gzipped(): Buffer {
    if (this.zipped) return this.zipped;
    // The whole text's CRC from its segments' (each computed once), without a pass over the text.
    let crc = 0;
    let length = 0;
    for (const s of this.segments) {
      crc = crc32Combine(crc, s.crc32(), s.bytes.length);
      length += s.bytes.length;
    }
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc, 0);
    trailer.writeUInt32LE(length % 2 ** 32, 4);
    return (this.zipped = Buffer.concat([GZIP_HEADER, ...this.segments.map((s) => s.deflate()), FINAL_BLOCK, trailer]));
  }
}

// CRC-32 of two texts joined, from the CRC of each and the second's length: zlib's crc32_combine (multiplication
// modulo the CRC polynomial by x^(8·length), with a table of x^(2^k)), which Node does not expose.
const CRC_POLY = 0xedb88320;

/** a(x)·b(x) modulo the CRC polynomial, bit-reflected as CRCs are. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ CRC_POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0..31. */
const X2N: readonly number[] = (() => {
  const table = [0x40000000];
  for (let k = 1; k < 32; k++) table.push(multModP(table[k - 1] as number, table[k - 1] as number));
  return table;
})();

/** x^(n·2^k) modulo the polynomial. */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31] as number, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  return (multModP(x2nModP(length2, 3), crc1) ^ crc2) >>> 0;
}

/** One half of the counters: the rows its texts were made from, and a segment per family. */
interface CounterGroup<R> {
  rows: R | null;
  segments: Segment[];
}

export class MetricsExposition {
  /** What the counter segments were made from: the store's version, the redactor's generation and the account labels. */
  private countersKey: string | null = null;
  /** Made from the same labels and scrubber as the key's: a group is rendered again only when its rows differ. */
  private usage: CounterGroup<NonNullable<MetricsTotalsRead['usage']>> = { rows: null, segments: [] };
  private metered: CounterGroup<NonNullable<MetricsTotalsRead['metered']>> = { rows: null, segments: [] };
  private marks: MetricsMarks | null = null;
  private labelsKey: string | null = null;
  private body: Body | null = null;
  private readonly source: MetricsTotalsSource | undefined;
  private readonly scrub: ((text: string) => string) | undefined;
  private readonly scrubGeneration: () => number;

  constructor(opts: { source?: MetricsTotalsSource; scrub?: (text: string) => string; scrubGeneration?: () => number }) {
    this.source = opts.source;
    this.scrub = opts.scrub;
    this.scrubGeneration = opts.scrubGeneration ?? (() => 0);
  }

  /** The body of this scrape: the previous one when nothing in it changed. */
  render(input: MetricsScrapeInput): MetricsBody {
    const labels = accountLabels(input.accounts, this.scrub);
    const last = this.body;
    const headText = renderAccountMetrics({ ...input, scrub: this.scrub }, labels);
    const [head] = keep(last ? last.segments.slice(0, 1) : [], [headText]) as [Segment];
    const counters = this.currentCounters(labels);
    if (last && last.segments[0] === head && counters.every((c, i) => last.segments[i + 1] === c)) return last;
    return (this.body = new Body([head, ...counters]));
  }

  private currentCounters(labels: ReadonlyMap<string, string>): Segment[] {
    let labelsKey = String(this.scrubGeneration());
    for (const [id, text] of labels) labelsKey += `\u0000${id}\u0000${text}`;
    const key = `${this.source ? this.source.version() : '-'}\u0000${labelsKey}`;
    if (key === this.countersKey) return [...this.usage.segments, ...this.metered.segments];
    // The store sends only the halves whose rows moved since the marks of the last read (a poll's snapshot row moves
    // the version and no counter; a metered request moves only the metered half). A half is rendered again when its
    // rows moved or the labels did; the rows are kept for that.
    const read = this.source?.read(this.marks) ?? null;
    const sameLabels = labelsKey === this.labelsKey;
    if (!sameLabels || read?.usage) {
      const rows = read ? (read.usage ?? this.usage.rows) : null;
      this.usage = { rows, segments: keep(this.usage.segments, renderUsageCounters(labels, rows, this.scrub)) };
    }
    if (!sameLabels || read?.metered) {
      const rows = read ? (read.metered ?? this.metered.rows) : null;
      this.metered = { rows, segments: keep(this.metered.segments, renderMeteredCounters(labels, rows, this.scrub)) };
    }
    this.marks = read?.marks ?? null;
    this.countersKey = key;
    this.labelsKey = labelsKey;
    return [...this.usage.segments, ...this.metered.segments];
  }
}

/** Segments for the texts, keeping each old one whose bytes are the same (and its deflate and CRC with it). */
function keep(old: readonly Segment[], texts: readonly string[]): Segment[] {
  return texts.map((text, i) => {
    const bytes = Buffer.from(text);
    const was = old[i];
    return was && was.bytes.equals(bytes) ? was : new Segment(bytes);
  });
}

/** Whether an Accept-Encoding header accepts gzip (listed with a weight above zero). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (name !== 'gzip' && name !== 'x-gzip') continue;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}
