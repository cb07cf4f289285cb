import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { pickApi } from './api/pick.ts';
import { loadCharts } from './chart/lazy.ts';
import { accountFromHash, viewFromSearch } from './lib/view.ts';
import { preloadLive } from './state/live.tsx';
import { firstRenderNeeds, preloadUsage } from './state/usageStart.ts';
import './styles.css';

const { api } = pickApi();
const initialView = viewFromSearch(window.location.search);
// (A notification's "#/account/<id>" opens the Overview instead: see App.tsx.)
const opensUsage = initialView === 'usage' && !accountFromHash(window.location.hash);
// Opening on Usage: fetch the chart code now, alongside the first API calls, not after their answers. It is asked
// for first: the browser opens at most six connections to the server, and the API calls below would take them all.
if (opensUsage) void loadCharts();
// The first API calls go out now rather than after React's first render and paint. Opening on Usage, its trend
// chart's data is asked for now too (after them), not after React has rendered the view.
preloadLive(api, opensUsage ? () => firstRenderNeeds(preloadUsage(api)) : undefined);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} initialView={initialView} />
  </StrictMode>,
);
