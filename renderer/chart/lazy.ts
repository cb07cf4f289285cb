// Chart.js is most of the dashboard's script, and only the Usage view and the Overview draw charts: it runs on first
// use, or right at start-up when the page opens on Usage. The built page names the bar charts' chunks for the browser
// to fetch and compile alongside the entry (vite.config.ts), since both views the page usually opens on draw them.
// The balance lines (time axis, date-fns) are a module of their own: the bars above the fold do not wait for them.
// The views draw the loaded module's components directly rather than through React.lazy + Suspense: a Suspense
// boundary that showed its fallback is revealed at most every 300 ms (React throttles reveals against flicker),
// which held the first chart back by up to that long after its data and code were both in.
import { useEffect, useState } from 'react';

interface LazyModule<T> {
  load(): Promise<T>;
  loaded: T | null;
}

function lazyModule<T>(importer: () => Promise<T>): LazyModule<T> {
  let pending: Promise<T> | null = null;
  const mod: LazyModule<T> = {
    loaded: null,
    load: () => (pending ??= importer().then((m) => (mod.loaded = m))),
  };
  return mod;
}

/** The module once loaded (null until then; it starts loading on first render). */
function useLoaded<T>(mod: LazyModule<T>): T | null {
  const [value, setValue] = useState<T | null>(mod.loaded);
  useEffect(() => {
    if (value) return;
    let cancelled = false;
    void mod.load().then((m) => {
      if (!cancelled) setValue(m);
    });
    return () => {
      cancelled = true;
    };
  }, [mod, value]);
  return value;
}

const bars = lazyModule(() => import('./charts.tsx'));
const balances = lazyModule(() => import('./balance-charts.tsx'));

export function loadCharts(): Promise<typeof import('./charts.tsx')> {
  return bars.load();
}

/** The bar charts (BarPanels), or null while their code loads. */
export function useCharts(): typeof import('./charts.tsx') | null {
  return useLoaded(bars);
}

/** The balance line chart, or null while its code loads. */
export function useBalanceCharts(): typeof import('./balance-charts.tsx') | null {
  return useLoaded(balances);
}
