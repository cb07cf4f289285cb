// Display helpers that are not money (money goes through shared/money.ts formatMoney).
import { formatMoney, type Money } from '../../shared/money.ts';

// One formatter for every count, made on first use: toLocaleString builds a new one per call, and a table of counts
// calls it hundreds of times.
let countFormat: Intl.NumberFormat | undefined;

/** Exact counts with thousands separators: tooltips and tables never round a token count away. */
export function formatCount(n: number): string {
  countFormat ??= new Intl.NumberFormat('en-US');
  return countFormat.format(Math.round(n));
}

/** "1.2M", "34.5k": for cards and axes, where space is short. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(abs >= 1e10 ? 0 : 1)}B`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`;
  return formatCount(n);
}

export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return '—';
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** "just now", "5 min ago", "3 h ago", or a date for anything older than a day. */
export function formatAgo(time: number, now = Date.now()): string {
  const s = Math.round((now - time) / 1000);
  if (s < 45) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  return new Date(time).toLocaleString();
}

/**
 * Money to the cent for cards and totals, where "$79.4213" is noise; amounts under a cent keep their digits so
 * a tiny spend never shows as "$0.00". Tooltips and exports keep the exact figure.
 */
export function formatMoneyShort(m: Money): string {
  const cents = Math.round(m.micros / 10_000) * 10_000;
  if (cents === 0 && m.micros !== 0) return formatMoney(m);
  return formatMoney({ micros: cents, currency: m.currency });
}

export function formatMoneyList(list: Money[]): string {
  return list.length === 0 ? '—' : list.map((m) => formatMoneyShort(m)).join(' · ');
}

/** A key as people recognise it; providers that do not say which key report "". */
export function keyLabel(key: string): string {
  return key === '' ? '(unspecified key)' : key;
}

/** Local calendar date "2025-03-01", for date inputs and file names. */
export function isoDate(time: number): string {
  const d = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
