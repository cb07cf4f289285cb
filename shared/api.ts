// The one API contract between the core and every UI. Two transports implement it: the Electron preload
// (IPC) and HTTP to `spendbar serve`. The renderer never knows which one it talks to.
import type {
  Account,
  AccountStatus,
  ProviderId,
  SeriesQuery,
  SeriesResult,
  Snapshot,
  UsageTotals,
} from './domain.ts';

export interface FieldDescriptor {
  name: string;
  label: string;
  /** Secret fields are write-only: stored encrypted, never sent back to a UI. */
  secret: boolean;
  required: boolean;
  /** 'list' values are comma-separated in forms and string[] in config. */
  type?: 'text' | 'list';
  placeholder?: string;
  help?: string;
}

export interface ProviderDescriptor {
  id: ProviderId;
  displayName: string;
  defaultBaseUrl: string;
  /** Secrets: apiKey, privateKey, … */
  credentialFields: FieldDescriptor[];
  /** Non-secret options: projectId, keyId, models, … */
  optionFields: FieldDescriptor[];
  /** What the provider reports, for the README table and the UI. */
  reports: string[];
  /** Provider console, for "open in browser" links. */
  consoleUrl?: string;
}

export interface AppInfo {
  version: string;
  mode: 'app' | 'serve';
  demo: boolean;
  /** IANA zone used for calendar windows (today, this month). */
  timeZone: string;
  /** How secrets are protected: 'os' (Keychain/DPAPI/libsecret), 'obfuscated' (Linux basic_text), 'file-key' (headless), 'env'. */
  secretProtection: 'os' | 'obfuscated' | 'file-key' | 'env';
  paused: boolean;
}

/** What a form submits. Secret fields: a new value replaces the stored one; absent or "" keeps it. */
export interface AccountInput {
  id?: string;
  provider: ProviderId;
  label: string;
  baseUrl?: string;
  pollIntervalSec?: number;
  options?: Record<string, string | string[]>;
  credentials?: Record<string, string>;
}

export interface TestResult {
  ok: boolean;
  snapshot: Snapshot;
}

export interface TotalsQuery {
  groupBy: 'account' | 'model' | 'key';
  from: number;
  to: number;
  accountIds?: string[];
  models?: string[];
  keys?: string[];
}

export interface FilterValues {
  accounts: { id: string; label: string }[];
  models: string[];
  keys: string[];
}

/** Pushed to every UI as things change. */
export type SpendbarEvent =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'status'; statuses: AccountStatus[] }
  | { type: 'accounts'; accounts: Account[] }
  | { type: 'alert'; alert: unknown };

export type Unsubscribe = () => void;

export interface SpendbarApi {
  getInfo(): Promise<AppInfo>;
  listProviders(): Promise<ProviderDescriptor[]>;
  listAccounts(): Promise<Account[]>;
  /** Validates, runs one real poll, and saves only if it succeeded (unless `force`). */
  saveAccount(input: AccountInput, opts?: { force?: boolean }): Promise<{ account: Account; test: TestResult }>;
  removeAccount(id: string): Promise<void>;
  /** One real poll of an unsaved account; nothing is stored. */
  testAccount(input: AccountInput): Promise<TestResult>;
  getStatus(): Promise<AccountStatus[]>;
  querySeries(query: SeriesQuery): Promise<SeriesResult>;
  queryTotals(query: TotalsQuery): Promise<UsageTotals[]>;
  filterValues(): Promise<FilterValues>;
  /** Polls one account, or all when no id is given, now. Resolves when the polls finish. */
  refresh(accountId?: string): Promise<AccountStatus[]>;
  setPaused(paused: boolean): Promise<void>;
  subscribe(listener: (event: SpendbarEvent) => void): Unsubscribe;
}

/** HTTP routes of `spendbar serve`, shared by the server and the renderer's HTTP transport. */
export const HTTP_ROUTES = {
  info: '/api/info',
  providers: '/api/providers',
  accounts: '/api/accounts',
  account: (id: string) => `/api/accounts/${encodeURIComponent(id)}`,
  testAccount: '/api/accounts/test',
  status: '/api/status',
  series: '/api/series',
  totals: '/api/totals',
  filters: '/api/filters',
  refresh: '/api/refresh',
  pause: '/api/pause',
  events: '/api/events',
  metrics: '/metrics',
} as const;

/** The error body every API route returns on failure. */
export interface ApiErrorBody {
  error: { message: string; field?: string };
}
