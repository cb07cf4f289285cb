// Chart colours: a palette readable on both themes, and axis colours read from the CSS variables so the
// canvas follows prefers-color-scheme like the rest of the page.
import { useEffect, useState } from 'react';

const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

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
