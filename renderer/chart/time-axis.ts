// The time axis of the balance chart, with date-fns as Chart.js's date adapter: kept out of the bar charts' module.
import { TimeScale } from 'chart.js';
import 'chartjs-adapter-date-fns';
import { Chart } from './setup.ts';

Chart.register(TimeScale);
