// What the tray shows, as pure functions of the accounts, their statuses, the active alerts and the
// preferences: the glance title (macOS), the tooltip, the icon state and the context menu. tray.ts only hands
// these to Electron.
import type { AlertEvent } from '../../shared/alerts.ts';
import type { Account, AccountStatus } from '../../shared/domain.ts';
import { formatMoney, totalsByCurrency, type Money } from '../../shared/money.ts';
import type { Preferences } from '../core/ports.ts';
import { concernOf, figuresOf, formatRunway, isFailing, runwayDays } from './figures.ts';

export type TrayIconState = 'normal' | 'warning' | 'alert' | 'stale';

export interface TrayInput {
  accounts: readonly Account[];
  statuses: readonly AccountStatus[];
  /** The core's getAlerts().active: fired, unacknowledged and still in breach. */
  alerts: readonly AlertEvent[];
  glance: Preferences['glance'];
  paused: boolean;
  launchAtLogin: boolean;
  /** app.setLoginItemSettings works on macOS and Windows only. */
  loginItemSupported: boolean;
}

export type TrayAction =
  | { kind: 'open-account'; accountId: string }
  | { kind: 'open' }
  | { kind: 'refresh' }
  | { kind: 'toggle-pause' }
  | { kind: 'toggle-launch-at-login' }
  | { kind: 'set-glance'; glance: Preferences['glance'] }
  | { kind: 'quit' };

export type TrayMenuItem =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'checkbox' | 'radio'; label: string; enabled: boolean; checked: boolean; action: TrayAction }
  | { type: 'submenu'; label: string; items: TrayMenuItem[] };

const NO_FIGURE = '—';
/** Windows cuts tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;

/** Alerts that still call for attention; the core sends only these, but a stale list may lag behind. */
function pending(alerts: readonly AlertEvent[]): AlertEvent[] {
  return alerts.filter((a) => a.kind === 'fired' && a.acknowledgedAt === null);
}

/**
 * Any critical alert, failing account or alarming figure → alert; a warning alert, low runway or quota →
 * warning; old figures → stale. Info alerts leave the icon alone: they tell, they do not warn.
 */
export function trayIconState(statuses: readonly AccountStatus[], alerts: readonly AlertEvent[]): TrayIconState {
  const active = pending(alerts);
  if (active.some((a) => a.severity === 'critical')) return 'alert';
  let warning = active.some((a) => a.severity === 'warning');
  let stale = false;
  for (const status of statuses) {
    if (isFailing(status)) return 'alert';
    const concern = concernOf(status);
    if (concern === 'alert') return 'alert';
    if (concern === 'warning') warning = true;
    if (status.stale) stale = true;
  }
  if (warning) return 'warning';
  return stale ? 'stale' : 'normal';
}

/** One amount per currency, never added across currencies: "$1.20 · ¥8.00". */
export function formatTotals(amounts: Iterable<Money | null | undefined>): string | null {
  const totals = totalsByCurrency(amounts);
  return totals.length === 0 ? null : totals.map((m) => formatMoney(m)).join(' · ');
}

function spendTotals(statuses: readonly AccountStatus[], window: 'today' | 'month'): string | null {
  return formatTotals(statuses.map((s) => figuresOf(s)?.spent[window]));
}

/** The macOS menu-bar title: the figure the user picked in Preferences.glance ("" shows the icon alone). */
export function glanceText(input: Pick<TrayInput, 'accounts' | 'statuses' | 'glance'>): string {
  if (input.accounts.length === 0) return '';
  const glance = input.glance;
  if (glance.kind === 'balance') {
    const status = input.statuses.find((s) => s.accountId === glance.accountId);
    const balance = status ? figuresOf(status)?.balance : null;
    return balance ? formatMoney(balance) : NO_FIGURE;
  }
  return spendTotals(input.statuses, glance.kind) ?? NO_FIGURE;
}

function labelOf(accounts: readonly Account[], accountId: string): string {
  return accounts.find((a) => a.id === accountId)?.label ?? accountId;
}

