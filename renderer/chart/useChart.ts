// One Chart.js chart per canvas for the life of its component: created once, then given new data and options in
// place and redrawn without animation (`update('none')`). Re-creating a chart on every data change (a live poll, a
// filter) costs a full layout, scale and element build each time; an update reuses all of it.
// It is created in a layout effect, so the frame that first shows the canvas already holds the drawn chart.
import { useLayoutEffect, useRef, type RefObject } from 'react';
import type { ChartConfiguration, ChartType } from 'chart.js';
import { Chart } from './setup.ts';

export function useChart<T extends ChartType>(config: ChartConfiguration<T>): RefObject<HTMLCanvasElement | null> {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const chart = useRef<Chart<T> | null>(null);

  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const existing = chart.current;
    // A component draws one type of chart; only a new canvas element (a remount) needs a new chart.
    if (existing && existing.canvas === el) {
      existing.data = config.data;
      if (config.options) existing.options = config.options;
      existing.update('none');
    } else {
      existing?.destroy();
      chart.current = new Chart(el, config);
    }
    // How many times this canvas was drawn from data: benches and tests wait for a drawn chart, not an empty canvas.
    el.dataset.drawn = String(Number(el.dataset.drawn ?? 0) + 1);
  }, [config]);

  useLayoutEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );
  return canvas;
}
