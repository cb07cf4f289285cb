// Balance-side rules: balance below an amount, runway below N days, quota levels, provider failing or stale.
import type { AlertRule } from '../../../shared/alerts.ts';
import type { Currency } from '../../../shared/money.ts';
import { DAY, MINUTE, windowKey } from './calendar.ts';
import {
  above,
  below,
  dedupeKey,
  fmt,
  moneyIn,
  severityFor,
  subjectsOf,
  viewOf,
  type Check,
  type EvalContext,
} from './check.ts';
import type { AlertHistory } from './history.ts';

type Rule<T extends AlertRule['type']> = Extract<AlertRule, { type: T }>;

/** Burn rates need this much history to mean anything. */
export const MIN_BURN_SPAN_MS = 6 * 3_600_000;
export const BURN_LOOKBACK_MS = 7 * DAY;

export function balanceBelow(rule: Rule<'balance-below'>, ctx: EvalContext): Check[] {
  const cur = rule.amount.currency;
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, false)) {
    const amounts = subject.accountIds.map((id) => moneyIn(viewOf(ctx, id)?.lastSuccess, cur)).filter((m) => m !== null);
    if (amounts.length === 0) continue;
    const value = amounts.reduce((sum, m) => sum + m.micros, 0);
    const threshold = rule.amount.micros;
    checks.push({
      key: dedupeKey(rule, subject.key, ''),
      subject: subject.key,
      ...(subject.accountId ? { accountId: subject.accountId } : {}),
      window: '',
      value,
      threshold,
      unit: { kind: 'money', currency: cur },
      ...below(value, threshold, rule.margin),
      signal: value,
      // A rise of at least the margin is a top-up rather than jitter.
      topUp: (Math.abs(threshold) * rule.margin) / 100,
      severity: severityFor(rule),
      title: `${subject.label}: balance ${fmt(value, cur)}`,
      body: `Below your ${fmt(threshold, cur)} alert. Top up to keep API calls working.`,
    });
  }
  return checks;
}

/**
 * Spend per day over the last 7 days of balance drops. Rises (top-ups, refunds) are skipped rather than netted,
 * so a top-up never makes the burn look smaller. Null when there is too little history or no spend.
 */
export function burnPerDay(history: AlertHistory, accountId: string, currency: Currency, now: number, latest?: { time: number; micros: number }): number | null {
  const points = history
    .snapshots(accountId, now - BURN_LOOKBACK_MS, now + 1, { okOnly: true })
    .map((s) => ({ time: s.time, micros: moneyIn(s, currency)?.micros }))
    .filter((p): p is { time: number; micros: number } => p.micros !== undefined);
  if (latest && !points.some((p) => p.time === latest.time)) points.push(latest);
  points.sort((a, b) => a.time - b.time);
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || last.time - first.time < MIN_BURN_SPAN_MS) return null;
  let drops = 0;
  for (let i = 1; i < points.length; i++) drops += Math.max(0, (points[i - 1] as { micros: number }).micros - (points[i] as { micros: number }).micros);
  return drops > 0 ? (drops * DAY) / (last.time - first.time) : null;
}

export function runwayBelow(rule: Rule<'runway-below'>, ctx: EvalContext): Check[] {
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, false)) {
    const firstView = viewOf(ctx, subject.accountIds[0] ?? '');
    const cur = rule.currency ?? firstView?.lastSuccess?.balance?.currency;
    if (!cur) continue;
    let balance = 0;
    let rate = 0;
    let seen = false;
    for (const id of subject.accountIds) {
      const s = viewOf(ctx, id)?.lastSuccess;
      const m = moneyIn(s, cur);
      if (!s || !m) continue;
      seen = true;
      balance += m.micros;
      rate += burnPerDay(ctx.history, id, cur, ctx.now, { time: s.time, micros: m.micros }) ?? 0;
    }
    if (!seen || rate <= 0) continue;
    const days = Math.max(0, balance) / rate;
    checks.push({
      key: dedupeKey(rule, subject.key, ''),
      subject: subject.key,
      ...(subject.accountId ? { accountId: subject.accountId } : {}),
      window: '',
      value: days,
      threshold: rule.days,
      unit: { kind: 'days' },
      ...below(days, rule.days, rule.margin),
      signal: balance,
      // A rise of at least a day's spend is a top-up.
      topUp: rate,
      severity: severityFor(rule),
      title: `${subject.label}: about ${days < 10 ? days.toFixed(1) : Math.round(days)} days of credit left`,
      body: `${fmt(balance, cur)} at the last 7 days' spend of ${fmt(rate, cur)} a day; your alert is at ${rule.days} days.`,
    });
  }
  return checks;
}

const QUOTA_WINDOW = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

export function quotaUsed(rule: Rule<'quota-used'>, ctx: EvalContext): Check[] {
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, true)) {
    const q = viewOf(ctx, subject.key)?.lastSuccess?.quota;
    if (!q?.limit || q.limit.micros <= 0) continue;
    const pct = (q.used.micros / q.limit.micros) * 100;
    const kind = q.resets && q.resets !== 'never' ? QUOTA_WINDOW[q.resets] : null;
    const window = kind ? windowKey(ctx.timeZone, kind, ctx.now) : '';
    const resets = kind ? ` It resets ${q.resets}.` : '';
    for (const level of rule.levels) {
      checks.push({
        key: dedupeKey(rule, subject.key, window, level),
        subject: subject.key,
        accountId: subject.key,
        window,
        value: pct,
        threshold: level,
        unit: { kind: 'percent' },
        ...above(pct, level, rule.margin, true),
        group: `${subject.key}|${window}`,
        severity: severityFor(rule, level),
        title: `${subject.label}: ${Math.floor(pct)}% of quota used`,
        body: `Past the ${level}% level: ${fmt(q.used.micros, q.used.currency)} of ${fmt(q.limit.micros, q.limit.currency)}.${resets}`,
      });
    }
  }
  return checks;
}

export function providerFailing(rule: Rule<'provider-failing'>, ctx: EvalContext): Check[] {
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, true)) {
    const view = viewOf(ctx, subject.key);
    if (!view?.latest) continue;
    const failing = !view.latest.ok || view.stale;
    // Never succeeded: count from the first failure we still have.
    const since =
      view.lastSuccess?.time ?? ctx.history.snapshots(subject.key, ctx.now - 7 * DAY, ctx.now + 1)[0]?.time ?? view.latest.time;
    const minutes = failing ? Math.max(0, (ctx.now - since) / MINUTE) : 0;
    const reason = view.latest.error?.message ?? 'No fresh figures arrived.';
    checks.push({
      key: dedupeKey(rule, subject.key, ''),
      subject: subject.key,
      accountId: subject.key,
      window: '',
      value: minutes,
      threshold: rule.minutes,
      unit: { kind: 'minutes' },
      breached: failing && minutes >= rule.minutes,
      recovered: !failing,
      recovery: { title: `${subject.label}: working again`, body: 'Spendbar reads its figures again.' },
      severity: severityFor(rule),
      title: `${subject.label}: no fresh figures for ${Math.round(minutes)} min`,
      body: reason,
    });
  }
  return checks;
}
