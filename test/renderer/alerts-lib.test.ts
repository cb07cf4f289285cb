import { describe, it, expect } from 'vitest';
import { ruleToConfig, validateRules } from '../../shared/alerts.ts';
import { draftFromRule, draftToRule, fieldsInMessage, newDraft, visibleFields } from '../../renderer/lib/alerts.ts';
import { checkChannels } from '../../renderer/lib/alertsChannels.ts';
import { formatAlertValue, previewText, toHistoryFilter, EMPTY_HISTORY_FILTER } from '../../renderer/lib/alertsHistory.ts';

const ctx = { accountIds: ['gw', 'or'] };
const CONFIG_RULES: Record<string, unknown>[] = [
  { type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' },
  { type: 'runway-below', account: '*', days: 3.5, margin: 20 },
  { type: 'spend-above', currency: 'CNY', window: 'week', amount: 200, name: 'Weekly CNY' },
  { type: 'quota-used', account: 'or', levels: [95, 50, 80], enabled: false },
  { type: 'token-budget', account: 'or', tokens: 5_000_000, percent: 90, channels: ['popup'] },
  { type: 'spike', account: 'gw', metric: 'cost', window: 'day', factor: 2.5, minimum: 0.5, currency: 'USD' },
  { type: 'spike', account: 'gw', metric: 'requests', window: 'hour', factor: 4, minimum: 200 },
  { type: 'provider-failing', account: '*', minutes: 45 },
];

describe('rule drafts', () => {
  it('round-trips every rule type through the editor without changing what the core stores', () => {
    const { rules, errors } = validateRules(CONFIG_RULES, ctx);
    expect(errors).toEqual([]);
    for (const rule of rules) {
      const shown = ruleToConfig(rule);
      const back = draftToRule(draftFromRule(shown));
      const again = validateRules([back], ctx);
      expect(again.errors).toEqual([]);
      expect(again.rules[0]).toEqual(rule);
    }
  });

  it('writes only the fields of the chosen type', () => {
    const d = { ...newDraft('balance-below', 'a:gw', 'USD'), amount: '7' };
    expect(draftToRule(d)).toEqual({ type: 'balance-below', enabled: true, account: 'gw', currency: 'USD', amount: 7 });
    expect(draftToRule({ ...d, type: 'runway-below' })).toEqual({ type: 'runway-below', enabled: true, account: 'gw', days: 3 });
    // Text that is not a number reaches validation as text, so the message says "must be a number".
    const bad = validateRules([draftToRule({ ...d, amount: '1,5' })], ctx);
    expect(bad.errors[0]!.message).toBe('Alert rule 1 (Balance below): Amount: must be a number');
  });

  it('finds the controls a message names', () => {
    const d = newDraft('spend-above', 'a:gw', 'USD');
    expect([...fieldsInMessage('Alert rule 2 (Spend above): Window: must be "today", "week" or "month"; Amount: must not be negative', d)].sort()).toEqual(['amount', 'spendWindow']);
    expect([...fieldsInMessage('Alert rule 1 (Spend above): Account: no account "x"', d)]).toEqual(['scope']);
    expect([...fieldsInMessage('Alert rule 1 (Spend above): Currency: must be a currency code such as "USD" or "CNY"', d)]).toEqual(['currency']);
    const scoped = newDraft('spend-above', 'c:EUR', '');
    expect(visibleFields(scoped)).toEqual(['spendWindow', 'amount']);
    expect([...fieldsInMessage('Alert rule 1 (Spend above): Currency: no account reports EUR', scoped)]).toEqual(['scope']);
  });
});

describe('alert wording', () => {
  it('says how often a rule would have fired', () => {
    expect(previewText({ fires: 0, times: [], days: 30 })).toBe('Would not have fired in the last 30 days.');
    expect(previewText({ fires: 1, times: [1], days: 30 })).toBe('Would have fired once in the last 30 days.');
    expect(previewText({ fires: 3, times: [1, 2, 3], days: 7 })).toBe('Would have fired 3 times in the last 7 days.');
  });

  it('formats figures in their unit', () => {
    expect(formatAlertValue(4_990_000, { kind: 'money', currency: 'USD' })).toBe('$4.99');
    expect(formatAlertValue(80.04, { kind: 'percent' })).toBe('80%');
    expect(formatAlertValue(1_234_567, { kind: 'tokens' })).toBe('1,234,567 tokens');
    expect(formatAlertValue(2.345, { kind: 'days' })).toBe('2.3 days');
  });

  it('turns filter controls into a history query', () => {
    const now = 1_000 * 86_400_000;
    expect(toHistoryFilter(EMPTY_HISTORY_FILTER, now)).toEqual({ from: now - 30 * 86_400_000 });
    expect(toHistoryFilter({ accountId: 'gw', ruleId: 'r', kind: 'fired', acknowledged: 'no', period: 'all' }, now)).toEqual({ accountId: 'gw', ruleId: 'r', kind: 'fired', acknowledged: false });
  });
});

describe('channel checks', () => {
  const saved = [{ id: 'hook', type: 'webhook' as const, format: 'slack' as const, url: 'https://hooks.slack.com/…abcd' }];
  it('accepts a kept (empty) URL for a saved webhook but not for a new one', () => {
    expect(checkChannels([{ ...saved[0]!, url: '' }], saved, [], [])).toBeNull();
    expect(checkChannels([{ id: 'new', type: 'webhook', format: 'json', url: '' }], saved, [], [])).toBe(
      'Channel 1: url: Webhook URL must be an absolute http(s) URL, e.g. https://hooks.slack.com/services/…',
    );
  });
  it('names a rule that would lose its channel', () => {
    const rules = [{ type: 'provider-failing', account: 'gw', minutes: 5, channels: ['hook'] }];
    expect(checkChannels([], saved, rules, ['gw'])).toBe('Alert rule 1 (Provider failing or stale): Send to: no channel "hook". Change that rule first.');
  });
});

describe('rate-limit rule drafts', () => {
  it('round-trip through the config form, validate with the core, and read in words', async () => {
    const { draftFromRule, draftToRule, newDraft, describeRule, checkRuleList } = await import('../../renderer/lib/alerts.ts');
    const headroom = { ...newDraft('ratelimit-headroom', 'a:or', 'USD') };
    expect(headroom.percent).toBe('10');
    expect(draftToRule(headroom)).toEqual({ type: 'ratelimit-headroom', enabled: true, account: 'or', percent: 10 });
    const limited = draftToRule({ ...newDraft('rate-limited', '*', ''), count: '3', minutes: '15' });
    expect(limited).toEqual({ type: 'rate-limited', enabled: true, account: '*', count: 3, minutes: 15 });
    expect(draftToRule(draftFromRule(limited))).toEqual(limited);
    expect(checkRuleList([limited], 0, { accountIds: ['or'], channelIds: [] })).toBeNull();
    expect(checkRuleList([draftToRule(newDraft('rate-limited', 'c:USD', 'USD'))], 0, { accountIds: ['or'], channelIds: [] })).toMatch(/needs an "account"/);
    expect(describeRule(limited, (id) => id)).toBe('Any account answered 429 at least 3 times in 15 minutes');
    expect(describeRule({ type: 'ratelimit-headroom', account: 'or', percent: 10 }, () => 'OpenRouter')).toBe('Rate-limit headroom of OpenRouter under 10%');
  });
});
