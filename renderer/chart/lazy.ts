// Chart.js and its date adapter are most of the dashboard's script, and only the Usage view draws charts: they
// load on first use, or right at start-up when the page opens on Usage, so they download and compile while the
// first API calls are in flight instead of before them.
import { lazy, useEffect, useState } from 'react';

let charts: Promise<typeof import('./charts.tsx')> | null = null;

export function loadCharts(): Promise<typeof import('./charts.tsx')> {
  charts ??= import('./charts.tsx');
  return charts;
}

let loaded = false;

/** True once the chart code has loaded (then a chart given data draws in the same commit). */
export function useChartsLoaded(): boolean {
  const [ready, setReady] = useState(loaded);
  useEffect(() => {
    if (ready) return;
    let cancelled = false;
    void loadCharts().then(() => {
      loaded = true;
      if (!cancelled) setReady(true);
    });
    return () => {
      cancelled = true;
    };
  }, [ready]);
  return ready;
}

export const LazyBarPanels = lazy(() => loadCharts().then((m) => ({ default: m.BarPanels })));
export const LazyBalanceChart = lazy(() => loadCharts().then((m) => ({ default: m.BalanceChart })));
