// Serves the core's figures with the statuses: each account's runway (cached per good snapshot, so a status push
// costs no query), this month's spend and forecast per currency, and the monthly budgets kept in settings.
import type { Budget, SpendSummary } from '../../../shared/api.ts';
import type { Runway, Snapshot } from '../../../shared/domain.ts';
import { isMoneyCurrency, toMicros, type Currency, type Money } from '../../../shared/money.ts';
import { budgetsSchema } from '../../../shared/schemas.ts';
import { AccountInputError } from '../accounts.ts';
import type { SettingsStore } from '../ports.ts';
import type { SnapshotStore } from '../store/index.ts';
import { monthSpend, paceWindow } from './forecast.ts';
import { ImageCounts } from '../store/images.ts';
import { bucketStart } from '../store/tz.ts';
import { accountRunway, RUNWAY_WINDOW_MS } from './runway.ts';

export class Figures {
  private readonly runways = new Map<string, { time: number; runway: Runway | null }>();
  readonly images: ImageCounts;
  private readonly store: SnapshotStore;
  private readonly settings: SettingsStore;
  private readonly timeZone: () => string;
  private readonly now: () => number;

  constructor(store: SnapshotStore, settings: SettingsStore, timeZone: () => string, now: () => number) {
    this.store = store;
    this.settings = settings;
    this.timeZone = timeZone;
    this.now = now;
    this.images = new ImageCounts(store.db);
  }

  /** The runway of the account's last good figures; recomputed only when those change. */
  runway(accountId: string, lastSuccess: Snapshot | null): Runway | null {
    if (!lastSuccess) return null;
    const cached = this.runways.get(accountId);
    if (cached && cached.time === lastSuccess.time) return cached.runway;
    const history = this.store.snapshots(accountId, lastSuccess.time - RUNWAY_WINDOW_MS, lastSuccess.time, { okOnly: true });
    const runway = accountRunway(lastSuccess, history, lastSuccess.time);
    this.runways.set(accountId, { time: lastSuccess.time, runway });
    return runway;
  }

  forget(accountId: string): void {
    this.runways.delete(accountId);
  }

  deleteAccount(accountId: string): void {
    this.forget(accountId);
    this.images.deleteAccount(accountId);
  }

  budgets(): Budget[] {
    return this.settings.get().budgets ?? [];
  }

  summary(shown: readonly (Snapshot | null)[]): SpendSummary {
    const now = this.now();
    const timeZone = this.timeZone();
    const window = paceWindow(timeZone, now);
    const cost = this.store.series({ metric: 'cost', bucket: 'day', groupBy: 'none', from: window.from, to: now + 1, timeZone }).series;
    const budgets = this.budgets();
    const months = monthSpend({ snapshots: shown, cost, budgets: budgets.map((b) => ({ micros: toMicros(b.amount), currency: b.currency })), now, timeZone });
    return { months, budgets, images: this.imageCounts(now, timeZone, months[0]?.monthStart ?? bucketStart(timeZone, 'month', now)) };
  }

  private imageCounts(now: number, timeZone: string, monthStart: number): SpendSummary['images'] {
    // A bucket counts in the day its start falls in, as in every chart (a provider's UTC day may start mid-day here).
    const today = this.images.totals(bucketStart(timeZone, 'day', now), now + 1);
    const month = this.images.totals(monthStart, now + 1);
    return [...month].filter(([, n]) => n > 0).map(([accountId, n]) => ({ accountId, today: today.get(accountId) ?? 0, month: n }));
  }

  /** Validates and stores the budgets; a currency no account reports is refused, an amount of 0 removes a budget. */
  saveBudgets(input: unknown, shown: readonly (Snapshot | null)[]): void {
    const parsed = budgetsSchema.safeParse(input);
    if (!parsed.success) throw new AccountInputError([...new Set(parsed.error.issues.map((i) => i.message))].join('\n'), 'budgets');
    const known = reportedCurrencies(shown);
    for (const b of parsed.data) {
      if (b.amount > 0 && !known.has(b.currency)) {
        const list = [...known].sort().join(', ') || 'none yet';
        throw new AccountInputError(`No account reports ${b.currency}: a budget can be set in ${list}.`, 'currency');
      }
    }
    const current = this.settings.get();
    this.settings.set({ ...current, budgets: parsed.data.filter((b) => b.amount > 0) });
  }
}

/** Money currencies the accounts' figures are in (balances, spend, usage cost). */
export function reportedCurrencies(shown: readonly (Snapshot | null)[]): Set<Currency> {
  const out = new Set<Currency>();
  for (const s of shown) {
    if (!s) continue;
    const all: (Money | null | undefined)[] = [s.balance, ...s.balances, s.spent.today, s.spent.week, s.spent.month, s.spent.total, ...s.usage.map((u) => u.cost)];
    for (const m of all) if (m && isMoneyCurrency(m.currency)) out.add(m.currency);
  }
  return out;
}
