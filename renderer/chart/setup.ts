// Only the Chart.js pieces the dashboard draws are registered: smaller bundle, faster start.
// The legend is HTML (keyboard reachable), so Chart.js's canvas Legend plugin is not registered.
import { BarController, BarElement, CategoryScale, Chart, LineController, LineElement, LinearScale, PointElement, TimeScale, Tooltip } from 'chart.js';
import 'chartjs-adapter-date-fns';

Chart.register(BarController, BarElement, CategoryScale, LineController, LineElement, PointElement, LinearScale, TimeScale, Tooltip);

export { Chart };
