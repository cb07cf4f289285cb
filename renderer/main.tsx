import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { pickApi } from './api/pick.ts';
import { takeServedFirstLoad } from './api/served.ts';
import { loadCharts } from './chart/lazy.ts';
import { viewFromSearch } from './lib/view.ts';
import { preloadLive } from './state/live.tsx';
import './styles.css';

const { api, transport } = pickApi();
// The first API calls go out now rather than after React's first render and paint; `spendbar serve` may have put
// their answers in the page already.
preloadLive(api, transport === 'http' ? takeServedFirstLoad() : null);
const initialView = viewFromSearch(window.location.search);
// Opening on Usage: fetch the chart code now, alongside the first API calls, not after their answers.
if (initialView === 'usage') void loadCharts();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} initialView={initialView} />
  </StrictMode>,
);
