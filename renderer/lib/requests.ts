// Wording for the Requests view: pure, so the tests can hold it to the figures. Figures come computed from the core
// (headroom percent, metered vs billed, gaps); this only says them.
import type { Headroom, MeteredVsBilled, RateWindow, RateWindowName, RequestRow } from '../../shared/metering.ts';
import { formatMoney, type Money } from '../../shared/money.ts';
import { formatCount, formatMoneyList } from './format.ts';

export type RequestsPeriod = '24h' | '7d' | '30d' | 'month';

export const PERIODS: { id: RequestsPeriod; label: string }[] = [
  { id: '24h', label: 'Last 24 hours' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
  { id: 'month', label: 'This month' },
];

const DAY = 86_400_000;

/** The period's range; "this month" is left to the core (the user's zone), so `from` is undefined. */
export function periodRange(p: RequestsPeriod, now: number): { from?: number; to: number } {
  if (p === 'month') return { to: now };
  const days = p === '24h' ? 1 : p === '7d' ? 7 : 30;
  return { from: now - days * DAY, to: now };
}

/** "$0.0007", "unpriced", "— (failed)"; estimated figures say so. */
export function costText(r: Pick<RequestRow, 'cost' | 'costSource' | 'estimated'>): string {
  if (r.costSource === 'none') return '—';
  if (!r.cost) return 'unpriced';
  const text = formatMoney({ micros: Math.round(r.cost.amount * 1e6), currency: r.cost.currency });
  return r.estimated ? `≈ ${text}` : text;
}

export function costTitle(r: Pick<RequestRow, 'costSource' | 'estimated'>): string {
  const source = { provider: "The provider's own cost for this request", 'price-table': 'List price from the bundled price table', unpriced: 'This model is not in the price table: not counted as $0', none: 'Failed: the provider reported no usage' }[r.costSource];
  return r.estimated ? `${source}; tokens estimated (the provider sent no usage)` : source;
}

/** "in 42 s", "in 3 min", "now" for a reset time. */
export function resetText(resetAt: number | null, now: number): string {
  if (resetAt === null) return '—';
  const s = Math.round((resetAt - now) / 1000);
  if (s <= 0) return 'now';
  if (s < 90) return `in ${s} s`;
  const min = Math.round(s / 60);
  if (min < 90) return `in ${min} min`;
  return `in ${Math.round(min / 60)} h`;
}

/** "499 of 500 left (99.8%)", "unlimited", "—"; a window past its reset has refilled. */
export function windowText(w: RateWindow | undefined, now: number): string {
  if (!w) return '—';
  if (w.limit === null) return 'unlimited';
  if (w.remaining === null) return `limit ${formatCount(w.limit)}`;
  if (w.resetAt !== null && w.resetAt <= now) return `${formatCount(w.limit)} (refilled)`;
  const pct = w.limit > 0 ? (w.remaining / w.limit) * 100 : 0;
  // Rounded down: "100%" would claim no request has been counted.
  return `${formatCount(w.remaining)} of ${formatCount(w.limit)} left (${pct >= 10 ? Math.floor(pct) : (Math.floor(pct * 10) / 10).toFixed(1)}%)`;
}

export const WINDOW_LABELS: Record<RateWindowName, string> = {
  requests: 'Requests',
  tokens: 'Tokens',
  inputTokens: 'Input tokens',
  outputTokens: 'Output tokens',
  requestsPerDay: 'Requests / day',
  tokensPerDay: 'Tokens / day',
};

/** Bar colour class for the lowest headroom. */
export function headroomClass(h: Pick<Headroom, 'lowestPercent'>): string {
  if (h.lowestPercent === null) return '';
  return h.lowestPercent < 10 ? 'bar-danger' : h.lowestPercent < 25 ? 'bar-warn' : '';
}

/** The metered vs billed line: both figures side by side, and the gap in words; never a sum of the two. */
export function meteredVsBilledText(m: MeteredVsBilled): { metered: string; billed: string; gap: string } {
  const unpriced = m.meteredUnpriced ? ` + ${formatCount(m.meteredUnpriced)} unpriced` : '';
  const metered = `${formatMoneyList(m.metered)}${unpriced}`;
  const billed = m.billedFrom === 'none' ? 'not reported by the provider' : `${formatMoneyList(m.billed)}${m.billedFrom === 'spend-window' ? ' (spend this month)' : ''}`;
  let gap = '';
  if (m.gap.length) {
    gap = m.gap
      .map((g: Money) =>
        g.micros > 0 ? `${formatMoney(g)} billed beyond what went through the proxy` : g.micros < 0 ? `${formatMoney({ ...g, micros: -g.micros })} metered but not billed yet` : 'metered and billed agree',
      )
      .join('; ');
  } else if (m.billedFrom !== 'none') gap = 'different currencies: not compared';
  return { metered, billed, gap };
}

/** "120 in · 42 out · 20 cached"; estimated counts are marked. */
export function tokensText(r: Pick<RequestRow, 'inputTokens' | 'outputTokens' | 'cachedTokens' | 'reasoningTokens' | 'estimated'>): string {
  const parts = [`${formatCount(r.inputTokens)} in`, `${formatCount(r.outputTokens)} out`];
  if (r.cachedTokens) parts.push(`${formatCount(r.cachedTokens)} cached`);
  if (r.reasoningTokens) parts.push(`${formatCount(r.reasoningTokens)} reasoning`);
  return `${r.estimated ? '≈ ' : ''}${parts.join(' · ')}`;
}

export function appLabel(app: string): string {
  return app === '' ? '(untagged)' : app;
}
