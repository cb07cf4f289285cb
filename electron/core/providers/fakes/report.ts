// The bucketed, cursor-paged reports OpenAI's and Anthropic's organization APIs share, for their fakes: buckets
// of a fixed width from the requested start, `limit` buckets a page, results summed per group (fields not grouped
// by are null), empty buckets with no results. Pages can be told never to end, or to repeat their cursor.

export const WIDTH_MS: Record<string, number> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

export interface Limits {
  /** Default and maximum `limit` per bucket width. */
  [width: string]: { def: number; max: number };
}

export interface ReportRecord {
  /** Epoch ms. */
  time: number;
  /** Grouping fields (model, api_key_id, …) → value. */
  group: Record<string, string | null>;
  /** Summed figures. */
  values: Record<string, number>;
}

export interface PagingMode {
  /** Always say there is another page, with a fresh cursor each time. */
  endless?: boolean;
  /** Always hand out the same next-page cursor. */
  repeatCursor?: boolean;
}

export interface ReportQuery {
  startMs: number;
  endMs: number;
  width: string;
  limit: number;
  groupBy: string[];
  /** Opaque cursor from an earlier page, or null. */
  page: string | null;
}

export interface ReportBucket {
  startMs: number;
  endMs: number;
  results: Record<string, unknown>[];
}

export interface ReportPage {
  buckets: ReportBucket[];
  hasMore: boolean;
  nextPage: string | null;
}

/** Cursors are opaque to clients; here they carry the bucket index to continue from. */
const encode = (i: number, n = 0) => Buffer.from(`b:${i}:${n}`).toString('base64url');
function decode(cursor: string): number | null {
  const m = /^b:(\d+):\d+$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

let endlessCounter = 0;

/** null when the cursor is not one this fake handed out. */
export function reportPage(
  records: ReportRecord[],
  q: ReportQuery,
  toResult: (group: Record<string, string | null>, values: Record<string, number>) => Record<string, unknown>,
  allGroups: string[],
  mode: PagingMode = {},
): ReportPage | null {
  const width = WIDTH_MS[q.width]!;
  const first = q.page === null ? 0 : decode(q.page);
  if (first === null) return null;
  const total = Math.max(0, Math.ceil((q.endMs - q.startMs) / width));
  const buckets: ReportBucket[] = [];
  const last = Math.min(total, first + q.limit);
  // Each record goes to its page's bucket once, instead of every bucket scanning every record.
  const byBucket = new Map<number, ReportRecord[]>();
  for (const r of records) {
    if (r.time < q.startMs || r.time >= q.endMs) continue;
    const i = Math.floor((r.time - q.startMs) / width);
    if (i < first || i >= last) continue;
    let list = byBucket.get(i);
    if (!list) byBucket.set(i, (list = []));
    list.push(r);
  }
  for (let i = first; i < last; i++) {
    const startMs = q.startMs + i * width;
    const endMs = startMs + width;
    const groups = new Map<string, { group: Record<string, string | null>; values: Record<string, number> }>();
    for (const r of byBucket.get(i) ?? []) {
      const group: Record<string, string | null> = {};
      for (const g of allGroups) group[g] = q.groupBy.includes(g) ? (r.group[g] ?? null) : null;
      const id = JSON.stringify(group);
      let acc = groups.get(id);
      if (!acc) groups.set(id, (acc = { group, values: {} }));
      for (const [k, v] of Object.entries(r.values)) acc.values[k] = round((acc.values[k] ?? 0) + v);
    }
    buckets.push({ startMs, endMs: Math.min(endMs, q.endMs), results: [...groups.values()].map((g) => toResult(g.group, g.values)) });
  }
  if (mode.endless) return { buckets, hasMore: true, nextPage: encode(last, ++endlessCounter) };
  if (mode.repeatCursor) return { buckets, hasMore: true, nextPage: encode(first === 0 ? last : first) };
  const hasMore = last < total;
  return { buckets, hasMore, nextPage: hasMore ? encode(last) : null };
}

/** Keeps float sums to 1e-9, so fixtures compare exactly. */
function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

/** A small deterministic generator for demo data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
