import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { pickApi } from './api/pick.ts';
import { loadCharts } from './chart/lazy.ts';
import { accountFromHash, viewFromSearch } from './lib/view.ts';
import { preloadLive } from './state/live.tsx';
import { preloadUsage } from './state/usageStart.ts';
import './styles.css';

const { api } = pickApi();
// The first API calls go out now rather than after React's first render and paint.
const info = preloadLive(api);
const initialView = viewFromSearch(window.location.search);
// (A notification's "#/account/<id>" opens the Overview instead: see App.tsx.)
if (initialView === 'usage' && !accountFromHash(window.location.hash)) {
  // Opening on Usage: fetch the chart code now, alongside the first API calls, not after their answers, and ask for
  // the trend chart's data as soon as the app's time zone is known, not after React has rendered the view.
  void loadCharts();
  preloadUsage(api, info);
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} initialView={initialView} />
  </StrictMode>,
);
