// One entry point for every rule's arithmetic: the live engine and the preview both call measure().
import type { AlertRule } from '../../../shared/alerts.ts';
import type { Check, EvalContext } from './check.ts';
import { balanceBelow, providerFailing, quotaUsed, runwayBelow } from './rules-balance.ts';
import { spendAbove, spike, tokenBudget } from './rules-usage.ts';
import { rateLimited, ratelimitHeadroom } from './rules-ratelimit.ts';
import { budgetPace } from './rules-budget.ts';

export function measure(rule: AlertRule, ctx: EvalContext): Check[] {
  switch (rule.type) {
    case 'balance-below':
      return balanceBelow(rule, ctx);
    case 'runway-below':
      return runwayBelow(rule, ctx);
    case 'spend-above':
      return spendAbove(rule, ctx);
    case 'quota-used':
      return quotaUsed(rule, ctx);
    case 'token-budget':
      return tokenBudget(rule, ctx);
    case 'spike':
      return spike(rule, ctx);
    case 'provider-failing':
      return providerFailing(rule, ctx);
    case 'ratelimit-headroom':
      return ratelimitHeadroom(rule, ctx);
    case 'rate-limited':
      return rateLimited(rule, ctx);
    case 'budget-pace':
      return budgetPace(rule, ctx);
  }
}

/**
 * Whether the rule measures each account on its own (one account, "*", or per-account rules over a currency such as
 * quota use and failing providers), so evaluating it after one account's poll needs only that account's view.
 */
export function measuresEachAccount(rule: AlertRule): boolean {
  return rule.account !== undefined || rule.type === 'quota-used' || rule.type === 'provider-failing';
}

/** Whether a snapshot of `accountId` can change what the rule measures. */
export function ruleTouches(rule: AlertRule, accountId: string, ctx: EvalContext): boolean {
  if (rule.account !== undefined) return rule.account === '*' || rule.account === accountId;
  return ctx.accounts.some((a) => a.accountId === accountId);
}
