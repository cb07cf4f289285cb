// The bar charts: one module with Chart.js's bar pieces, loaded lazily through ./lazy.ts.
export { BarPanels } from '../views/BarPanels.tsx';
export { warmUpBarCharts } from './warm-up.ts';
