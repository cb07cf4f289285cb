// Counting tokens of an OpenAI encoding (byte-level BPE, as tiktoken does it) fast enough for 1 MB in well under
// 200 ms. The vocabularies and split patterns are gpt-tokenizer's data; the counting is ours, because its own encoder
// looks up every byte pair that is not valid UTF-8 (most pairs inside Chinese, Japanese or emoji) by binary search
// over byte arrays, and merges by splicing arrays: ~5 s for 1 MB of Chinese on this machine.
// Here tokens are looked up in typed-array tables (no allocation per lookup, see Ranks), and each piece is merged with a heap: lowest rank
// first, leftmost first on ties — tiktoken's order, so the counts are the same (checked against js-tiktoken on the
// test corpus, test/core/estimate/corpus.test.ts, and against gpt-tokenizer on the benchmark's 4 MB).

/** An encoding's tokens as bytes: all of them in one pool, in rank order, with each one's length. */
export interface Vocabulary {
  pool: Uint8Array;
  lengths: Int32Array;
}

/**
 * Ranks by the token's bytes, in typed arrays only (no per-lookup allocation): 1- and 2-byte tokens in a direct
 * table (most lookups are of byte pairs); longer ones in an open-addressing hash table (FNV-1a over the bytes,
 * linear probing) whose slots hold the rank, checked against the token's bytes kept in one pool.
 */
class Ranks {
  private readonly pairs = new Int32Array(65536 + 256).fill(-1);
  private readonly pool: Uint8Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private readonly table: Int32Array;
  private readonly mask: number;

