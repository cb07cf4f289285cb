// The seams between the core and its two faces. The Electron app and `spendbar serve` start the same core
// and differ only in these adapters: settings store, secret store, notifier, and the transport to the UI.
import type { AppInfo } from '../../shared/api.ts';
import type { Account } from '../../shared/domain.ts';

export interface Preferences {
  /** IANA zone for calendar windows; the system zone when absent. */
  timeZone?: string;
  /** What the tray title shows on macOS. */
  glance: { kind: 'today' } | { kind: 'month' } | { kind: 'balance'; accountId: string };
  launchAtLogin: boolean;
  /** Raw balance snapshots are kept this many days, then rolled up to one per hour. */
  retentionDays: number;
  /** Polls running at once across all accounts. */
  concurrency: number;
}

export interface Settings {
  /** Accounts without secrets; their credentials are in the SecretStore under `${account.id}.${field}`. */
  accounts: Account[];
  /** Alert rules as written (major units), validated by the alerts module. */
  alerts: unknown[];
  /** Where alerts go (popup, webhooks); popup only when absent. */
  alertChannels?: unknown[];
  /** Popups wait during these hours and arrive as one summary afterwards. */
  quietHours?: unknown;
  /** Monthly budgets per currency (major units), shown on the Overview and watched by the budget-pace alert. */
  budgets?: import('../../shared/api.ts').Budget[];
  preferences: Preferences;
}

export const DEFAULT_PREFERENCES: Preferences = {
  glance: { kind: 'today' },
  launchAtLogin: false,
  retentionDays: 90,
  concurrency: 4,
};

/** Typed, schema-validated settings: electron-store in the app, conf in Node. */
export interface SettingsStore {
  get(): Settings;
  /** Validates and persists; throws SettingsError with a field path on invalid input, leaving the file unchanged. */
  set(next: Settings): void;
  onChange(listener: (settings: Settings) => void): () => void;
}

/** Where secrets live. Values never appear in settings files in clear. */
export interface SecretStore {
  readonly protection: AppInfo['secretProtection'];
  get(ref: string): string | undefined;
  set(ref: string, value: string): void;
  delete(ref: string): void;
}

export interface Notification {
  title: string;
  body: string;
  /** Opens the dashboard at this account when the notification is clicked. */
  accountId?: string;
  severity: 'info' | 'warning' | 'critical';
}

/** Native popups: Electron's Notification in the app, node-notifier in headless mode. */
export interface Notifier {
  /** Resolves only once the desktop accepted (showed) the popup; rejects with the desktop's reason otherwise. */
  notify(n: Notification): Promise<void>;
}

export function secretRef(accountId: string, field: string): string {
  return `${accountId}.${field}`;
}

/** The running core both faces start: the API every UI talks to, plus lifecycle. */
export interface Core {
  api: import('../../shared/api.ts').SpendbarApi;
  start(): Promise<void>;
  /** Stops the poller, waits for in-flight polls, closes the store. */
  stop(): Promise<void>;
}

export interface CoreOptions {
  /** Folder for spendbar.db (and, headless, settings and secrets). */
  dataDir: string;
  mode: 'app' | 'serve';
  settings: SettingsStore;
  secrets: SecretStore;
  notifier?: Notifier;
  /** Headless config file accounts (read-only in the UI) with their resolved credentials. */
  configAccounts?: { account: Account; credentials: Record<string, string> }[];
  demo?: boolean;
  version?: string;
}
