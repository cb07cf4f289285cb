// The app-wide live state: info, providers, accounts and statuses, kept current by api.subscribe().
// Views that query history (series, totals) watch `revision`, which moves whenever new figures arrive.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AppInfo, ProviderDescriptor, SpendbarApi } from '../../shared/api.ts';
import type { Account, AccountStatus } from '../../shared/domain.ts';
import type { FirstLoad } from '../../shared/first-load.ts';
import { applySnapshot, applyStatusDelta, hasNewFigures, isRefreshing, preferNewer } from './merge.ts';
import { onPageShown, pageHidden } from './visibility.ts';

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

const firstLoads = new WeakMap<SpendbarApi, Promise<FirstLoad>>();
// The first load the page was served with (shared/first-load.ts): the provider starts from it, loaded, with no request.
const servedLoads = new WeakMap<SpendbarApi, FirstLoad>();
const loadAll = async (api: SpendbarApi): Promise<FirstLoad> => {
  const [info, providers, accounts, statuses] = await Promise.all([api.getInfo(), api.listProviders(), api.listAccounts(), api.getStatus()]);
  return { info, providers, accounts, statuses };
};

/**
 * Sends the first load's requests before React has rendered anything (main.tsx calls it at start-up), or takes the
 * one the page was served with; the provider then starts from it instead of sending its own. Returns it.
 */
export function preloadLive(api: SpendbarApi, served: FirstLoad | null = null): Promise<FirstLoad> {
  if (served) {
    servedLoads.set(api, served);
    return Promise.resolve(served);
  }
  const known = firstLoads.get(api);
  if (known) return known;
  const load = loadAll(api);
  // The provider handles a failure; this only keeps it from counting as unhandled until the provider mounts.
  load.catch(() => undefined);
  firstLoads.set(api, load);
  return load;
}

function takeLoad(api: SpendbarApi): Promise<FirstLoad> {
  const load = firstLoads.get(api);
  firstLoads.delete(api);
  return load ?? loadAll(api);
}

function takeServed(api: SpendbarApi): FirstLoad | null {
  const served = servedLoads.get(api) ?? null;
  servedLoads.delete(api);
  return served;
}

export function LiveProvider({ api, children }: { api: SpendbarApi; children: ReactNode }) {
  // Served with the page: the first render already shows the view. The event stream's first push refreshes the statuses.
  const [served] = useState(() => takeServed(api));
  const [info, setInfo] = useState<AppInfo | null>(served?.info ?? null);
  const [providers, setProviders] = useState<ProviderDescriptor[]>(served?.providers ?? []);
  const [accounts, setAccounts] = useState<Account[]>(served?.accounts ?? []);
  const [statuses, setStatuses] = useState<AccountStatus[]>(served?.statuses ?? []);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(served !== null);
  const [revision, setRevision] = useState(0);
  const [manualRefreshes, setManualRefreshes] = useState(0);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const bumpTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Event handlers compare a push with what is shown, outside a state updater (those may run twice).
  const statusesRef = useRef<AccountStatus[]>(served?.statuses ?? []);
  // History views mount after the first load and read the store then: pushes before it need no re-query.
  const loadedRef = useRef(served !== null);
  // While the page is hidden, pushes are merged here and nowhere else: no render, no re-query until it is shown.
  const hiddenChanges = useRef<{ statuses: boolean; accounts: Account[] | null; revision: boolean }>({ statuses: false, accounts: null, revision: false });
  const putStatuses = useCallback((next: AccountStatus[]) => {
    statusesRef.current = next;
    setStatuses(next);
  }, []);
  const pushStatuses = useCallback(
    (next: AccountStatus[]) => {
      if (!pageHidden()) return putStatuses(next);
      statusesRef.current = next;
      hiddenChanges.current.statuses = true;
    },
    [putStatuses],
  );

  // Several accounts often finish polling together: one re-query for the burst, not one per snapshot.
  const bumpRevision = useCallback(() => {
    if (pageHidden()) {
      hiddenChanges.current.revision = true;
      return;
    }
    if (bumpTimer.current) return;
    bumpTimer.current = setTimeout(() => {
      bumpTimer.current = null;
      setRevision((r) => r + 1);
    }, 250);
  }, []);

  // Shown again: everything that arrived while hidden, in one render and at most one re-query.
  useEffect(
    () =>
      onPageShown(() => {
        const held = hiddenChanges.current;
        hiddenChanges.current = { statuses: false, accounts: null, revision: false };
        if (held.statuses) setStatuses(statusesRef.current);
        if (held.accounts) setAccounts(held.accounts);
        if (held.revision) setRevision((r) => r + 1);
      }),
    [],
  );

  useEffect(() => {
    if (served && attempt === 0) return;
    let cancelled = false;
    takeLoad(api)
      .then((l) => {
        if (cancelled) return;
        setInfo(l.info);
        setProviders(l.providers);
        setAccounts(l.accounts);
        putStatuses(l.statuses);
        loadedRef.current = true;
        setLoadError(null);
        setLoaded(true);
      })
      .catch((err: unknown) => {
        if (!cancelled) setLoadError(message(err));
      });
    return () => {
      cancelled = true;
    };
  }, [api, attempt, putStatuses, served]);

  useEffect(() => {
    const off = api.subscribe((event) => {
      if (event.type === 'snapshot') {
        pushStatuses(applySnapshot(statusesRef.current, event.snapshot));
        if (loadedRef.current) bumpRevision();
      } else if (event.type === 'status') {
        // Every new event stream starts with a status push that repeats what the first load read: no re-query for it.
        const prev = statusesRef.current;
        pushStatuses(event.statuses);
        if (loadedRef.current && hasNewFigures(prev, event.statuses)) bumpRevision();
      } else if (event.type === 'status-delta') {
        // Only the accounts that changed: merged into what is shown, the rest untouched.
        const prev = statusesRef.current;
        const next = applyStatusDelta(prev, event.statuses);
        pushStatuses(next);
        if (loadedRef.current && hasNewFigures(prev, next)) bumpRevision();
      } else if (event.type === 'accounts') {
        if (pageHidden()) hiddenChanges.current.accounts = event.accounts;
        else setAccounts(event.accounts);
      }
    });
    return () => {
      off();
      if (bumpTimer.current) clearTimeout(bumpTimer.current);
      bumpTimer.current = null;
    };
  }, [api, bumpRevision, pushStatuses]);

  const refreshNow = useCallback(
    async (accountId?: string) => {
      setManualRefreshes((n) => n + 1);
      setRefreshError(null);
      try {
        // The answer may be older than deltas that arrived while it travelled: the newer status of each account wins.
        const answered = await api.refresh(accountId);
        putStatuses(preferNewer(statusesRef.current, answered));
        setRevision((r) => r + 1);
      } catch (err) {
        setRefreshError(message(err));
      } finally {
        setManualRefreshes((n) => n - 1);
      }
    },
    [api, putStatuses],
  );

  const reloadAccounts = useCallback(async () => {
    const [a, s] = await Promise.all([api.listAccounts(), api.getStatus()]);
    setAccounts(a);
    putStatuses(s);
    setRevision((r) => r + 1);
  }, [api, putStatuses]);

  const setPaused = useCallback(
    async (paused: boolean) => {
      await api.setPaused(paused);
      setInfo((i) => (i ? { ...i, paused } : i));
      putStatuses(statusesRef.current.map((s) => ({ ...s, paused })));
    },
    [api, putStatuses],
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
