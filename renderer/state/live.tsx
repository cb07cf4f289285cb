// The app-wide live state: info, providers, accounts and statuses, kept current by api.subscribe().
// Views that query history (series, totals) watch `revision`, which moves whenever new figures arrive.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AppInfo, ProviderDescriptor, SpendbarApi } from '../../shared/api.ts';
import type { Account, AccountStatus } from '../../shared/domain.ts';
import { applySnapshot, isRefreshing } from './merge.ts';

export interface LiveState {
  api: SpendbarApi;
  info: AppInfo | null;
  providers: ProviderDescriptor[];
  accounts: Account[];
  statuses: AccountStatus[];
  /** Set when the first load failed; the views show it instead of empty cards. */
  loadError: string | null;
  loaded: boolean;
  /** Moves when new figures arrive; history views re-query on change. */
  revision: number;
  /** A poll is running (pushed by the core) or a "Refresh now" is in flight. */
  refreshing: boolean;
  refreshError: string | null;
  refreshNow(accountId?: string): Promise<void>;
  reloadAccounts(): Promise<void>;
  setPaused(paused: boolean): Promise<void>;
  retryLoad(): void;
}

const LiveContext = createContext<LiveState | null>(null);

export function useLive(): LiveState {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive() outside <LiveProvider>');
  return live;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function LiveProvider({ api, children }: { api: SpendbarApi; children: ReactNode }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [providers, setProviders] = useState<ProviderDescriptor[]>([]);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [statuses, setStatuses] = useState<AccountStatus[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [revision, setRevision] = useState(0);
  const [manualRefreshes, setManualRefreshes] = useState(0);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const bumpTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Several accounts often finish polling together: one re-query for the burst, not one per snapshot.
  const bumpRevision = useCallback(() => {
    if (bumpTimer.current) return;
    bumpTimer.current = setTimeout(() => {
      bumpTimer.current = null;
      setRevision((r) => r + 1);
    }, 250);
  }, []);

  useEffect(() => {
    let cancelled = false;
    Promise.all([api.getInfo(), api.listProviders(), api.listAccounts(), api.getStatus()])
      .then(([i, p, a, s]) => {
        if (cancelled) return;
        setInfo(i);
        setProviders(p);
        setAccounts(a);
        setStatuses(s);
        setLoadError(null);
        setLoaded(true);
      })
      .catch((err: unknown) => {
        if (!cancelled) setLoadError(message(err));
      });
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  useEffect(() => {
    const off = api.subscribe((event) => {
      if (event.type === 'snapshot') {
        setStatuses((prev) => applySnapshot(prev, event.snapshot));
        bumpRevision();
      } else if (event.type === 'status') {
        setStatuses(event.statuses);
        bumpRevision();
      } else if (event.type === 'accounts') {
        setAccounts(event.accounts);
      }
    });
    return () => {
      off();
      if (bumpTimer.current) clearTimeout(bumpTimer.current);
      bumpTimer.current = null;
    };
  }, [api, bumpRevision]);

  const refreshNow = useCallback(
    async (accountId?: string) => {
      setManualRefreshes((n) => n + 1);
      setRefreshError(null);
      try {
        setStatuses(await api.refresh(accountId));
        setRevision((r) => r + 1);
      } catch (err) {
        setRefreshError(message(err));
      } finally {
        setManualRefreshes((n) => n - 1);
      }
    },
    [api],
  );

  const reloadAccounts = useCallback(async () => {
    const [a, s] = await Promise.all([api.listAccounts(), api.getStatus()]);
    setAccounts(a);
    setStatuses(s);
    setRevision((r) => r + 1);
  }, [api]);

  const setPaused = useCallback(
    async (paused: boolean) => {
      await api.setPaused(paused);
      setInfo((i) => (i ? { ...i, paused } : i));
      setStatuses((prev) => prev.map((s) => ({ ...s, paused })));
    },
    [api],
  );

  const retryLoad = useCallback(() => setAttempt((n) => n + 1), []);

  const value = useMemo<LiveState>(
    () => ({
      api,
      info,
      providers,
      accounts,
      statuses,
      loadError,
      loaded,
      revision,
      refreshing: manualRefreshes > 0 || isRefreshing(statuses),
      refreshError,
      refreshNow,
      reloadAccounts,
      setPaused,
      retryLoad,
    }),
    [api, info, providers, accounts, statuses, loadError, loaded, revision, manualRefreshes, refreshError, refreshNow, reloadAccounts, setPaused, retryLoad],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
