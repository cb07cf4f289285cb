import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { pickApi } from './api/pick.ts';
import { takeServedFirstLoad } from './api/served.ts';
import { loadCharts } from './chart/lazy.ts';
import { accountFromHash, viewFromSearch } from './lib/view.ts';
import { earlyAnswersIn } from './state/early.ts';
import { preloadLive } from './state/live.tsx';
import { askUsageEarly } from './views/usage-queries.ts';
import './styles.css';

// How long the first render may wait for the opening view's chart code and answers. Rendering before they are in
// costs a "Loading…" frame (a full layout and paint) and a second render of the whole view, on a busy main thread
// that the chart then waits for; past this, the page renders what it has and fills in as answers arrive.
const OPENING_WAIT_MS = 300;

const { api, transport } = pickApi();
// The first API calls go out now rather than after React's first render and paint; `spendbar serve` may have put
// their answers in the page already.
const firstLoad = preloadLive(api, transport === 'http' ? takeServedFirstLoad() : null);
const initialView = accountFromHash(window.location.hash) ? 'overview' : viewFromSearch(window.location.search);
let opening: Promise<unknown> = Promise.resolve();
// Opening on Usage: fetch the chart code and ask the view's first queries now, alongside the first load, not after
// React has rendered the view. They need the app's zone: from the first load.
if (initialView === 'usage') {
  let answered = false;
  const asked = firstLoad.then((l) => {
    askUsageEarly(api, l.info.timeZone);
    return earlyAnswersIn().then(() => (answered = true));
  });
  // Still waiting for the answers once the chart code is in: draw Chart.js's first (throwaway) chart meanwhile.
  const charts = loadCharts().then((m) => answered || m.warmUpBarCharts());
  opening = Promise.all([charts, asked]);
}

const render = () =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App api={api} initialView={initialView} />
    </StrictMode>,
  );
void Promise.race([opening, new Promise((r) => setTimeout(r, OPENING_WAIT_MS))]).then(render, render);
