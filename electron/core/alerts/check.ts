// The shape every rule's arithmetic produces, and the helpers the rule modules share. A Check is one measured value
// against one threshold for one dedupe key; the state machine decides whether it fires.
import type { AlertRule, AlertUnit, Severity } from '../../../shared/alerts.ts';
import { ALL_ACCOUNTS } from '../../../shared/alerts.ts';
import type { AccountStatus, Snapshot } from '../../../shared/domain.ts';
import type { Headroom } from '../../../shared/metering.ts';
import { formatMoney, type Currency, type Money, formatNumber } from '../../../shared/money.ts';
import type { AlertHistory } from './history.ts';

export interface AccountView {
  accountId: string;
  latest: Snapshot | null;
  lastSuccess: Snapshot | null;
  stale: boolean;
}

/** What the rate-limit rules read from the metering proxy. */
export interface MeterView {
  headroom(accountId: string): Headroom[];
  rateLimitedSince(accountId: string, since: number): number;
}

export interface EvalContext {
  now: number;
  timeZone: string;
  accounts: AccountView[];
  history: AlertHistory;
  label(accountId: string): string;
  /** Absent where no proxy figures exist (the rule preview): rate-limit rules then measure nothing. */
  meter?: MeterView;
  /** The monthly budgets per currency (settings), for the budget-pace rule. */
  budgets?: readonly Money[];
}

export interface Check {
  /** rule + subject + window (+ level): the dedupe key. */
  key: string;
  subject: string;
  accountId?: string;
  window: string;
  value: number;
  threshold: number;
  unit: AlertUnit;
  breached: boolean;
  /** Past the hysteresis margin: the rule may fire again. */
  recovered: boolean;
  /** A balance: when it rises by at least `topUp` between two evaluations (a top-up) the rule re-arms. */
  signal?: number;
  topUp?: number;
  /** Set when recovering is itself news (a failing provider answers again). */
  recovery?: { title: string; body: string };
  /** Checks of one group that fire together notify once, for the last (highest) of them. */
  group?: string;
  severity: Severity;
  title: string;
  body: string;
}

export interface Subject {
  key: string;
  accountIds: string[];
  label: string;
  accountId?: string;
}

/** Every currency an account's latest figures are in. */
export function accountCurrencies(view: AccountView): Set<Currency> {
  const s = view.lastSuccess;
  const out = new Set<Currency>();
  if (!s) return out;
  for (const m of [s.balance, ...s.balances, s.spent.today, s.spent.week, s.spent.month, s.spent.total, s.quota?.limit, s.quota?.used]) {
    if (m) out.add(m.currency);
  }
  for (const u of s.usage) if (u.cost) out.add(u.cost.currency);
  return out;
}

/**
 * Who a rule measures. An account id: that account. "*": each account on its own. A currency alone: all accounts
 * reporting it, taken together (`perAccount` rules such as quota and failures take them one by one instead).
 */
export function subjectsOf(rule: AlertRule, ctx: EvalContext, perAccount: boolean): Subject[] {
  const one = (id: string): Subject => ({ key: id, accountIds: [id], label: ctx.label(id), accountId: id });
  if (rule.account === ALL_ACCOUNTS) return ctx.accounts.map((a) => one(a.accountId));
  if (rule.account !== undefined) return [one(rule.account)];
  const currency = rule.currency as Currency;
  const ids = ctx.accounts.filter((a) => accountCurrencies(a).has(currency)).map((a) => a.accountId);
  if (perAccount) return ids.map(one);
  if (ids.length === 0) return [];
  return [{ key: `currency:${currency}`, accountIds: ids, label: `All ${currency} accounts` }];
}

export function viewOf(ctx: EvalContext, accountId: string): AccountView | undefined {
  return ctx.accounts.find((a) => a.accountId === accountId);
}

export function moneyIn(s: Snapshot | null | undefined, currency: Currency): Money | null {
  if (!s) return null;
  return s.balances.find((b) => b.currency === currency) ?? (s.balance?.currency === currency ? s.balance : null);
}

export function dedupeKey(rule: AlertRule, subject: string, window: string, level?: number): string {
  return [rule.id, subject, window, ...(level === undefined ? [] : [String(level)])].join('|');
}

/** "Below" thresholds: breached under it, recovered once back above it by the margin. */
export function below(value: number, threshold: number, marginPct: number): { breached: boolean; recovered: boolean } {
  return { breached: value < threshold, recovered: value >= threshold + (Math.abs(threshold) * marginPct) / 100 };
}

/** "Above" thresholds: breached over it (or at it when inclusive), recovered once back under it by the margin. */
export function above(value: number, threshold: number, marginPct: number, inclusive = false): { breached: boolean; recovered: boolean } {
  return {
    breached: inclusive ? value >= threshold : value > threshold,
    recovered: value < threshold - (Math.abs(threshold) * marginPct) / 100,
  };
}

/** Alert text speaks in cents ("$58.61"); only an amount under a cent keeps its digits. */
export function fmt(micros: number, currency: Currency): string {
  const rounded = Math.abs(micros) >= 10_000 ? Math.round(micros / 10_000) * 10_000 : Math.round(micros);
  return formatMoney({ micros: rounded, currency });
}

export function fmtCount(n: number): string {
  return formatNumber(Math.round(n));
}

export function severityFor(rule: AlertRule, level?: number): Severity {
  if (rule.type === 'balance-below') return 'critical';
  if (rule.type === 'quota-used' && level !== undefined && level >= 95) return 'critical';
  return 'warning';
}

/** Where onSnapshot finds other accounts' statuses: one by id, or all (only rules over a currency need all). */
export interface StatusSource {
  one(accountId: string): AccountStatus | null | undefined;
  all(): AccountStatus[];
}

/** An account as it stands once this snapshot is in (a newer one already seen wins). */
export function viewAfter(snapshot: Snapshot, before: AccountStatus | undefined): AccountView {
  return {
    accountId: snapshot.accountId,
    latest: before?.latest && before.latest.time > snapshot.time ? before.latest : snapshot,
    lastSuccess: snapshot.ok && !(before?.lastSuccess && before.lastSuccess.time > snapshot.time) ? snapshot : (before?.lastSuccess ?? null),
    stale: snapshot.ok ? false : (before?.stale ?? false),
  };
}

export function toViews(statuses: AccountStatus[]): AccountView[] {
  return statuses.map((s) => ({ accountId: s.accountId, latest: s.latest, lastSuccess: s.lastSuccess, stale: s.stale }));
}
