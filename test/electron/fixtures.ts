// Accounts and statuses for the Electron layer's tests, built from a few figures.
import type { AlertEvent, Severity } from '../../shared/alerts.ts';
import type { Account, AccountStatus, Snapshot } from '../../shared/domain.ts';
import { money, type Money } from '../../shared/money.ts';

export function account(id: string, label = id.toUpperCase()): Account {
  return { id, provider: 'openrouter', label, pollIntervalSec: 300 };
}

export interface Figures {
  balance?: Money | null;
  today?: Money;
  week?: Money;
  month?: Money;
  quota?: { limit: Money; used: Money };
  available?: boolean;
  /** The burn per day the core would have measured from the balance history; the tray only shows the runway it serves. */
  burnPerDay?: Money;
}

export function snapshot(accountId: string, f: Figures = {}, time = 1_700_000_000_000): Snapshot {
  return {
    accountId,
    provider: 'openrouter',
    time,
    ok: true,
    error: null,
    balance: f.balance ?? null,
    balances: f.balance ? [f.balance] : [],
    spent: { today: f.today, week: f.week, month: f.month },
    quota: f.quota ? { limit: f.quota.limit, used: f.quota.used, remaining: null, resets: 'monthly' } : null,
    usage: [],
    estimated: false,
    notes: [],
    ...(f.available === undefined ? {} : { available: f.available }),
  };
}

export function failed(accountId: string, message = 'The key was rejected (401): create a new key'): Snapshot {
  return { ...snapshot(accountId), ok: false, error: { kind: 'auth', message, status: 401 } };
}

/** The runway the core serves with a status: balance ÷ burn, in the balance's currency only. */
export function runwayOf(good: Snapshot | null, burn: Money | undefined): AccountStatus['runway'] {
  if (!good?.balance || !burn || burn.currency !== good.balance.currency || burn.micros <= 0) return null;
  return { balance: good.balance, at: good.time, burnPerDay: burn, days: Math.max(0, good.balance.micros) / burn.micros, windowMs: 7 * 86_400_000, basisMs: 7 * 86_400_000 };
}

export function status(accountId: string, f: Figures | null, opts: { stale?: boolean; failing?: boolean } = {}): AccountStatus {
  const good = f ? snapshot(accountId, f) : null;
  // Tests give a week's spend; the burn the core would measure from such a history is a seventh of it a day.
  const burn = f?.burnPerDay ?? (f?.week ? { micros: f.week.micros / 7, currency: f.week.currency } : undefined);
  return {
    runway: runwayOf(good, burn),
    accountId,
    latest: opts.failing ? failed(accountId) : good,
    lastSuccess: good,
    stale: opts.stale ?? false,
    polling: false,
    paused: false,
    nextPollAt: null,
    consecutiveFailures: opts.failing ? 1 : 0,
  };
}

export const usd = (major: number) => money(major, 'USD');
export const cny = (major: number) => money(major, 'CNY');

/** One fired, unacknowledged alert, as the core's getAlerts().active lists it. */
export function alert(id: number, severity: Severity, overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id,
    time: 1_700_000_000_000 + id,
    kind: 'fired',
    ruleId: `balance-below.or.r${id}`,
    ruleType: 'balance-below',
    subject: 'or',
    accountId: 'or',
    window: '',
    dedupeKey: `balance-below.or.r${id}|or`,
    severity,
    title: `Alert ${id}`,
    body: 'Balance is low',
    value: 1_000_000,
    threshold: 5_000_000,
    unit: { kind: 'money', currency: 'USD' },
    acknowledgedAt: null,
    snoozedUntil: null,
    popup: 'sent',
    deliveries: [],
    ...overrides,
  };
}
