// Answers asked for at start-up, before the view that shows them has rendered (main.tsx asks for the view the page
// opens on): the view takes them instead of asking again, and renders from them at once when they are already in.
// Each is taken once; anything later goes to the core.
export interface EarlyAnswer<T> {
  promise: Promise<T>;
  /** Set once the answer is in. */
  answer: { value: T } | null;
  taken: boolean;
}

interface Asked {
  name: string;
  query: unknown;
  early: EarlyAnswer<unknown>;
}

const asked: Asked[] = [];

export function askEarly<T>(name: string, query: unknown, run: () => Promise<T>): void {
  const early: EarlyAnswer<T> = { promise: run(), answer: null, taken: false };
  early.promise.then(
    (value) => (early.answer = { value }),
    // The view that takes it shows the failure; until then it is not unhandled.
    () => undefined,
  );
  asked.push({ name, query, early });
}

// A period that ends "now" ends a moment later when the view renders than when start-up asked: the same query.
const NOW_DRIFT_MS = 10_000;

function sameQuery(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return JSON.stringify(a) === JSON.stringify(b);
  const { to: toA, ...restA } = a as { to?: unknown };
  const { to: toB, ...restB } = b as { to?: unknown };
  if (typeof toA === 'number' && typeof toB === 'number' ? Math.abs(toA - toB) > NOW_DRIFT_MS : toA !== toB) return false;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

/** The early answer to this query, if start-up asked for it and no one took it yet (reading it does not take it). */
export function findEarly<T>(name: string, query: unknown): EarlyAnswer<T> | null {
  const hit = asked.find((a) => !a.early.taken && a.name === name && sameQuery(a.query, query));
  return (hit?.early as EarlyAnswer<T> | undefined) ?? null;
}

/** Settles when every early answer asked so far is in (or failed). */
export function earlyAnswersIn(): Promise<void> {
  return Promise.allSettled(asked.map((a) => a.early.promise)).then(() => undefined);
}

/** Forgets every early answer (tests; a page opens once). */
export function forgetEarly(): void {
  asked.length = 0;
}
