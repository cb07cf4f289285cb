// Keeps the tray in step with the core: holds the accounts, statuses, active alerts and pause state the pure
// tray model needs, rebuilds the tray when events arrive, and carries out the menu's actions.
import type { AlertEvent } from '../../shared/alerts.ts';
import type { SpendbarApi, SpendbarEvent } from '../../shared/api.ts';
import type { Account, AccountStatus } from '../../shared/domain.ts';
import { applyStatusDelta, preferNewer } from '../../shared/status-delta.ts';
import type { SettingsStore } from '../core/ports.ts';
import type { SpendbarTray } from './tray.ts';
import type { TrayAction } from './tray-model.ts';

export interface LoginItems {
  supported: boolean;
  get(): boolean;
  set(openAtLogin: boolean): void;
}

export interface TrayControllerOptions {
  api: SpendbarApi;
  tray: SpendbarTray;
  settings: SettingsStore;
  loginItems: LoginItems;
  openWindow(accountId?: string): void;
  quit(): void;
  log?: Pick<Console, 'warn'>;
}

export interface TrayController {
  /** Loads accounts, statuses, active alerts and the pause state, then draws the tray. */
  load(): Promise<void>;
  /** Re-reads the active alerts (after one fired, was acknowledged or snoozed) and redraws. Never rejects. */
  refreshAlerts(): Promise<void>;
  onEvent(event: SpendbarEvent): void;
  onAction(action: TrayAction): void;
  dispose(): void;
}

export function createTrayController(opts: TrayControllerOptions): TrayController {
  let accounts: Account[] = [];
  let statuses: AccountStatus[] = [];
  let alerts: AlertEvent[] = [];
  // Alert reads can overlap (a burst of events); only the newest one's answer is drawn.
  let alertRead = 0;
  let paused = false;
  const log = opts.log ?? console;

  const render = () => {
    const prefs = opts.settings.get().preferences;
    opts.tray.update({
      accounts,
      statuses,
      alerts,
      glance: prefs.glance,
      paused,
      launchAtLogin: opts.loginItems.supported && opts.loginItems.get(),
      loginItemSupported: opts.loginItems.supported,
    });
  };
  const report = (what: string) => (err: unknown) => {
    log.warn(`spendbar: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  };
  // Glance choice and account labels live in settings: redraw when they change.
  const offSettings = opts.settings.onChange(() => render());

  // A tray without alerts is still worth drawing: a failed read is logged and the old list kept.
  const readAlerts = async (): Promise<{ read: number; active: AlertEvent[] | null }> => {
    const read = ++alertRead;
    try {
      return { read, active: (await opts.api.getAlerts()).active };
    } catch (err) {
      report('reading alerts')(err);
      return { read, active: null };
    }
  };
  const applyAlerts = (r: { read: number; active: AlertEvent[] | null }): boolean => {
    if (r.active === null || r.read !== alertRead) return false;
    alerts = r.active;
    return true;
  };
  const refreshAlerts = async () => {
    if (applyAlerts(await readAlerts())) render();
  };

  return {
    async load() {
      const [a, s, info, r] = await Promise.all([opts.api.listAccounts(), opts.api.getStatus(), opts.api.getInfo(), readAlerts()]);
      accounts = a;
      statuses = s;
      paused = info.paused;
      applyAlerts(r);
      render();
    },
    refreshAlerts,
    onEvent(event) {
      if (event.type === 'alert') {
        void refreshAlerts();
        return;
      }
      if (event.type === 'status' || event.type === 'status-delta') {
        // A poll can end a breach as well as start one: the active list follows the statuses.
        statuses = event.type === 'status' ? event.statuses : applyStatusDelta(statuses, event.statuses);
        void refreshAlerts();
      } else if (event.type === 'accounts') accounts = event.accounts;
      // A snapshot's figures arrive with the status delta that follows it: nothing to read here.
      else return;
      render();
    },
    onAction(action) {
      switch (action.kind) {
        case 'open':
          opts.openWindow();
          return;
        case 'open-account':
          opts.openWindow(action.accountId);
          return;
        case 'refresh':
          void opts.api.refresh().then((s) => {
            statuses = preferNewer(statuses, s);
            render();
          }, report('refreshing'));
          return;
        case 'toggle-pause': {
          const next = !paused;
          void opts.api.setPaused(next).then(() => {
            paused = next;
            render();
          }, report('pausing'));
          return;
        }
        case 'toggle-launch-at-login': {
          if (!opts.loginItems.supported) return;
          const next = !opts.loginItems.get();
          opts.loginItems.set(next);
          const settings = opts.settings.get();
          try {
            opts.settings.set({ ...settings, preferences: { ...settings.preferences, launchAtLogin: next } });
          } catch (err) {
            report('saving the launch-at-login choice')(err);
          }
          render();
          return;
        }
        case 'set-glance': {
          const settings = opts.settings.get();
          try {
            // The settings change listener redraws the title.
            opts.settings.set({ ...settings, preferences: { ...settings.preferences, glance: action.glance } });
          } catch (err) {
            report('saving the menu-bar figure')(err);
          }
          return;
        }
        case 'quit':
          opts.quit();
          return;
      }
    },
    dispose() {
      offSettings();
    },
  };
}
