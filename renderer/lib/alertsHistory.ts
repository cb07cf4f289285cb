// Wording and filters for the alert history and the rule preview: pure, so the tests can hold them to the figures.
import type { AlertPreview } from '../../shared/api.ts';
import type { AlertChannel, AlertEvent, AlertHistoryFilter, AlertUnit, Delivery } from '../../shared/alerts.ts';
import { formatCount, formatMoneyShort } from './format.ts';

/** "Would have fired 3 times in the last 30 days." */
export function previewText(p: AlertPreview): string {
  const period = p.days === 1 ? 'the last day' : `the last ${p.days} days`;
  // Nothing recorded to replay: the core says why, rather than "would not have fired".
  if (p.note) return p.note;
  if (p.fires === 0) return `Would not have fired in ${period}.`;
  return `Would have fired ${p.fires === 1 ? 'once' : `${p.fires} times`} in ${period}.`;
}

/** A figure of an alert in its unit: money in micro-units of its currency, the rest as counted. */
export function formatAlertValue(value: number, unit: AlertUnit): string {
  switch (unit.kind) {
    case 'money':
      return formatMoneyShort({ micros: Math.round(value), currency: unit.currency });
    case 'percent':
      return `${Number(value.toFixed(1))}%`;
    case 'days':
      return `${value.toFixed(1)} days`;
    case 'minutes':
      return `${Math.round(value)} min`;
    case 'tokens':
      return `${formatCount(value)} tokens`;
    case 'count':
      return formatCount(value);
  }
}

/** "Delivered" or why not, for a channel test or one delivery of an alert. */
export function deliveryText(d: Delivery): string {
  if (d.ok) return d.message ? `Delivered: ${d.message}` : 'Delivered';
  const tries = d.attempts > 1 ? ` after ${d.attempts} attempts` : '';
  return `Not delivered${tries}: ${d.message ?? 'no answer'}`;
}

export function channelLabel(c: AlertChannel): string {
  if (c.name) return c.name;
  if (c.type === 'popup') return 'Desktop popup';
  const formats = { json: 'JSON webhook', slack: 'Slack webhook', discord: 'Discord webhook', ntfy: 'ntfy' } as const;
  return formats[c.format];
}

export const PERIODS = [
  { id: '1', label: 'Last 24 hours', days: 1 },
  { id: '7', label: 'Last 7 days', days: 7 },
  { id: '30', label: 'Last 30 days', days: 30 },
  { id: '90', label: 'Last 90 days', days: 90 },
  { id: 'all', label: 'All time', days: null },
] as const;

/** What the history filter controls hold; '' means "any". */
export interface HistoryFilterState {
  accountId: string;
  ruleId: string;
  kind: '' | AlertEvent['kind'];
  acknowledged: '' | 'yes' | 'no';
  period: (typeof PERIODS)[number]['id'];
}

export const EMPTY_HISTORY_FILTER: HistoryFilterState = { accountId: '', ruleId: '', kind: '', acknowledged: '', period: '30' };

export function toHistoryFilter(f: HistoryFilterState, now: number): AlertHistoryFilter {
  const out: AlertHistoryFilter = {};
  if (f.accountId) out.accountId = f.accountId;
  if (f.ruleId) out.ruleId = f.ruleId;
  if (f.kind) out.kind = f.kind;
  if (f.acknowledged) out.acknowledged = f.acknowledged === 'yes';
  const days = PERIODS.find((p) => p.id === f.period)?.days ?? null;
  if (days !== null) out.from = now - days * 86_400_000;
  return out;
}

/** Newest first, whatever order they came in (a live event may land before an older page). */
export function newestFirst(events: readonly AlertEvent[]): AlertEvent[] {
  return [...events].sort((a, b) => b.time - a.time || b.id - a.id);
}

/** The snooze still running on an event, if any. */
export function snoozedUntil(e: AlertEvent, now: number): number | null {
  return e.snoozedUntil !== null && e.snoozedUntil > now ? e.snoozedUntil : null;
}

export function formatTime(time: number): string {
  return new Date(time).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
