// The budget-pace rule: this month's forecast (month to date plus the current pace to month end, computed by the one
// forecast in electron/core/figures/forecast.ts) against the currency's monthly budget from settings.
import type { AlertRule } from '../../../shared/alerts.ts';
import type { Series } from '../../../shared/domain.ts';
import { monthSpend, paceWindow } from '../figures/forecast.ts';
import { windowKey } from './calendar.ts';
import { above, dedupeKey, fmt, severityFor, subjectsOf, type Check, type EvalContext } from './check.ts';

type Rule = Extract<AlertRule, { type: 'budget-pace' }>;

export function budgetPace(rule: Rule, ctx: EvalContext): Check[] {
  const budget = ctx.budgets?.find((b) => b.currency === rule.currency);
  if (!budget || budget.micros <= 0) return [];
  const subject = subjectsOf(rule, ctx, false)[0];
  if (!subject) return [];
  const window = paceWindow(ctx.timeZone, ctx.now);
  const cost: Series[] = subject.accountIds.flatMap((id) => ctx.history.usage('cost', id, 'day', window.from, ctx.now + 1, ctx.timeZone));
  const shown = subject.accountIds.map((id) => ctx.accounts.find((a) => a.accountId === id)?.lastSuccess ?? null);
  const month = monthSpend({ snapshots: shown, cost, budgets: [budget], now: ctx.now, timeZone: ctx.timeZone }).find((m) => m.currency === rule.currency);
  if (!month) return [];
  const value = month.forecast.micros;
  const cur = rule.currency;
  const key = windowKey(ctx.timeZone, 'month', ctx.now);
  const pace = month.pacePerDay ? ` at ${fmt(month.pacePerDay.micros, cur)} a day` : '';
  return [
    {
      key: dedupeKey(rule, subject.key, key),
      subject: subject.key,
      window: key,
      value,
      threshold: budget.micros,
      unit: { kind: 'money', currency: cur },
      ...above(value, budget.micros, rule.margin),
      severity: severityFor(rule),
      title: `On pace to spend ${fmt(value, cur)} this month`,
      body: `${fmt(month.monthToDate.micros, cur)} so far${pace}; your monthly ${cur} budget is ${fmt(budget.micros, cur)}.`,
    },
  ];
}
