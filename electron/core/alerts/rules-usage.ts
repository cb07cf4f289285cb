// Usage-side rules: spend in a calendar window, the monthly token budget, and spikes against the usual level for
// the same hour (or day) of the week. All windows are cut in the user's zone.
import type { AlertRule } from '../../../shared/alerts.ts';
import { windowEnd, windowKey, windowStart, sameTimeWeeksBefore } from './calendar.ts';
import { above, dedupeKey, fmt, fmtCount, severityFor, subjectsOf, viewOf, type Check, type EvalContext } from './check.ts';
import { sumUsage } from './history.ts';

type Rule<T extends AlertRule['type']> = Extract<AlertRule, { type: T }>;

const SPEND_WINDOW = { today: 'day', week: 'week', month: 'month' } as const;
const WINDOW_WORDS = { today: 'today', week: 'this week', month: 'this month' } as const;

export function spendAbove(rule: Rule<'spend-above'>, ctx: EvalContext): Check[] {
  const cur = rule.amount.currency;
  const kind = SPEND_WINDOW[rule.window];
  const start = windowStart(ctx.timeZone, kind, ctx.now);
  const window = windowKey(ctx.timeZone, kind, ctx.now);
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, false)) {
    let value = 0;
    for (const id of subject.accountIds) {
      const s = viewOf(ctx, id)?.lastSuccess;
      const reported = s && s.time >= start ? s.spent[rule.window] : undefined;
      // The provider's own window figure when it has one for this window; our stored cost buckets otherwise.
      value += reported?.currency === cur ? reported.micros : sumUsage(ctx.history.usage('cost', id, 'hour', start, ctx.now + 1, ctx.timeZone), start, ctx.now + 1, cur);
    }
    checks.push({
      key: dedupeKey(rule, subject.key, window),
      subject: subject.key,
      ...(subject.accountId ? { accountId: subject.accountId } : {}),
      window,
      value,
      threshold: rule.amount.micros,
      unit: { kind: 'money', currency: cur },
      ...above(value, rule.amount.micros, rule.margin),
      severity: severityFor(rule),
      title: `${subject.label}: spent ${fmt(value, cur)} ${WINDOW_WORDS[rule.window]}`,
      body: `Above your ${fmt(rule.amount.micros, cur)} limit for ${WINDOW_WORDS[rule.window]}.`,
    });
  }
  return checks;
}

export function tokenBudget(rule: Rule<'token-budget'>, ctx: EvalContext): Check[] {
  const start = windowStart(ctx.timeZone, 'month', ctx.now);
  const window = windowKey(ctx.timeZone, 'month', ctx.now);
  const threshold = (rule.tokens * rule.percent) / 100;
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, false)) {
    let value = 0;
    for (const id of subject.accountIds) {
      value += sumUsage(ctx.history.usage('totalTokens', id, 'hour', start, ctx.now + 1, ctx.timeZone), start, ctx.now + 1);
    }
    checks.push({
      key: dedupeKey(rule, subject.key, window),
      subject: subject.key,
      ...(subject.accountId ? { accountId: subject.accountId } : {}),
      window,
      value,
      threshold,
      unit: { kind: 'tokens' },
      ...above(value, threshold, rule.margin, true),
      severity: severityFor(rule),
      title: `${subject.label}: ${fmtCount(value)} tokens this month`,
      body: `${Math.floor((value / rule.tokens) * 100)}% of your monthly budget of ${fmtCount(rule.tokens)} tokens (alert at ${rule.percent}%).`,
    });
  }
  return checks;
}

export const BASELINE_WEEKS = 4;
/** Fewer earlier weeks than this and there is no "usual" to compare with. */
export const MIN_BASELINE_WEEKS = 2;

export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/**
 * Compares the previous and the current hour (or day) with the median of the same hour of the week over the four
 * weeks before. Both are checked so a spike that completes just after an hour ends is still caught.
 */
export function spike(rule: Rule<'spike'>, ctx: EvalContext): Check[] {
  const zone = ctx.timeZone;
  const kind = rule.window;
  const current = windowStart(zone, kind, ctx.now);
  const buckets = [windowStart(zone, kind, current - 1), current];
  const earliest = sameTimeWeeksBefore(zone, buckets[0] as number, BASELINE_WEEKS);
  const cur = rule.metric === 'cost' ? rule.currency : undefined;
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, false)) {
    const series = subject.accountIds.map((id) => ({
      since: ctx.history.dataSince(id),
      data: ctx.history.usage(rule.metric, id, kind, earliest, ctx.now + 1, zone),
    }));
    const total = (from: number, to: number, weekStart?: number) =>
      series.reduce((sum, s) => (weekStart !== undefined && (s.since === null || s.since > weekStart) ? sum : sum + sumUsage(s.data, from, to, cur)), 0);
    for (const b of buckets) {
      const end = windowEnd(zone, kind, b);
      const weeks: number[] = [];
      for (let k = 1; k <= BASELINE_WEEKS; k++) {
        const w = sameTimeWeeksBefore(zone, b, k);
        if (series.some((s) => s.since !== null && s.since <= w)) weeks.push(total(w, windowEnd(zone, kind, w), w));
      }
      if (weeks.length < MIN_BASELINE_WEEKS) continue;
      const baseline = median(weeks);
      const value = total(b, end);
      const threshold = Math.max(rule.factor * baseline, rule.minimum);
      const show = (n: number) => (cur ? fmt(n, cur) : `${fmtCount(n)} requests`);
      const ratio = baseline > 0 ? `${(value / baseline).toFixed(1)}× the usual ${show(baseline)}` : `the usual is ${show(0)}`;
      checks.push({
        key: dedupeKey(rule, subject.key, windowKey(zone, kind, b)),
        subject: subject.key,
        ...(subject.accountId ? { accountId: subject.accountId } : {}),
        window: windowKey(zone, kind, b),
        value,
        threshold,
        unit: cur ? { kind: 'money', currency: cur } : { kind: 'count' },
        breached: value >= rule.minimum && value > rule.factor * baseline,
        recovered: false,
        severity: severityFor(rule),
        title: `${subject.label}: ${rule.metric === 'cost' ? 'spend' : 'request'} spike`,
        body: `${show(value)} ${kind === 'hour' ? 'in the hour from' : 'on'} ${windowKey(zone, kind, b).replace('T', ' ')}${kind === 'hour' ? ':00' : ''}: ${ratio} for this ${kind} of the week.`,
      });
    }
  }
  return checks;
}
