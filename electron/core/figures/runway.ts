// Runway and burn rate: the one home of both. The card, the balance chart, the tray and the runway-below alert all
// show what this module computes, so no two screens can disagree about how long a balance lasts.
import type { Runway, Snapshot } from '../../../shared/domain.ts';
import type { Currency } from '../../../shared/money.ts';

export const DAY_MS = 86_400_000;
/** The burn is the average of the last 7 days: long enough to smooth a busy afternoon, short enough to follow a change. */
export const RUNWAY_WINDOW_MS = 7 * DAY_MS;
/** Less history than this says nothing about next week: no runway until then. */
export const MIN_BURN_BASIS_MS = 6 * 3_600_000;

export interface BalancePoint {
  time: number;
  micros: number;
}

export interface Burn {
  /** Micro-units spent per day over the basis. */
  perDayMicros: number;
  /** Span of the points the burn rests on (at most the window). */
  basisMs: number;
}

/**
 * Spend per day from balance readings in [now − window, now]: the sum of the drops between consecutive readings over
 * the time they span. A rise (top-up, refund) is skipped rather than netted, so a top-up never makes the burn look
 * smaller. Null with too little history or nothing spent.
 */
export function burnRate(points: readonly BalancePoint[], now: number, windowMs = RUNWAY_WINDOW_MS, minBasisMs = MIN_BURN_BASIS_MS): Burn | null {
  const inWindow = points
    .filter((p) => Number.isFinite(p.time) && Number.isFinite(p.micros) && p.time >= now - windowMs && p.time <= now)
    .sort((a, b) => a.time - b.time);
  const first = inWindow[0];
  const last = inWindow.at(-1);
  if (!first || !last) return null;
  const basisMs = last.time - first.time;
  if (basisMs < minBasisMs) return null;
  let drops = 0;
  for (let i = 1; i < inWindow.length; i++) drops += Math.max(0, inWindow[i - 1]!.micros - inWindow[i]!.micros);
  if (drops <= 0) return null;
  return { perDayMicros: (drops * DAY_MS) / basisMs, basisMs };
}

/** Days a balance lasts at a burn: 0 when it is already used up. */
export function runwayDays(balanceMicros: number, perDayMicros: number): number {
  if (balanceMicros <= 0) return 0;
  return balanceMicros / perDayMicros;
}

/** The balance of one currency in a snapshot, if it reports one. */
export function balanceIn(s: Snapshot | null | undefined, currency: Currency): number | null {
  if (!s) return null;
  const m = s.balances.find((b) => b.currency === currency) ?? (s.balance?.currency === currency ? s.balance : null);
  return m ? m.micros : null;
}

/**
 * The runway of an account's main balance: `history` are its good snapshots of the last window (any order), `latest`
 * the figures shown now. The currency is the latest main balance's.
 */
export function accountRunway(latest: Snapshot | null, history: readonly Snapshot[], now: number, windowMs = RUNWAY_WINDOW_MS): Runway | null {
  const balance = latest?.ok ? latest.balance : null;
  if (!latest || !balance) return null;
  const points = balancePoints([...history, latest], balance.currency);
  const burn = burnRate(points, Math.max(now, latest.time), windowMs);
  if (!burn) return null;
  return {
    balance,
    at: latest.time,
    burnPerDay: { micros: Math.round(burn.perDayMicros), currency: balance.currency },
    days: runwayDays(balance.micros, burn.perDayMicros),
    windowMs,
    basisMs: burn.basisMs,
  };
}

/** One point per good snapshot that reports the currency, de-duplicated by time. */
export function balancePoints(snapshots: readonly Snapshot[], currency: Currency): BalancePoint[] {
  const byTime = new Map<number, number>();
  for (const s of snapshots) {
    if (!s.ok) continue;
    const micros = balanceIn(s, currency);
    if (micros !== null) byTime.set(s.time, micros);
  }
  return [...byTime].map(([time, micros]) => ({ time, micros }));
}
