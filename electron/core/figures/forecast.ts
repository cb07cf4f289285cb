// Month to date, the pace of spend and the forecast to month end, per currency: the one home of these figures.
// The Overview, the budget bars and the "on pace to exceed the budget" alert all read them from here.
import type { MonthSpend } from '../../../shared/api.ts';
import type { Series, Snapshot } from '../../../shared/domain.ts';
import { isMoneyCurrency, type Currency, type Money } from '../../../shared/money.ts';
import { bucketStart, nextBucketStart } from '../store/tz.ts';
import { DAY_MS } from './runway.ts';

/** The pace is the average day of the last 7 whole days plus today so far. */
export const PACE_DAYS = 7;
/** A pace resting on less history than this would swing wildly: the forecast then is just what is spent. */
export const MIN_PACE_BASIS_MS = 6 * 3_600_000;

export interface Pace {
  perDayMicros: number;
  /** What the pace rests on: from the window's start (or the first data, if later) to now. */
  basisMs: number;
}

/**
 * Spend per day in one currency from cost series (any bucket width; a point's `t` is its bucket's start): everything
 * from `from` to `now`, over the time since `from` or since the first data, whichever is later.
 */
export function paceOf(series: readonly Series[], currency: Currency, from: number, now: number, firstData: number | null = null): Pace | null {
  let micros = 0;
  let first = Infinity;
  for (const s of series) {
    if (s.currency !== currency) continue;
    for (const p of s.points) {
      if (p.t < from || p.t > now) continue;
      micros += p.v;
      first = Math.min(first, p.t);
    }
  }
  if (!Number.isFinite(first)) return null;
  const since = Math.max(from, Math.min(first, firstData ?? first));
  const basisMs = now - since;
  if (basisMs < MIN_PACE_BASIS_MS) return null;
  return { perDayMicros: (micros * DAY_MS) / basisMs, basisMs };
}

/** Month to date plus the pace over what is left of the month. */
export function forecastMonthEnd(monthToDateMicros: number, pacePerDayMicros: number | null, now: number, monthEnd: number): number {
  if (pacePerDayMicros === null) return monthToDateMicros;
  return monthToDateMicros + Math.round((pacePerDayMicros * Math.max(0, monthEnd - now)) / DAY_MS);
}

export interface MonthSpendInput {
  /** The figures shown per account (last good snapshots). */
  snapshots: readonly (Snapshot | null)[];
  /** Cost per day (or hour) of every account, from paceWindow(…).from to now. */
  cost: readonly Series[];
  budgets: readonly Money[];
  now: number;
  timeZone: string;
}

/** The window the pace is measured over: the last 7 whole days of the zone plus today so far. */
export function paceWindow(timeZone: string, now: number): { from: number; to: number } {
  const today = bucketStart(timeZone, 'day', now);
  return { from: bucketStart(timeZone, 'day', today - PACE_DAYS * DAY_MS + 12 * 3_600_000), to: now };
}

/**
 * One entry per money currency that any account spends in or that has a budget: month to date (the sum of what the
 * accounts report for this month — the same figure as the Overview's "Spent this month"), the pace, the forecast.
 */
export function monthSpend(input: MonthSpendInput): MonthSpend[] {
  const { now, timeZone } = input;
  const monthStart = bucketStart(timeZone, 'month', now);
  const monthEnd = nextBucketStart(timeZone, 'month', monthStart);
  const window = paceWindow(timeZone, now);
  const mtd = new Map<Currency, number>();
  for (const s of input.snapshots) {
    const m = s?.spent.month;
    if (m && isMoneyCurrency(m.currency)) mtd.set(m.currency, (mtd.get(m.currency) ?? 0) + m.micros);
  }
  const currencies = new Set<Currency>(mtd.keys());
  for (const b of input.budgets) currencies.add(b.currency);
  for (const s of input.cost) if (s.currency && isMoneyCurrency(s.currency) && s.points.length > 0) currencies.add(s.currency);
  return [...currencies].sort().map((currency) => {
    const monthToDate = mtd.get(currency) ?? 0;
    const pace = paceOf(input.cost, currency, window.from, now);
    const budget = input.budgets.find((b) => b.currency === currency) ?? null;
    return {
      currency,
      monthToDate: { micros: monthToDate, currency },
      pacePerDay: pace ? { micros: Math.round(pace.perDayMicros), currency } : null,
      paceBasisMs: pace?.basisMs ?? 0,
      forecast: { micros: forecastMonthEnd(monthToDate, pace?.perDayMicros ?? null, now, monthEnd), currency },
      budget,
      monthStart,
      monthEnd,
    };
  });
}
