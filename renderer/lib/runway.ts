// Runway: how long a balance lasts at its recent burn. Computed from the balance series rather than the
// spend windows because not every provider reports spend, while every balance-reporting one has a history.
import type { SeriesPoint } from '../../shared/domain.ts';

export const DAY_MS = 86_400_000;

export interface Runway {
  /** Days until the balance reaches zero at the burn rate; 0 when it already has. */
  days: number;
  /** Micro-units burnt per day, averaged over the basis. */
  burnPerDayMicros: number;
  /** How much history the burn is based on (at most the window asked for). */
  basisMs: number;
  /** The latest balance the projection starts from. */
  from: SeriesPoint;
}

export interface RunwayOptions {
  now?: number;
  windowMs?: number;
  /** Less history than this gives no runway: one noisy hour says nothing about next week. */
  minBasisMs?: number;
}

/**
 * Burn is the sum of the drops between consecutive points inside the window, so a top-up (a rise) does not
 * read as negative spend. Returns null when there is too little history or nothing was spent.
 */
export function computeRunway(points: readonly SeriesPoint[], opts: RunwayOptions = {}): Runway | null {
  const windowMs = opts.windowMs ?? 7 * DAY_MS;
  const minBasisMs = opts.minBasisMs ?? 3_600_000;
  const sorted = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v)).sort((a, b) => a.t - b.t);
  const last = sorted.at(-1);
  if (!last) return null;
  const now = Math.max(opts.now ?? last.t, last.t);
  const start = now - windowMs;
  const inWindow = sorted.filter((p) => p.t >= start);
  const first = inWindow[0];
  if (!first || inWindow.length < 2) return null;
  const basisMs = last.t - first.t;
  if (basisMs < minBasisMs) return null;
  let burnt = 0;
  for (let i = 1; i < inWindow.length; i++) {
    const drop = inWindow[i - 1]!.v - inWindow[i]!.v;
    if (drop > 0) burnt += drop;
  }
  if (burnt <= 0) return null;
  const burnPerDayMicros = (burnt / basisMs) * DAY_MS;
  const days = last.v <= 0 ? 0 : last.v / burnPerDayMicros;
  return { days, burnPerDayMicros, basisMs, from: last };
}

/** "7 days'", "36 hours'": the basis in words, for "≈ 6.2 days at the last 7 days' burn". */
export function basisLabel(basisMs: number): string {
  const days = basisMs / DAY_MS;
  if (days >= 1.95) return `${Math.round(days)} days'`;
  const hours = Math.max(1, Math.round(basisMs / 3_600_000));
  return `${hours} ${hours === 1 ? "hour's" : "hours'"}`;
}

export function formatRunway(r: Runway): string {
  const basis = basisLabel(r.basisMs);
  if (r.days <= 0) return `Balance used up at the last ${basis} burn`;
  const amount = r.days >= 100 ? Math.round(r.days).toLocaleString('en-US') : r.days.toFixed(1);
  return `≈ ${amount} days at the last ${basis} burn`;
}

/**
 * The dashed line drawn forward on the balance chart: from the latest balance down to zero, cut at the horizon
 * so a slow burn does not stretch the time axis for years.
 */
export function runwayProjection(r: Runway, horizonMs = 30 * DAY_MS): SeriesPoint[] {
  const start = r.from;
  if (r.days <= 0) return [start];
  const endT = start.t + Math.min(r.days * DAY_MS, horizonMs);
  const endV = start.v - (r.burnPerDayMicros * (endT - start.t)) / DAY_MS;
  return [start, { t: endT, v: Math.max(0, Math.round(endV)) }];
}
