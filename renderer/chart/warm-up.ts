// Chart.js's first chart in a page costs about twice what the next one does (measured: 60-130 ms against 30-65 ms on
// the 2-core bench host): its code is compiled and its caches filled as it first runs. While the page waits for the
// answers its first chart will draw, a small throwaway chart of the same kind (stacked bars on a category and a
// linear axis, with a tooltip) pays for that off the document: no layout, nothing shown, destroyed at once.
import type { ChartConfiguration } from 'chart.js';
import { Chart } from './setup.ts';

export function warmUpBarCharts(): void {
  if (typeof document === 'undefined') return;
  const canvas = document.createElement('canvas');
  canvas.width = 600;
  canvas.height = 300;
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      datasets: [
        { label: 'a', data: [1, 2, 3, 4, 5, 6, 7], backgroundColor: '#888', stack: 'all' },
        { label: 'b', data: [7, 6, 5, 4, 3, 2, 1], backgroundColor: '#444', stack: 'all' },
      ],
    },
    options: {
      responsive: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 }, grid: { display: false } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'requests' }, ticks: { precision: 0, callback: (v) => String(v) } },
      },
    },
  };
  try {
    new Chart(canvas, config).destroy();
  } catch {
    // Only ever a head start: the real chart draws without it.
  }
}
