// A SpendbarApi that records its calls and answers with fixed values, standing in for the core where a
// test is about the transport around it (IPC, preload, tray), not about polling.
import type { AppInfo, SpendbarApi, SpendbarEvent } from '../../shared/api.ts';
import type { AccountStatus } from '../../shared/domain.ts';
import { account, status, usd } from './fixtures.ts';

export interface RecordingApi extends SpendbarApi {
  calls: { method: string; args: unknown[] }[];
  emit(event: SpendbarEvent): void;
  listenerCount(): number;
  failWith: Error | null;
  paused: boolean;
}

export function recordingApi(statuses: AccountStatus[] = [status('or', { balance: usd(10) })]): RecordingApi {
  const listeners = new Set<(e: SpendbarEvent) => void>();
  const api: RecordingApi = {
    calls: [],
    failWith: null,
    paused: false,
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
    querySeries: (query) => record('querySeries', [query], { query, bucket: query.bucket, series: [] }),
    queryTotals: (query) => record('queryTotals', [query], []),
    filterValues: () => record('filterValues', [], { accounts: [], models: [], keys: [] }),
    refresh: (accountId) => record('refresh', [accountId], statuses),
    setPaused: (paused) => {
      api.paused = paused;
      return record('setPaused', [paused], undefined);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  function info(): AppInfo {
    return { version: '0.1.0-test', mode: 'app', demo: false, timeZone: 'UTC', secretProtection: 'os', paused: api.paused };
  }
  function record<T>(method: string, args: unknown[], value: T): Promise<T> {
    api.calls.push({ method, args });
    return api.failWith ? Promise.reject(api.failWith) : Promise.resolve(value);
  }
  return api;
}