/** The account with the shortest runway, as "6.2 days (OpenRouter)", or null when no runway is known. */
export function lowestRunway(input: Pick<TrayInput, 'accounts' | 'statuses'>): string | null {
  let best: { days: number; accountId: string } | null = null;
  for (const status of input.statuses) {
    const days = runwayDays(status);
    if (days !== null && (best === null || days < best.days)) best = { days, accountId: status.accountId };
  }
  return best ? `${formatRunway(best.days)} (${labelOf(input.accounts, best.accountId)})` : null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "Alert: Balance low on OpenRouter" for one alert, "3 active alerts" for more, null for none. */
export function alertSummary(alerts: readonly AlertEvent[]): string | null {
  const active = pending(alerts);
  const [first] = active;
  if (!first) return null;
  return active.length === 1 ? `Alert: ${first.title}` : plural(active.length, 'active alert');
}

export function trayTooltip(input: Pick<TrayInput, 'accounts' | 'statuses' | 'alerts' | 'paused'>): string {
  if (input.accounts.length === 0) return 'Spendbar: no accounts yet';
  const lines = ['Spendbar', `Today: ${spendTotals(input.statuses, 'today') ?? 'no spend reported'}`];
  const alerts = alertSummary(input.alerts);
  if (alerts) lines.push(alerts);
  const runway = lowestRunway(input);
  if (runway) lines.push(`Lowest runway: ${runway}`);
  const failing = input.statuses.filter(isFailing).length;
  const stale = input.statuses.filter((s) => s.stale && !isFailing(s)).length;
  if (failing > 0) lines.push(`${plural(failing, 'account')} failing`);
  if (stale > 0) lines.push(`${plural(stale, 'account')} stale`);
  if (input.paused) lines.push('Polling paused');
  const text = lines.join('\n');
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}

/** "OpenRouter — $12.34 · today $1.20", marked when the account is failing or its figures are old. */
export function accountLine(account: Account, status: AccountStatus | undefined): string {
  const figures = status ? figuresOf(status) : null;
  const parts = [figures?.balance ? formatMoney(figures.balance) : 'no balance'];
  if (figures?.spent.today) parts.push(`today ${formatMoney(figures.spent.today)}`);
  let marker = '';
  if (status && isFailing(status)) marker = '⚠ ';
  else if (status?.stale) marker = '◌ ';
  return `${marker}${account.label} — ${parts.join(' · ')}`;
}

/** The choices for the menu-bar figure: today's spend, this month's, or one account's balance. */
export function glanceMenu(input: Pick<TrayInput, 'accounts' | 'glance'>): TrayMenuItem {
  const g = input.glance;
  const choice = (label: string, glance: Preferences['glance'], checked: boolean): TrayMenuItem => ({ type: 'radio', label, enabled: true, checked, action: { kind: 'set-glance', glance } });
  return {
    type: 'submenu',
    label: 'Show in menu bar',
    items: [
      choice("Today's spend", { kind: 'today' }, g.kind === 'today'),
      choice("This month's spend", { kind: 'month' }, g.kind === 'month'),
      ...input.accounts.map((a) => choice(`${a.label} balance`, { kind: 'balance', accountId: a.id }, g.kind === 'balance' && g.accountId === a.id)),
    ],
  };
}

export function trayMenuModel(input: TrayInput, platform: NodeJS.Platform = 'linux'): TrayMenuItem[] {
  const byId = new Map(input.statuses.map((s) => [s.accountId, s]));
  const accountItems: TrayMenuItem[] =
    input.accounts.length === 0
      ? [{ type: 'normal', label: 'No accounts yet: open Spendbar to add one', enabled: true, action: { kind: 'open' } }]
      : input.accounts.map((account) => ({
          type: 'normal',
          label: accountLine(account, byId.get(account.id)),
          enabled: true,
          action: { kind: 'open-account', accountId: account.id },
        }));
  return [
    ...accountItems,
    { type: 'separator' },
    { type: 'normal', label: 'Refresh now', enabled: !input.paused && input.accounts.length > 0, action: { kind: 'refresh' } },
    { type: 'checkbox', label: 'Pause polling', enabled: true, checked: input.paused, action: { kind: 'toggle-pause' } },
    { type: 'separator' },
    { type: 'normal', label: 'Open Spendbar', enabled: true, action: { kind: 'open' } },
    // Only macOS shows a title beside the tray icon.
    ...(platform === 'darwin' ? [glanceMenu(input)] : []),
    {
      type: 'checkbox',
      label: 'Launch at login',
      enabled: input.loginItemSupported,
      checked: input.loginItemSupported && input.launchAtLogin,
      action: { kind: 'toggle-launch-at-login' },
    },
    { type: 'separator' },
    { type: 'normal', label: 'Quit', enabled: true, action: { kind: 'quit' } },
  ];
}

/**
 * The icon file for a state. macOS gets monochrome Template images (the menu bar tints them); elsewhere
 * `-dark` is drawn light for dark panels and `-light` dark for light ones. Electron picks @2x by itself.
 */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform, darkPanel: boolean): string {
  if (platform === 'darwin') return `tray-${state}Template.png`;
  return `tray-${state}-${darkPanel ? 'dark' : 'light'}.png`;
}

export function loginItemSupported(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}
