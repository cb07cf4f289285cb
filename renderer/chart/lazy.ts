// Chart.js and its date adapter are most of the dashboard's script, and only the Usage view draws charts: they
// load on first use, or right at start-up when the page opens on Usage, so they download and compile while the
// first API calls are in flight instead of before them.
// The views draw the loaded module's components directly rather than through React.lazy + Suspense: a Suspense
// boundary that showed its fallback is revealed at most every 300 ms (React throttles reveals against flicker),
// which held the first chart back by up to that long after its data and code were both in.
import { useEffect, useState } from 'react';

type Charts = typeof import('./charts.tsx');
let charts: Promise<Charts> | null = null;
let loaded: Charts | null = null;

export function loadCharts(): Promise<Charts> {
  charts ??= import('./charts.tsx').then((m) => (loaded = m));
  return charts;
}

/** The chart components once their code has loaded (null until then; it starts loading on first call). */
export function useCharts(): Charts | null {
  const [mod, setMod] = useState<Charts | null>(loaded);
  useEffect(() => {
    if (mod) return;
    let cancelled = false;
    void loadCharts().then((m) => {
      if (!cancelled) setMod(m);
    });
    return () => {
      cancelled = true;
    };
  }, [mod]);
  return mod;
}
