// Only the Chart.js pieces the dashboard draws are registered: smaller bundle, faster start. The time axis (with its
// date adapter) is registered by ./time-axis.ts, which only the balance chart loads.
// The legend is HTML (keyboard reachable), so Chart.js's canvas Legend plugin is not registered.
import { BarController, BarElement, CategoryScale, Chart, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LineController, LineElement, PointElement, LinearScale, Tooltip);

// Axis text in the page's own font: it reads as part of the page, and the first chart measures its labels with a
// font the page has already resolved instead of looking up Chart.js's default Helvetica/Arial stack on first use.
if (typeof document !== 'undefined' && document.body) {
  const family = getComputedStyle(document.body).fontFamily;
  if (family) Chart.defaults.font.family = family;
}

export { Chart };
