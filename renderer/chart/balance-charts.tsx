// The balance line chart and its time axis (date-fns): loaded lazily through ./lazy.ts, after the bars.
export { BalanceChart } from '../views/BalanceChart.tsx';
