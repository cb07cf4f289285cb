// The chart components that need Chart.js: one module, loaded lazily through ./lazy.ts.
export { BarPanels } from '../views/BarPanels.tsx';
export { BalanceChart } from '../views/BalanceChart.tsx';
