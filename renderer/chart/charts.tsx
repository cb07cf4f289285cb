// The chart components that need Chart.js: one module, loaded lazily through ./lazy.ts.
export { TrendCanvas } from '../views/TrendCanvas.tsx';
export { BalanceChart } from '../views/BalanceChart.tsx';
