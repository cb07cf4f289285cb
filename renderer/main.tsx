import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type View } from './App.tsx';
import { pickApi } from './api/pick.ts';
import { loadCharts } from './chart/lazy.ts';
import { preloadLive } from './state/live.tsx';
import './styles.css';

const { api } = pickApi();
// The first API calls go out now rather than after React's first render and paint.
preloadLive(api);
// `?view=usage` (or accounts, alerts) opens a view directly (the tray's "open at" links and the bench use it).
const requested = new URLSearchParams(window.location.search).get('view');
const initialView: View = requested === 'usage' || requested === 'accounts' || requested === 'alerts' ? requested : 'overview';
// Opening on Usage: fetch the chart code now, alongside the first API calls, not after their answers.
if (initialView === 'usage') void loadCharts();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} initialView={initialView} />
  </StrictMode>,
);
