// Balance-side rules: balance below an amount, runway below N days, quota levels, provider failing or stale.
import type { AlertRule } from '../../../shared/alerts.ts';
import type { Snapshot } from '../../../shared/domain.ts';
import type { Currency } from '../../../shared/money.ts';
import { formatDays } from '../../../shared/figures.ts';
import { balancePoints, burnRate, RUNWAY_WINDOW_MS, runwayDays } from '../figures/runway.ts';
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
 * Spend per day of one account's balance in `currency`, by the one burn-rate rule (electron/core/figures/runway.ts):
 * the last 7 days of drops up to the latest reading, top-ups skipped. The same figure the dashboard and tray show.
 */
export function burnPerDay(history: AlertHistory, accountId: string, currency: Currency, latest: Snapshot): number | null {
  const snapshots = history.snapshots(accountId, latest.time - RUNWAY_WINDOW_MS, latest.time, { okOnly: true });
  return burnRate(balancePoints([...snapshots, latest], currency), latest.time)?.perDayMicros ?? null;
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
      rate += burnPerDay(ctx.history, id, cur, s) ?? 0;
    }
    if (!seen || rate <= 0) continue;
    const days = runwayDays(balance, rate);
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
      title: `${subject.label}: about ${formatDays(days)} of credit left`,
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
