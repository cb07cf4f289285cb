// Runs an API query when its inputs change and keeps the previous answer on screen while the next loads,
// so a live update never flashes an empty chart.
import { useLayoutEffect, useRef, useState } from 'react';
import type { EarlyAnswer } from './early.ts';

export interface QueryState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** `early`: the same query asked at start-up (state/early.ts); its answer is taken for the first run instead of asking again. */
export function useQuery<T>(run: (() => Promise<T>) | null, deps: readonly unknown[], early: EarlyAnswer<T> | null = null): QueryState<T> {
  // Already answered: the first render shows it.
  const [state, setState] = useState<QueryState<T>>(() => (early?.answer ? { data: early.answer.value, error: null, loading: false } : { data: null, error: null, loading: run !== null }));
  // It stands for the query of the first render's inputs: a development StrictMode runs that effect twice.
  const firstEarly = useRef(early ? { early, deps } : null);
  // A layout effect sends the request in the commit that needs it, not after the browser has painted that commit.
  useLayoutEffect(() => {
    if (!run) return;
    const first = firstEarly.current;
    const taken = first && first.deps.length === deps.length && first.deps.every((d, i) => Object.is(d, deps[i])) ? first.early : null;
    if (taken) taken.taken = true;
    else firstEarly.current = null;
    // The first render holds it already.
    if (taken?.answer && state.data === taken.answer.value) return;
    let cancelled = false;
    // Already loading (the first run): keep the state, so no extra render happens before the paint.
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    (taken ? taken.promise : run()).then(
      (data) => {
        if (!cancelled) setState({ data, error: null, loading: false });
      },
      (err: unknown) => {
        if (!cancelled) setState((s) => ({ data: s.data, error: err instanceof Error ? err.message : String(err), loading: false }));
      },
    );
    return () => {
      cancelled = true;
    };
    // The caller lists what the query depends on; `run` is a fresh closure every render.
  }, deps);
  return state;
}
