// Chart colours: a palette readable on both themes, and axis colours read from the CSS variables so the
// canvas follows prefers-color-scheme like the rest of the page.
import { useEffect, useState } from 'react';

// Twelve hues far enough apart to tell stacked bars apart on light and dark backgrounds.
const PALETTE = [
  '#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2',
  '#edc948', '#ff9da7', '#9c755f', '#2f4b7c', '#a0cbe8', '#8cd17d',
];

/**
 * The colour of a model, key or account. `known` is the full list of such names (the filter's models, or every
 * account) — not what the current selection shows — so a model keeps its colour in every metric, filter and chart,
 * and the first dozen never share one. A name outside the list gets a colour from its letters alone.
 */
export function groupColor(group: string, known: readonly string[] = []): string {
  const i = known.indexOf(group);
  if (i >= 0) return PALETTE[i % PALETTE.length]!;
  let h = 0x811c9dc5;
  for (let c = 0; c < group.length; c++) h = Math.imul(h ^ group.charCodeAt(c), 0x01000193) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export type ColorOf = (group: string) => string;

export interface ChartTheme {
  text: string;
  grid: string;
}

function readTheme(): ChartTheme {
  const css = typeof window === 'undefined' ? null : window.getComputedStyle(document.documentElement);
  return {
    text: css?.getPropertyValue('--muted').trim() || '#6b7280',
    grid: css?.getPropertyValue('--grid').trim() || 'rgba(128,128,128,0.2)',
  };
}

export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(readTheme);
  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!mq) return;
    const onChange = () => setTheme(readTheme());
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return theme;
}
