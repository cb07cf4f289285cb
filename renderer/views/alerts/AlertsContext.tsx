// Alert settings and the active alerts, shared by the Alerts tab, its tab label and the Overview banner, and kept
// current by 'alert' events: a new alert shows everywhere without a reload.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AlertsView } from '../../../shared/api.ts';
import type { AlertEvent } from '../../../shared/alerts.ts';
import { useLive } from '../../state/live.tsx';
import { whenVisible } from '../../state/visibility.ts';

export interface AlertsState {
  view: AlertsView | null;
  loadError: string | null;
  /** Fired, unacknowledged and still in breach; newest first. */
  active: AlertEvent[];
  /** Moves on every alert event and after snooze or acknowledge: the history re-queries on change. */
  revision: number;
  reload(): Promise<void>;
  /** Takes the view a save answered with, so the page shows what the core now holds. */
  replace(view: AlertsView): void;
  /** Something changed the history (snooze, acknowledge): re-read it and the active list. */
  changed(): void;
  /** Opens the Alerts tab. */
  open(): void;
}

const AlertsContext = createContext<AlertsState | null>(null);

export function useAlerts(): AlertsState {
  const state = useContext(AlertsContext);
  if (!state) throw new Error('useAlerts() outside <AlertsProvider>');
  return state;
}

/** For views that also render outside the provider (a banner is optional, a crash is not). */
export function useAlertsIfAny(): AlertsState | null {
  return useContext(AlertsContext);
}

export function AlertsProvider({ onOpen, children }: { onOpen: () => void; children: ReactNode }) {
  const { api, loaded, revision: liveRevision } = useLive();
  const [view, setView] = useState<AlertsView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);
  // Answers can cross: only the newest request's answer is shown.
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const next = await api.getAlerts();
      if (mine !== seq.current) return;
      setView(next);
      setLoadError(null);
    } catch (err) {
      if (mine === seq.current) setLoadError(err instanceof Error ? err.message : String(err));
    }
  }, [api]);

  // New figures can end a breach without an event (a top-up re-arms a rule): re-read after each burst of snapshots.
  useEffect(() => {
    if (loaded) void reload();
  }, [loaded, liveRevision, reload]);

  useEffect(() => {
    // Alerts raised while the page is hidden are read once, when it is shown.
    const reread = whenVisible(() => {
      setRevision((r) => r + 1);
      void reload();
    });
    const off = api.subscribe((event) => {
      if (event.type === 'alert') reread.call();
    });
    return () => {
      reread.cancel();
      off();
    };
  }, [api, reload]);

  const replace = useCallback((next: AlertsView) => {
    seq.current++;
    setView(next);
    setLoadError(null);
  }, []);

  const changed = useCallback(() => {
    setRevision((r) => r + 1);
    void reload();
  }, [reload]);

  const value = useMemo<AlertsState>(
    () => ({ view, loadError, active: view?.active ?? [], revision, reload, replace, changed, open: onOpen }),
    [view, loadError, revision, reload, replace, changed, onOpen],
  );
  return <AlertsContext.Provider value={value}>{children}</AlertsContext.Provider>;
}

/** "Alerts", with the number of active alerts when there are any. */
export function AlertsTabLabel() {
  const alerts = useAlertsIfAny();
  const count = alerts?.active.length ?? 0;
  return (
    <>
      Alerts
      {count > 0 && (
        <>
          <span className="tab-count" data-testid="alerts-tab-count" aria-hidden="true">
            {count}
          </span>
          <span className="visually-hidden">, {count} active</span>
        </>
      )}
    </>
  );
}
