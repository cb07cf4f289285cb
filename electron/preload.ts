// The sandboxed preload: exposes one object implementing SpendbarApi as `window.spendbar`. Named methods
// only; ipcRenderer itself never reaches the page. Bundled to a single CommonJS file (scripts/build-electron.js)
// because a sandboxed preload can require nothing but `electron`.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { SpendbarApi, SpendbarEvent, Unsubscribe } from '../shared/api.ts';
import {
  EVENT_CHANNEL,
  INVOKE_CHANNELS,
  NAVIGATE_CHANNEL,
  ROUTE_PATTERN,
  type InvokeMethod,
  type IpcResult,
} from './shell/ipc-contract.ts';

type Resolved<M extends InvokeMethod> = Awaited<ReturnType<SpendbarApi[M]>>;

async function call<M extends InvokeMethod>(method: M, ...args: unknown[]): Promise<Resolved<M>> {
  // An optional argument left out must arrive as absent, not as `undefined`, so the main side's
  // tuple schema sees the same arity the caller meant.
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  const result = (await ipcRenderer.invoke(INVOKE_CHANNELS[method], ...args)) as IpcResult<Resolved<M>>;
  if (result.ok) return result.value;
  const error = new Error(result.error.message) as Error & { field?: string };
  if (result.error.field) error.field = result.error.field;
  throw error;
}

const listeners = new Set<(event: SpendbarEvent) => void>();

function onEvent(_event: IpcRendererEvent, payload: SpendbarEvent): void {
  for (const listener of [...listeners]) {
    try {
      listener(payload);
    } catch (err) {
      console.error('spendbar: a subscriber failed:', err instanceof Error ? err.message : err);
    }
  }
}

function subscribe(listener: (event: SpendbarEvent) => void): Unsubscribe {
  if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function');
  // One IPC listener however many subscribers, attached only while someone listens.
  if (listeners.size === 0) ipcRenderer.on(EVENT_CHANNEL, onEvent);
  listeners.add(listener);
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    listeners.delete(listener);
    if (listeners.size === 0) ipcRenderer.removeListener(EVENT_CHANNEL, onEvent);
  };
}

const api: SpendbarApi = {
  getInfo: () => call('getInfo'),
  listProviders: () => call('listProviders'),
  listAccounts: () => call('listAccounts'),
  saveAccount: (input, opts) => call('saveAccount', input, opts),
  removeAccount: (id) => call('removeAccount', id),
  testAccount: (input) => call('testAccount', input),
  getStatus: () => call('getStatus'),
  querySeries: (query) => call('querySeries', query),
  queryTotals: (query) => call('queryTotals', query),
  filterValues: () => call('filterValues'),
  refresh: (accountId) => call('refresh', accountId),
  setPaused: (paused) => call('setPaused', paused),
  getAlerts: () => call('getAlerts'),
  saveAlerts: (input) => call('saveAlerts', input),
  previewAlertRule: (rule, days) => call('previewAlertRule', rule, days),
  alertHistory: (filter) => call('alertHistory', filter),
  snoozeAlert: (target, until) => call('snoozeAlert', target, until),
  acknowledgeAlert: (eventId) => call('acknowledgeAlert', eventId),
  testAlertChannel: (channel) => call('testAlertChannel', channel),
  listRequests: (filter) => call('listRequests', filter),
  meterSummary: (range) => call('meterSummary', range),
  copyProxyToken: () => call('copyProxyToken'),
  estimateCost: (request) => call('estimateCost', request),
  getSpendSummary: () => call('getSpendSummary'),
  saveBudgets: (budgets) => call('saveBudgets', budgets),
  subscribe,
};

// A notification click asks the dashboard to show one account; the hash router picks it up.
ipcRenderer.on(NAVIGATE_CHANNEL, (_event: IpcRendererEvent, route: unknown) => {
  if (typeof route !== 'string' || !ROUTE_PATTERN.test(route)) return;
  (globalThis as unknown as { location: { hash: string } }).location.hash = route;
});

contextBridge.exposeInMainWorld('spendbar', api);
