// The one API contract between the core and every UI. Two transports implement it: the Electron preload
// (IPC) and HTTP to `spendbar serve`. The renderer never knows which one it talks to.
import type {
  Account,
  AccountStatus,
  ProviderId,
  SeriesQuery,
  SeriesResult,
  Snapshot,
  UsageSource,
  UsageTotals,
} from './domain.ts';
import type { AlertChannel, AlertEvent, AlertHistoryFilter, Delivery, QuietHours } from './alerts.ts';
import type { MeterSummary, RequestFilter, RequestPage } from './metering.ts';
import type { EstimateRequest, EstimateResult } from './estimate.ts';
import type { Money } from './money.ts';

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
  /** Spend comes from the provider's own cost reports: never also estimated from balance changes. */
  exactSpend?: boolean;
  /** Config-file objects whose members are option fields (custom: `request`, `figures`). */
  configGroups?: string[];
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
  /** "billed" (default) or "metered" (the proxy's figures); never mixed. */
  source?: UsageSource;
}

export interface FilterValues {
  accounts: { id: string; label: string }[];
  models: string[];
  keys: string[];
}

/**
 * Pushed to every UI as things change. `status` carries every account (on connect, when accounts or the pause
 * change); `status-delta` only the accounts whose status changed (a poll starting or ending), to be merged in.
 * `snapshot` events carry the figures without usage buckets (usage is read with series and totals).
 */
export type SpendbarEvent =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'status'; statuses: AccountStatus[] }
  | { type: 'status-delta'; statuses: AccountStatus[] }
  | { type: 'accounts'; accounts: Account[] }
  | { type: 'alert'; alert: AlertEvent }
  /** Metered requests of these accounts were stored (the Requests view refreshes). */
  | { type: 'requests'; accountIds: string[] };

export type Unsubscribe = () => void;

/** An alert rule as written in settings or the config file (amounts in major units), with where it lives. */
export interface AlertRuleView {
  rule: Record<string, unknown> & { id: string; type: string };
  /** Config-file rules are read-only in the UI. */
  source: 'config' | 'settings';
}

export interface AlertsView {
  rules: AlertRuleView[];
  channels: AlertChannel[];
  /** Ids of channels defined in the config file: read-only in the UI, and never saved to settings. */
  configChannelIds: string[];
  quietHours: QuietHours | null;
  /** Problems found in stored or config-file rules and channels; those items are skipped, the rest work. */
  errors: string[];
  /** Alerts still in breach and not acknowledged (newest first). */
  active: AlertEvent[];
}

/** What the rule editor saves: the settings rules and channels (config-file ones are left out, and ignored if sent), and quiet hours. */
export interface AlertsInput {
  rules: unknown[];
  channels?: unknown[];
  quietHours?: unknown;
}

export interface AlertPreview {
  fires: number;
  /** Epoch ms of each would-be alert. */
  times: number[];
  days: number;
  /** Set when there was nothing to replay (a rate-limit rule with no proxied requests yet): why, in words. */
  note?: string;
}

/** A monthly budget as the user sets it: major units of one currency. */
export interface Budget {
  currency: string;
  amount: number;
}

/** This month's spend in one currency, computed once in the core (electron/core/figures/forecast.ts). */
export interface MonthSpend {
  currency: string;
  /** What the accounts report for this calendar month (your time zone), summed: the Overview's "Spent this month". */
  monthToDate: Money;
  /** Spend per day over the last 7 days and today so far (or since data began); null with too little history. */
  pacePerDay: Money | null;
  /** The span the pace rests on. */
  paceBasisMs: number;
  /** Month to date plus the pace over the rest of the month. */
  forecast: Money;
  budget: Money | null;
  monthStart: number;
  monthEnd: number;
}

/** Image generations of one account (providers that count them), by the day its provider reports them in. */
export interface ImageCount {
  accountId: string;
  today: number;
  month: number;
}

export interface SpendSummary {
  months: MonthSpend[];
  budgets: Budget[];
  /** Accounts that generated images this month. */
  images: ImageCount[];
}

export type SnoozeTarget = { eventId: number } | { ruleId: string; subject?: string };
export type SnoozeUntil = '1h' | 'tomorrow' | number;

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
  /**
   * Polls one account now and resolves when its poll finishes. Without an id, starts polling every account and
   * resolves at once with their statuses (`polling: true`); results arrive as events. A provider's Retry-After is
   * honoured: an account it asked to wait is not polled before then.
   */
  refresh(accountId?: string): Promise<AccountStatus[]>;
  setPaused(paused: boolean): Promise<void>;
  getAlerts(): Promise<AlertsView>;
  /** Validates everything first; an invalid rule, channel or quiet-hours entry rejects the save with a message naming it. */
  saveAlerts(input: AlertsInput): Promise<AlertsView>;
  /** "Would have fired 3 times in the last 30 days", computed from stored history. */
  previewAlertRule(rule: unknown, days?: number): Promise<AlertPreview>;
  alertHistory(filter?: AlertHistoryFilter): Promise<AlertEvent[]>;
  snoozeAlert(target: SnoozeTarget, until: SnoozeUntil): Promise<{ until: number }>;
  acknowledgeAlert(eventId: number): Promise<boolean>;
  /** Sends a test message through one channel (by id, or an unsaved channel) and reports the delivery. */
  testAlertChannel(channel: string | AlertChannel): Promise<Delivery>;
  /** Requests through the metering proxy, newest first (filters, paging by `before`). */
  listRequests(filter?: RequestFilter): Promise<RequestPage>;
  /** The Requests view's figures over [from, to): per app and kind, rate-limit headroom, metered vs billed, proxy setup. */
  meterSummary(range?: { from?: number; to?: number }): Promise<MeterSummary>;
  /** Puts the proxy token on the clipboard where the app can (desktop); never sends it to the page. */
  copyProxyToken(): Promise<{ copied: boolean; message: string }>;
  /** Input tokens and cost range of a prompt on each model, before sending it (README "Estimate"). */
  estimateCost(request: EstimateRequest): Promise<EstimateResult>;
  /** Month to date, pace and forecast per currency, with the monthly budgets. */
  getSpendSummary(): Promise<SpendSummary>;
  /** Replaces the monthly budgets (one per currency; an amount of 0 removes it). */
  saveBudgets(budgets: Budget[]): Promise<SpendSummary>;
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
  alerts: '/api/alerts',
  alertPreview: '/api/alerts/preview',
  alertHistory: '/api/alerts/history',
  alertSnooze: '/api/alerts/snooze',
  alertAcknowledge: '/api/alerts/acknowledge',
  alertTest: '/api/alerts/test',
  requests: '/api/requests',
  requestsSummary: '/api/requests/summary',
  proxyCopyToken: '/api/proxy/copy-token',
  estimate: '/api/estimate',
  spend: '/api/spend',
  budgets: '/api/budgets',
  metrics: '/metrics',
} as const;

/** The error body every API route returns on failure. */
export interface ApiErrorBody {
  error: { message: string; field?: string };
}
