// Runs an API query when its inputs change and keeps the previous answer on screen while the next loads,
// so a live update never flashes an empty chart.
import { useLayoutEffect, useState } from 'react';

export interface QueryState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

export function useQuery<T>(run: (() => Promise<T>) | null, deps: readonly unknown[]): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ data: null, error: null, loading: run !== null });
  // A layout effect sends the request in the commit that needs it, not after the browser has painted that commit.
  useLayoutEffect(() => {
    if (!run) return;
    let cancelled = false;
    // Already loading (the first run): keep the state, so no extra render happens before the paint.
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    run().then(
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
