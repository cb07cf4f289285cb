// Runs an API query when its inputs change and keeps the previous answer on screen while the next loads,
// so a live update never flashes an empty chart.
import { useLayoutEffect, useRef, useState } from 'react';
import type { Early } from './usageStart.ts';

export interface QueryState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

function initial<T>(run: (() => Promise<T>) | null, sent: Early<T> | null): QueryState<T> {
  const outcome = sent?.outcome;
  if (outcome && 'data' in outcome) return { data: outcome.data, error: null, loading: false };
  if (outcome) return { data: null, error: outcome.error, loading: false };
  return { data: null, error: null, loading: run !== null || sent !== null };
}

/**
 * `sent`: the same query, already sent before the component mounted (see usageStart.ts): its answer stands for the
 * first run instead of asking again, and when it is already in, the first render shows it.
 */
export function useQuery<T>(run: (() => Promise<T>) | null, deps: readonly unknown[], sent: Early<T> | null = null): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>(() => initial(run, sent));
  const early = useRef(sent);
  // A layout effect sends the request in the commit that needs it, not after the browser has painted that commit.
  useLayoutEffect(() => {
    const first = early.current;
    early.current = null;
    // The answer sent early was already shown by the first render.
    if (first?.outcome) return;
    if (!run && !first) return;
    let cancelled = false;
    // Already loading (the first run): keep the state, so no extra render happens before the paint.
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    (first ? first.promise : run!()).then(
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