  /** `pool` holds every token's bytes in rank order; `lengths[rank]` how many are its (0: no such rank). */
  constructor(vocabulary: Vocabulary) {
    const { pool, lengths } = vocabulary;
    this.pool = pool;
    this.lengths = lengths;
    this.offsets = new Int32Array(lengths.length);
    let size = 1;
    while (size < lengths.length * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    let at = 0;
    for (let rank = 0; rank < lengths.length; rank++) {
      const len = lengths[rank] as number;
      this.offsets[rank] = at;
      if (len === 1) this.pairs[65536 + (pool[at] as number)] = rank;
      else if (len === 2) this.pairs[((pool[at] as number) << 8) | (pool[at + 1] as number)] = rank;
      else if (len > 2) {
        let i = hash(pool, at, at + len) & this.mask;
        while ((this.table[i] as number) !== -1) i = (i + 1) & this.mask;
        this.table[i] = rank;
      }
      at += len;
    }
  }

  /** The rank of the token made of bytes[from, to), or -1. */
  get(bytes: Uint8Array, from: number, to: number): number {
    const len = to - from;
    if (len === 2) return this.pairs[((bytes[from] as number) << 8) | (bytes[from + 1] as number)] as number;
    if (len === 1) return this.pairs[65536 + (bytes[from] as number)] as number;
    let i = hash(bytes, from, to) & this.mask;
    for (;;) {
      const rank = this.table[i] as number;
      if (rank === -1) return -1;
      if (this.lengths[rank] === len) {
        const off = this.offsets[rank] as number;
        let same = true;
        for (let k = 0; k < len; k++) {
          if (this.pool[off + k] !== bytes[from + k]) {
            same = false;
            break;
          }
        }
        if (same) return rank;
      }
      i = (i + 1) & this.mask;
    }
  }
}

function hash(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h >>> 0;
}

// Scratch space reused by every merge (counting is synchronous, so one set serves the whole process). A piece of n
// bytes queues at most n − 1 pairs at first and 2 per merge after, so 3n heap slots always suffice.
let cap = 0;
let end = new Int32Array(0);
let prev = new Int32Array(0);
let keys = new Float64Array(0);
let mids = new Int32Array(0);
let rights = new Int32Array(0);

function reserve(n: number): void {
  if (n + 1 <= cap) return;
  cap = Math.max(64, 2 * (n + 1));
  end = new Int32Array(cap);
  prev = new Int32Array(cap);
  keys = new Float64Array(3 * cap);
  mids = new Int32Array(3 * cap);
  rights = new Int32Array(3 * cap);
}

const SHIFT = 8_388_608; // 2^23 > any piece length (inputs are bounded to 1 MiB)

/** Count how many tokens one pre-tokenized piece (its UTF-8 bytes are bytes[0, n)) merges into. */
function mergeCount(bytes: Buffer, n: number, ranks: Ranks): number {
  if (n < 2) return n;
  reserve(n);
  // Parts are byte ranges [start, end[start]); prev[start] is the start of the part before (-1 for the first).
  for (let i = 0; i <= n; i++) {
    end[i] = i + 1;
    prev[i] = i - 1;
  }
  // Binary min-heap of candidate merges: key = rank · 2^23 + left start; mids/rights say which two parts it joins.
  let size = 0;
  const push = (key: number, mid: number, right: number) => {
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((keys[p] as number) <= key) break;
      keys[i] = keys[p] as number;
      mids[i] = mids[p] as number;
      rights[i] = rights[p] as number;
      i = p;
    }
    keys[i] = key;
    mids[i] = mid;
    rights[i] = right;
  };
  const popTop = () => {
    const lastKey = keys[--size] as number;
    const lastMid = mids[size] as number;
    const lastRight = rights[size] as number;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && (keys[c + 1] as number) < (keys[c] as number)) c++;
      if ((keys[c] as number) >= lastKey) break;
      keys[i] = keys[c] as number;
      mids[i] = mids[c] as number;
      rights[i] = rights[c] as number;
      i = c;
    }
    keys[i] = lastKey;
    mids[i] = lastMid;
    rights[i] = lastRight;
  };
  const consider = (left: number, mid: number, right: number) => {
    const rank = ranks.get(bytes, left, right);
    if (rank >= 0) push(rank * SHIFT + left, mid, right);
  };
  for (let i = 0; i + 1 < n; i++) consider(i, i + 1, i + 2);
  let parts = n;
  while (size > 0) {
    const key = keys[0] as number;
    const mid = mids[0] as number;
    const right = rights[0] as number;
    popTop();
    const left = key % SHIFT;
    // Stale: one of the two parts has changed since this pair was queued.
    if (end[left] !== mid || end[mid] !== right) continue;
    end[left] = right;
    end[mid] = -1;
    prev[right] = left;
    parts--;
    const before = prev[left] as number;
    if (before >= 0) consider(before, left, right);
    if (right < n) consider(left, right, end[right] as number);
  }
  return parts;
}

const CACHE_LIMIT = 65_536;

export class BpeCounter {
  private readonly ranks: Ranks;
  private readonly split: RegExp;
  /** Counts of pieces seen before (words repeat); cleared when full, so it stays bounded. */
  private cache = new Map<string, number>();
  private buffer = Buffer.alloc(4096);

  constructor(vocabulary: Vocabulary, split: RegExp) {
    this.ranks = new Ranks(vocabulary);
    this.split = new RegExp(split.source, split.flags.includes('g') ? split.flags : `${split.flags}g`);
  }

  count(text: string): number {
    let total = 0;
    const re = this.split;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const piece = m[0];
      if (piece.length === 0) {
        re.lastIndex++;
        continue;
      }
      const cached = this.cache.get(piece);
      if (cached !== undefined) {
        total += cached;
        continue;
      }
      if (piece.length * 3 > this.buffer.length) this.buffer = Buffer.alloc(piece.length * 3);
      const length = this.buffer.write(piece, 0, 'utf8');
      const n = this.ranks.get(this.buffer, 0, length) >= 0 ? 1 : mergeCount(this.buffer, length, this.ranks);
      if (piece.length <= 32) {
        if (this.cache.size >= CACHE_LIMIT) this.cache = new Map();
        this.cache.set(piece, n);
      }
      total += n;
    }
    return total;
  }
}
