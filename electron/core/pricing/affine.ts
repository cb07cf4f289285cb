// The per-request fast path of the price arithmetic. For an entry whose prices are one plain set of numbers (no dated
// or time-of-day prices, no tiers), the library's result is affine in the four usage figures we pass, term by term:
// each price key costs `price × leaf / per`, where its leaf (the tokens of that unit not claimed by a more specific
// priced unit: input minus cached minus cache-write when those are priced) is an integer combination of the figures.
// The library stays the authority on what its keys mean: each key's `per`, leaf and direction are found once by
// probing its own calcPrice (that key at 1, the others at 0, unit usages), and the plan is used only when it then
// reproduces calcPrice bit for bit on a set of check usages. Per request we repeat the library's arithmetic in its
// order (each term `price * leaf / per` summed into input, output and other in key order, total = input + output +
// other), so the float result is the same number, not just the same rounded micro-USD.

/** The four figures calcPrice is given: input (cached and cache-write included), output, cache read, cache write. */
type Figures = readonly [input: number, output: number, cacheRead: number, cacheWrite: number];

/** One price key: its price, `per` and bucket, and its leaf = c0 + Σ c[i] × figure[i]. */
interface Term {
  price: number;
  per: number;
  bucket: 0 | 1 | 2; // input, output, other
  c0: number;
  c: [number, number, number, number];
}

export interface AffinePlan {
  terms: readonly Term[];
}

interface Result {
  total_price: number;
  input_price: number;
  output_price: number;
}

type Calc = (usage: Record<string, number>, prices: Record<string, unknown>) => Result | null;

/**
 * Figures above this take calcPrice: below it every leaf (a sum of at most five figures with coefficients −1, 0, 1)
 * is an exact integer, so the fast leaf is the library's leaf.
 */
const MAX_FIGURE = 2 ** 49;

const usageOf = (f: Figures): Record<string, number> => ({
  input_tokens: f[0],
  output_tokens: f[1],
  cache_read_tokens: f[2],
  cache_write_tokens: f[3],
});

/** Usages checked against calcPrice before a plan is trusted (the unit probes are checked too). */
const CHECKS: Figures[] = [
  [0, 0, 0, 0],
  [1200, 300, 200, 0],
  [1000, 50, 200, 100],
  [5e8, 5e8, 5e8, 0],
  [5e8, 3e8, 2e8, 3e8],
  [987_654_321, 123_456_789, 12_345_678, 1_234_567],
  [7, 1, 0, 7],
  [2 ** 40 + 3, 2 ** 33 + 1, 2 ** 39, 2 ** 38 + 1],
];

/** The list price of one request by the plan: calcPrice's arithmetic in calcPrice's order. */
export function planPrice(plan: AffinePlan, inputTokens: number, outputTokens: number, cacheRead: number, cacheWrite: number): number {
  let input = 0;
  let output = 0;
  let other = 0;
  for (const t of plan.terms) {
    const leaf = t.c0 + t.c[0] * inputTokens + t.c[1] * outputTokens + t.c[2] * cacheRead + t.c[3] * cacheWrite;
    const v = (t.price * leaf) / t.per;
    if (t.bucket === 0) input += v;
    else if (t.bucket === 1) output += v;
    else other += v;
  }
  return input + output + other;
}

/** Whether the plan may price these figures (else calcPrice does, and throws or prices exactly as before). */
export function planApplies(inputTokens: number, outputTokens: number, cacheRead: number, cacheWrite: number): boolean {
  return figure(inputTokens) && figure(outputTokens) && figure(cacheRead) && figure(cacheWrite) && cacheRead + cacheWrite <= inputTokens;
}

const figure = (x: number) => Number.isInteger(x) && x >= 0 && x <= MAX_FIGURE;

const isPlainNumbers = (prices: unknown): prices is Record<string, number | undefined> =>
  !!prices &&
  typeof prices === 'object' &&
  !Array.isArray(prices) &&
  Object.values(prices).every((v) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0));

/**
 * The fast plan of one entry's prices, or null (calcPrice per request): prices that are not one plain set of numbers,
 * a key the library does not know, or any probe that is not affine or not reproduced exactly.
 * `calc` is calcPrice run on the matched entry with the given prices in place of its own.
 */
export function derivePlan(prices: unknown, calc: Calc): AffinePlan | null {
  if (!isPlainNumbers(prices)) return null;
  const keys = Object.keys(prices).filter((k) => prices[k] !== undefined);
  try {
    const terms: Term[] = [];
    for (const key of keys) {
      const price = prices[key] as number;
      const probe: Record<string, number> = {};
      for (const k of keys) probe[k] = k === key ? 1 : 0;
      if (!knownKey(key, probe, calc)) return null;
      const term = probeTerm(price, (f) => calc(usageOf(f), probe));
      if (term === undefined) return null;
      if (term && price !== 0) terms.push(term);
    }
    const plan = { terms };
    for (const f of CHECKS) {
      const want = calc(usageOf(f), prices);
      if (!want || !Object.is(want.total_price, planPrice(plan, ...f))) return null;
    }
    return plan;
  } catch {
    return null;
  }
}

/**
 * Whether the library knows the price key: it refuses an invalid price under a key it knows, and skips (with a
 * warning, per request) a key it does not, which stays its business.
 */
function knownKey(key: string, probe: Record<string, number>, calc: Calc): boolean {
  try {
    calc(usageOf([1, 1, 0, 0]), { ...probe, [key]: -1 });
    return false;
  } catch {
    return true;
  }
}

/** One key's term from unit probes at price 1; null when it costs nothing for our figures, undefined when not affine. */
function probeTerm(price: number, calc: (f: Figures) => ReturnType<Calc>): Term | null | undefined {
  const probes: Figures[] = [
    [0, 0, 0, 0],
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [1, 0, 1, 0],
    [1, 0, 0, 1],
  ];
  const r = probes.map((f) => calc(f));
  if (r.some((x) => !x)) return undefined;
  const totals = r.map((x) => x!.total_price);
  const unit = Math.max(...totals.map(Math.abs));
  if (unit === 0) return null;
  // Every price key's unit is an integer count per `per` (per million tokens, per thousand searches, per hour).
  const per = Math.round(1 / unit);
  if (!(per > 0) || 1 / per !== unit) return undefined;
  const leaf = totals.map((t) => Math.round(t * per));
  if (leaf.some((l, i) => l / per !== totals[i])) return undefined;
  const [l0, lIn, lOut, lRead, lWrite] = leaf as [number, number, number, number, number];
  const term: Term = { price, per, bucket: 0, c0: l0, c: [lIn - l0, lOut - l0, lRead - lIn, lWrite - lIn] };
  if (![term.c0, ...term.c].every((c) => c === -1 || c === 0 || c === 1)) return undefined;
  // The bucket: every probe that cost something put it all in the same one of calcPrice's input or output sums.
  const buckets = new Set(r.filter((x) => x!.total_price !== 0).map((x) => bucketOf(x!)));
  if (buckets.size !== 1 || buckets.has(-1)) return undefined;
  term.bucket = [...buckets][0] as 0 | 1 | 2;
  return term;
}

function bucketOf(r: Result): number {
  if (r.input_price === r.total_price && r.output_price === 0) return 0;
  if (r.output_price === r.total_price && r.input_price === 0) return 1;
  return r.input_price === 0 && r.output_price === 0 ? 2 : -1;
}
