// SpendbarApi over HTTP to `spendbar serve`, following HTTP_ROUTES. Live events come over Server-Sent Events.
import type { AccountStatus } from '../../shared/domain.ts';
import { HTTP_ROUTES, type AccountInput, type ApiErrorBody, type SpendbarApi, type SpendbarEvent, type TestResult } from '../../shared/api.ts';
import type { AlertHistoryFilter } from '../../shared/alerts.ts';
import { requestFilterToQuery } from '../../shared/request-query.ts';

/** An API failure with the server's user-facing message, the offending form field, and the failed test if any. */
export class ApiError extends Error {
  readonly status: number;
  readonly field: string | undefined;
  readonly test: TestResult | undefined;
  constructor(message: string, status: number, field?: string, test?: TestResult) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field;
    this.test = test;
  }
}

export interface EventSourceLike {
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onopen: ((ev: Event) => void) | null;
  close(): void;
}

export interface HttpApiOptions {
  /** Origin plus any path prefix; '' = same origin. */
  baseUrl?: string;
  token?: string | null;
  fetch?: typeof fetch;
  eventSource?: (url: string) => EventSourceLike;
}

export function createHttpApi(opts: HttpApiOptions = {}): SpendbarApi {
  const base = (opts.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const openEvents = opts.eventSource ?? ((url: string) => new EventSource(url) as EventSourceLike);

  // One event stream however many parts of the page listen: each stream holds one of the browser's six
  // connections to the server, and the server answers each new stream with a full status push.
  const listeners = new Set<(event: SpendbarEvent) => void>();
  let events: { close(): void } | null = null;
  const dispatch = (event: SpendbarEvent) => {
    for (const l of [...listeners]) {
      try {
        l(event);
      } catch (err) {
        // One broken listener must not starve the others; the error still surfaces.
        setTimeout(() => {
          throw err;
        });
      }
    }
  };

  function openStream(): { close(): void } {
    const url = `${base}${HTTP_ROUTES.events}${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''}`;
    const source = openEvents(url);
    let dropped = false;
    let closed = false;
    source.onmessage = (ev) => {
      let event: SpendbarEvent;
      try {
        event = JSON.parse(String(ev.data)) as SpendbarEvent;
      } catch {
        // A malformed event must not break the stream; the next one carries full state again.
        return;
      }
      dispatch(event);
    };
    source.onerror = () => {
      dropped = true;
    };
    source.onopen = () => {
      // EventSource reconnects by itself; events sent while it was away are lost, so resync the status.
      if (!dropped) return;
      dropped = false;
      call<AccountStatus[]>('GET', HTTP_ROUTES.status)
        .then((statuses) => {
          if (!closed) dispatch({ type: 'status', statuses });
        })
        .catch(() => undefined);
    };
    return {
      close() {
        closed = true;
        source.close();
      },
    };
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    // Every state-changing request is JSON, body or not: the server refuses others (a cross-site page cannot send it).
    if (body !== undefined || method !== 'GET') headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError('Cannot reach Spendbar: is `spendbar serve` still running?', 0);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as Partial<ApiErrorBody> & { test?: TestResult } | undefined) ?? {};
      const message = err.error?.message ?? (res.status === 401 ? 'Not authorised: open the link `spendbar serve` printed, with its token.' : `Spendbar answered HTTP ${res.status}.`);
      throw new ApiError(message, res.status, err.error?.field, err.test);
    }
    return json as T;
  }

  return {
    getInfo: () => call('GET', HTTP_ROUTES.info),
    listProviders: () => call('GET', HTTP_ROUTES.providers),
    listAccounts: () => call('GET', HTTP_ROUTES.accounts),
    saveAccount: (input: AccountInput, o?: { force?: boolean }) => {
      const body = { input, ...(o?.force ? { force: true } : {}) };
      return input.id ? call('PUT', HTTP_ROUTES.account(input.id), body) : call('POST', HTTP_ROUTES.accounts, body);
    },
    removeAccount: (id) => call('DELETE', HTTP_ROUTES.account(id)),
    testAccount: (input) => call('POST', HTTP_ROUTES.testAccount, input),
    getStatus: () => call('GET', HTTP_ROUTES.status),
    querySeries: (query) => call('POST', HTTP_ROUTES.series, query),
    queryTotals: (query) => call('POST', HTTP_ROUTES.totals, query),
    filterValues: () => call('GET', HTTP_ROUTES.filters),
    refresh: (accountId) => call('POST', HTTP_ROUTES.refresh, accountId === undefined ? {} : { accountId }),
    setPaused: (paused) => call('POST', HTTP_ROUTES.pause, { paused }),
    getAlerts: () => call('GET', HTTP_ROUTES.alerts),
    saveAlerts: (input) => call('PUT', HTTP_ROUTES.alerts, input),
    previewAlertRule: (rule, days) => call('POST', HTTP_ROUTES.alertPreview, days === undefined ? { rule } : { rule, days }),
    alertHistory: (filter) => call('GET', `${HTTP_ROUTES.alertHistory}${historyQuery(filter)}`),
    snoozeAlert: (target, until) => call('POST', HTTP_ROUTES.alertSnooze, { ...target, until }),
    acknowledgeAlert: async (eventId) => (await call<{ acknowledged: boolean }>('POST', HTTP_ROUTES.alertAcknowledge, { eventId })).acknowledged,
    testAlertChannel: (channel) => call('POST', HTTP_ROUTES.alertTest, typeof channel === 'string' ? { channelId: channel } : { channel }),
    listRequests: (filter) => call('GET', `${HTTP_ROUTES.requests}${requestFilterToQuery(filter)}`),
    meterSummary: (range) => call('GET', `${HTTP_ROUTES.requestsSummary}${requestFilterToQuery(range ?? {})}`),
    copyProxyToken: () => call('POST', HTTP_ROUTES.proxyCopyToken, {}),
    estimateCost: (request) => call('POST', HTTP_ROUTES.estimate, request),
    getSpendSummary: () => call('GET', HTTP_ROUTES.spend),
    saveBudgets: (budgets) => call('PUT', HTTP_ROUTES.budgets, { budgets }),
    subscribe(listener: (event: SpendbarEvent) => void) {
      listeners.add(listener);
      events ??= openStream();
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        listeners.delete(listener);
        if (listeners.size === 0 && events) {
          events.close();
          events = null;
        }
      };
    },
  };
}

function historyQuery(filter: AlertHistoryFilter = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}
