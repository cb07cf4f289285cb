// A SpendbarApi that records its calls and answers with fixed values, standing in for the core where a
// test is about the transport around it (IPC, preload, tray), not about polling.
import type { AlertEvent } from '../../shared/alerts.ts';
import type { AlertsView, AppInfo, SpendbarApi, SpendbarEvent } from '../../shared/api.ts';
import type { AccountStatus } from '../../shared/domain.ts';
import { account, status, usd } from './fixtures.ts';

const HOUR = 3_600_000;

export interface RecordingApi extends SpendbarApi {
  calls: { method: string; args: unknown[] }[];
  emit(event: SpendbarEvent): void;
  listenerCount(): number;
  failWith: Error | null;
  paused: boolean;
  /** What getAlerts reports as active; acknowledgeAlert removes from it. */
  activeAlerts: AlertEvent[];
}

export function recordingApi(statuses: AccountStatus[] = [status('or', { balance: usd(10) })]): RecordingApi {
  const listeners = new Set<(e: SpendbarEvent) => void>();
  const api: RecordingApi = {
    calls: [],
    failWith: null,
    paused: false,
    activeAlerts: [],
    emit: (event) => listeners.forEach((l) => l(event)),
    listenerCount: () => listeners.size,
    getInfo: () => record('getInfo', [], info()),
    listProviders: () =>
      record('listProviders', [], [
        {
          id: 'openrouter',
          displayName: 'OpenRouter',
          defaultBaseUrl: 'https://openrouter.ai/api/v1',
          credentialFields: [],
          optionFields: [],
          reports: [],
          consoleUrl: 'https://console.example-provider.test/keys',
        },
      ]),
    listAccounts: () => record('listAccounts', [], [account('or', 'OpenRouter')]),
    saveAccount: (input, opts) => record('saveAccount', [input, opts], { account: account('or'), test: { ok: true, snapshot: statuses[0]!.latest! } }),
    removeAccount: (id) => record('removeAccount', [id], undefined),
    testAccount: (input) => record('testAccount', [input], { ok: true, snapshot: statuses[0]!.latest! }),
    getStatus: () => record('getStatus', [], statuses),
    querySeries: (query) => record('querySeries', [query], { query, bucket: query.bucket, starts: [], series: [] }),
    queryTotals: (query) => record('queryTotals', [query], []),
    filterValues: () => record('filterValues', [], { accounts: [], models: [], keys: [] }),
    refresh: (accountId) => record('refresh', [accountId], statuses),
    setPaused: (paused) => {
      api.paused = paused;
      return record('setPaused', [paused], undefined);
    },
    getAlerts: () => record('getAlerts', [], view()),
    saveAlerts: (input) => record('saveAlerts', [input], view()),
    previewAlertRule: (rule, days) => record('previewAlertRule', [rule, days], { fires: 0, times: [], days: days ?? 30 }),
    alertHistory: (filter) => record('alertHistory', [filter], [...api.activeAlerts]),
    snoozeAlert: (target, until) =>
      record('snoozeAlert', [target, until], { until: typeof until === 'number' ? until : 1_700_000_000_000 + (until === '1h' ? HOUR : 24 * HOUR) }),
    acknowledgeAlert(eventId) {
      const before = api.activeAlerts.length;
      api.activeAlerts = api.activeAlerts.filter((a) => a.id !== eventId);
      return record('acknowledgeAlert', [eventId], api.activeAlerts.length < before);
    },
    testAlertChannel: (channel) =>
      record('testAlertChannel', [channel], { channelId: typeof channel === 'string' ? channel : channel.id, ok: true, attempts: 1, at: 1_700_000_000_000 }),
    listRequests: (filter) => record('listRequests', [filter], { rows: [], nextBefore: null }),
    meterSummary: (range) =>
      record('meterSummary', [range], { from: 0, to: 1, proxy: { url: null, tokenHint: '', accounts: [] }, byApp: [], headroom: [], meteredVsBilled: [] }),
    copyProxyToken: () => record('copyProxyToken', [], { copied: true, message: 'copied' }),
    estimateCost: (request) =>
      record('estimateCost', [request], {
        format: 'text', messages: 0, chars: request.input.length, bytes: request.input.length, maxOutput: request.maxOutput ?? 4096,
        maxOutputFrom: request.maxOutput === undefined ? 'default' : 'caller', uncounted: [], notes: [], modelsFrom: request.models ? 'caller' : 'default',
        rows: [], priceSource: { name: '@pydantic/genai-prices 0.1.8', date: '2026-09-23', currency: 'USD' },
      }),
    getSpendSummary: () => record('getSpendSummary', [], { months: [], budgets: [], images: [] }),
    saveBudgets: (budgets) => record('saveBudgets', [budgets], { months: [], budgets, images: [] }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  function info(): AppInfo {
    return { version: '0.1.0-test', mode: 'app', demo: false, timeZone: 'UTC', secretProtection: 'os', paused: api.paused };
  }
  function view(): AlertsView {
    return { rules: [], channels: [{ id: 'popup', type: 'popup' }], configChannelIds: [], quietHours: null, errors: [], active: [...api.activeAlerts] };
  }
  function record<T>(method: string, args: unknown[], value: T): Promise<T> {
    api.calls.push({ method, args });
    return api.failWith ? Promise.reject(api.failWith) : Promise.resolve(value);
  }
  return api;
}
