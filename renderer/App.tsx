import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import type { SpendbarApi } from '../shared/api.ts';
import { LiveProvider, useLive } from './state/live.tsx';
import { Overview } from './views/Overview.tsx';
import { Usage } from './views/Usage.tsx';
import { Accounts } from './views/Accounts.tsx';
import { AlertsProvider, AlertsTabLabel } from './views/alerts/AlertsContext.tsx';
import { accountFromHash, ADD_ACCOUNT_ROUTE, type View } from './lib/view.ts';

// The Requests view (metering proxy) loads on first visit too: most people open the Overview first.
const Requests = lazy(() => import('./views/requests/Requests.tsx').then((m) => ({ default: m.Requests })));
// The Alerts tab carries the rule schemas (zod): loaded on first visit, so the first paint of the other views stays small.
const Alerts = lazy(() => import('./views/alerts/Alerts.tsx').then((m) => ({ default: m.Alerts })));
const Estimate = lazy(() => import('./views/Estimate.tsx').then((m) => ({ default: m.Estimate })));

export type { View };
const VIEWS: { id: View; label: ReactNode; testId?: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'usage', label: 'Usage' },
  { id: 'requests', label: 'Requests' },
  { id: 'accounts', label: 'Accounts' },
  { id: 'alerts', label: <AlertsTabLabel />, testId: 'alerts-tab' },
  { id: 'estimate', label: 'Estimate' },
];

function LiveBar() {
  const live = useLive();
  const paused = live.info?.paused ?? false;
  return (
    <div className="live-bar">
      <span role="status" aria-live="polite" className={`live-state${live.refreshing ? ' is-refreshing' : ''}`} data-testid="live-state" data-refreshing={live.refreshing}>
        {live.refreshing ? (
          <>
            <span className="spinner" aria-hidden="true" /> Refreshing…
          </>
        ) : paused ? (
          'Polling paused'
        ) : (
          'Live'
        )}
      </span>
      <button type="button" className="btn btn-primary" data-testid="refresh-now" disabled={live.refreshing} onClick={() => void live.refreshNow()}>
        Refresh now
      </button>
      <button type="button" className="btn" data-testid="pause-toggle" aria-pressed={paused} onClick={() => void live.setPaused(!paused)}>
        {paused ? 'Resume polling' : 'Pause polling'}
      </button>
      {live.refreshError && (
        <span role="alert" className="error-text small" data-testid="refresh-error">
          {live.refreshError}
        </span>
      )}
    </div>
  );
}

function Shell({ initialView }: { initialView: View }) {
  const live = useLive();
  const [view, setView] = useState<View>(accountFromHash(window.location.hash) ? 'overview' : initialView);
  const openAlerts = useCallback(() => setView('alerts'), []);
  const [focusAccount, setFocusAccount] = useState<string | null>(() => accountFromHash(window.location.hash));
  const [addRequest, setAddRequest] = useState(0);
  // A notification click opens the window at "#/account/<id>": show that account's card.
  useEffect(() => {
    const onHash = () => {
      const id = accountFromHash(window.location.hash);
      if (id) {
        setView('overview');
        setFocusAccount(id);
      } else if (window.location.hash === ADD_ACCOUNT_ROUTE) {
        setView('accounts');
        setAddRequest((n) => n + 1);
        history.replaceState(null, '', window.location.pathname + window.location.search);
      }
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (!focusAccount || view !== 'overview' || !live.loaded) return;
    const card = document.querySelector<HTMLElement>(`[data-testid="account-card"][data-account-id="${CSS.escape(focusAccount)}"]`);
    if (!card) return;
    card.scrollIntoView?.({ block: 'center' });
    card.setAttribute('tabindex', '-1');
    card.focus();
    card.classList.add('is-focused');
    const t = setTimeout(() => card.classList.remove('is-focused'), 4000);
    return () => clearTimeout(t);
  }, [focusAccount, view, live.loaded]);
  return (
    <AlertsProvider onOpen={openAlerts}>
      <div className="app">
        <header className="app-header">
          <div className="brand">
            <h1>Spendbar</h1>
            {live.info?.demo && (
              <span className="badge badge-demo" data-testid="demo-label" title="Figures come from the built-in demo providers, not real accounts">
                Demo data
              </span>
            )}
          </div>
          <LiveBar />
          <nav aria-label="Views" className="tabs">
            {VIEWS.map((v) => (
              <button key={v.id} type="button" className="tab" data-testid={v.testId ?? `tab-${v.id}`} aria-current={view === v.id ? 'page' : undefined} onClick={() => setView(v.id)}>
                {v.label}
              </button>
            ))}
          </nav>
        </header>
        <main className="app-main" id="main">
          {live.loadError ? (
            <div className="card" role="alert" data-testid="load-error">
              <p className="error-text">{live.loadError}</p>
              <button type="button" className="btn" onClick={live.retryLoad}>
                Try again
              </button>
            </div>
          ) : !live.loaded ? (
            <p className="muted" data-testid="loading">
              Loading…
            </p>
          ) : view === 'overview' ? (
            <Overview />
          ) : view === 'usage' ? (
            <Usage />
          ) : view === 'accounts' ? (
            <Accounts addRequest={addRequest} />
          ) : view === 'requests' ? (
            <Suspense fallback={<p className="muted">Loading requests…</p>}>
              <Requests />
            </Suspense>
          ) : view === 'estimate' ? (
            <Suspense fallback={<p className="muted">Loading…</p>}>
              <Estimate />
            </Suspense>
          ) : (
            <Suspense fallback={<p className="muted">Loading alerts…</p>}>
              <Alerts />
            </Suspense>
          )}
        </main>
      </div>
    </AlertsProvider>
  );
}

export function App({ api, initialView = 'overview' }: { api: SpendbarApi; initialView?: View }) {
  return (
    <LiveProvider api={api}>
      <Shell initialView={initialView} />
    </LiveProvider>
  );
}
