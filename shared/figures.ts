// How the core's figures read in words, shared by the dashboard, the tray and alert texts so they say the same thing.
// Pure: no Node, no DOM. The figures themselves are computed in electron/core/figures/.
import type { Runway } from './domain.ts';
import { formatMoney } from './money.ts';

const DAY_MS = 86_400_000;

/** "6.2 days", "12 days", "over a year"; tenths are cut, never rounded up, so a runway is never overstated. */
export function formatDays(days: number): string {
  if (days > 365) return 'over a year';
  if (days < 10) {
    const cut = Math.floor(days * 10) / 10;
    return `${cut} ${cut === 1 ? 'day' : 'days'}`;
  }
  return `${Math.floor(days)} days`;
}

/** "7 days'", "36 hours'": the basis of a burn in words. */
export function basisWords(basisMs: number): string {
  const days = basisMs / DAY_MS;
  if (days >= 1.95) return `${Math.round(days)} days'`;
  const hours = Math.max(1, Math.round(basisMs / 3_600_000));
  return `${hours} ${hours === 1 ? "hour's" : "hours'"}`;
}

/** "≈ 6.2 days at the last 7 days' burn ($1.20/day)": the figure with the window it rests on. */
export function describeRunway(r: Runway): string {
  const burn = `${formatMoney(roundCents(r.burnPerDay))}/day`;
  if (r.days <= 0) return `Balance used up (last ${basisWords(r.basisMs)} burn ${burn})`;
  return `≈ ${formatDays(r.days)} at the last ${basisWords(r.basisMs)} burn (${burn})`;
}

function roundCents(m: { micros: number; currency: string }): { micros: number; currency: string } {
  return Math.abs(m.micros) >= 10_000 ? { micros: Math.round(m.micros / 10_000) * 10_000, currency: m.currency } : m;
}
