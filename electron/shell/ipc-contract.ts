// The one IPC contract between the preload and the main process: a channel per SpendbarApi method, one
// channel for pushed events and one for "open the dashboard at this account". Both sides import these
// names, so a channel can never be spelled two ways. No imports but types: the sandboxed preload bundles it.
import type { SpendbarApi } from '../../shared/api.ts';

/** Every SpendbarApi method that is a request/response call (all but subscribe). */
export type InvokeMethod = Exclude<keyof SpendbarApi, 'subscribe'>;

export const INVOKE_CHANNELS = {
  getInfo: 'spendbar:get-info',
  listProviders: 'spendbar:list-providers',
  listAccounts: 'spendbar:list-accounts',
  saveAccount: 'spendbar:save-account',
  removeAccount: 'spendbar:remove-account',
  testAccount: 'spendbar:test-account',
  getStatus: 'spendbar:get-status',
  querySeries: 'spendbar:query-series',
  queryTotals: 'spendbar:query-totals',
  filterValues: 'spendbar:filter-values',
  refresh: 'spendbar:refresh',
  setPaused: 'spendbar:set-paused',
  getAlerts: 'spendbar:get-alerts',
  saveAlerts: 'spendbar:save-alerts',
  previewAlertRule: 'spendbar:preview-alert-rule',
  alertHistory: 'spendbar:alert-history',
  snoozeAlert: 'spendbar:snooze-alert',
  acknowledgeAlert: 'spendbar:acknowledge-alert',
  testAlertChannel: 'spendbar:test-alert-channel',
  listRequests: 'spendbar:list-requests',
  meterSummary: 'spendbar:meter-summary',
  copyProxyToken: 'spendbar:copy-proxy-token',
  estimateCost: 'spendbar:estimate-cost',
  getSpendSummary: 'spendbar:get-spend-summary',
  saveBudgets: 'spendbar:save-budgets',
} as const satisfies Record<InvokeMethod, `spendbar:${string}`>;

export const INVOKE_METHODS = Object.keys(INVOKE_CHANNELS) as InvokeMethod[];

/** Main → renderer: every SpendbarEvent, fanned out to subscribers by the preload. */
export const EVENT_CHANNEL = 'spendbar:event';

/** Main → renderer: a hash route ("#/account/<id>") the dashboard should show, e.g. after a notification click. */
export const NAVIGATE_CHANNEL = 'spendbar:navigate';

/**
 * What every invoke handler resolves with. Errors travel as values because Electron wraps a thrown error's
 * message in "Error invoking remote method …", which is not a message a person should read.
 */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: { message: string; field?: string } };

/** The route the dashboard shows for one account. */
export function accountRoute(accountId: string): string {
  return `#/account/${encodeURIComponent(accountId)}`;
}

/** Only routes of this shape may be pushed into the page by the preload. */
export const ROUTE_PATTERN = /^#\/[A-Za-z0-9/_%.-]{0,200}$/;
