import { describe, expect, it } from 'vitest';
import { deriveRuleId, ruleToConfig, validateAlertSettings, validateChannels, validateRules } from '../../../shared/alerts.ts';

const ctx = { accountIds: ['gw', 'or'], currencies: ['USD', 'CNY'] };

describe('validateRules', () => {
  it('accepts the README example as written, in micro-units, with a stable derived id', () => {
    const raw = { alerts: [{ type: 'balance-below', account: 'gw', amount: 5, currency: 'USD' }] };
    const { rules, errors } = validateRules(raw.alerts, ctx);
    expect(errors).toEqual([]);
    expect(rules).toHaveLength(1);
    const rule = rules[0]!;
    expect(rule).toMatchObject({ type: 'balance-below', account: 'gw', enabled: true, margin: 10, amount: { micros: 5_000_000, currency: 'USD' } });
    expect(rule.id).toMatch(/^balance-below\.gw\.[0-9a-z]+$/);
    expect(validateRules(raw.alerts, ctx).rules[0]!.id).toBe(rule.id);
    // Renaming does not change the id (state survives); changing the amount does.
    expect(validateRules([{ ...raw.alerts[0], name: 'Top up' }], ctx).rules[0]!.id).toBe(rule.id);
    expect(validateRules([{ ...raw.alerts[0], amount: 6 }], ctx).rules[0]!.id).not.toBe(rule.id);
  });

  it('gives one clear message per bad rule and keeps the good ones', () => {
    const raw = [
      { type: 'balance-below', account: 'nope', amount: 5, currency: 'USD' },
      { type: 'balance-below', account: 'gw', amount: -1, currency: 'USD' },
      { type: 'quota-used', account: 'gw', levels: [50, 120] },
      { type: 'balance-sideways', account: 'gw' },
      { type: 'spend-above', account: 'or', window: 'today', amount: 10, currency: 'USD' },
      { type: 'token-budget', account: 'gw', tokens: 5_000_000, percent: 150 },
      'balance-below',
      { type: 'spike', currency: 'USD', metric: 'cost', window: 'hour', factor: 3, minimum: 1 },
      { type: 'runway-below', days: 3 },
      { type: 'balance-below', account: 'gw', amount: 5, currency: 'USD', amout: 3 },
      { type: 'balance-below', currency: 'EUR', amount: 5 },
    ];
    const { rules, errors } = validateRules(raw, ctx);
    expect(rules.map((r) => r.type)).toEqual(['spend-above', 'spike']);
    const byIndex = Object.fromEntries(errors.map((e) => [e.index, e.message]));
    expect(byIndex[0]).toBe('Alert rule 1 (Balance below): Account: no account "nope" (known: gw, or)');
    expect(byIndex[1]).toBe('Alert rule 2 (Balance below): Amount: must not be negative');
    expect(byIndex[2]).toContain('Level 2 (120): must be at most 100 (it is a percentage)');
    expect(byIndex[3]).toContain('unknown type "balance-sideways": use one of balance-below, runway-below');
    expect(byIndex[5]).toContain('Warn at (% of the budget): must be at most 100');
    expect(byIndex[6]).toContain('Alert rule 7: must be an object');
    expect(byIndex[8]).toContain('needs an "account"');
    expect(byIndex[9]).toContain('"amout": not a field of this rule type');
    expect(byIndex[10]).toBe('Alert rule 11 (Balance below): Currency: no account reports EUR');
    expect(errors).toHaveLength(9);
  });

  it('rejects duplicate explicit ids and suffixes identical id-less rules', () => {
    const a = { type: 'provider-failing', account: 'gw', minutes: 30 };
    const { rules, errors } = validateRules([a, a, { ...a, id: 'x' }, { ...a, id: 'x', minutes: 5 }], ctx);
    expect(rules.map((r) => r.id)).toEqual([deriveRuleId({ ...a, enabled: true }), `${deriveRuleId({ ...a, enabled: true })}-2`, 'x']);
    expect(errors).toEqual([{ index: 3, message: 'Alert rule 4 (Provider failing or stale): Id: "x" is used by another rule' }]);
  });

  it('round-trips to config in major units', () => {
    const { rules } = validateRules([{ type: 'spend-above', account: 'gw', window: 'month', amount: 12.5, currency: 'USD' }], ctx);
    expect(ruleToConfig(rules[0]!)).toMatchObject({ amount: 12.5, currency: 'USD', window: 'month' });
    const again = validateRules([ruleToConfig(rules[0]!)], ctx);
    expect(again.rules[0]).toEqual(rules[0]);
  });
});

describe('validateChannels', () => {
  it('checks webhook URLs, formats and ids', () => {
    const { channels, errors } = validateChannels([
      { id: 'popup', type: 'popup' },
      { id: 'slack', type: 'webhook', url: 'https://hooks.slack.com/services/T/B/x', format: 'slack' },
      { id: 'bad', type: 'webhook', url: 'not a url' },
      { id: 'ftp', type: 'webhook', url: 'ftp://example.com/x' },
      { id: 'ntfy', type: 'webhook', url: 'https://ntfy.sh/', format: 'ntfy' },
      { id: 'creds', type: 'webhook', url: 'https://u:p@example.com/hook' },
      { id: 'popup', type: 'popup' },
      { id: 'x', type: 'email' },
    ]);
    expect(channels.map((c) => c.id)).toEqual(['popup', 'slack']);
    expect(errors.map((e) => e.index)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(errors[0]!.message).toContain('Webhook URL must be an absolute http(s) URL');
    expect(errors[1]!.message).toContain('must start with http:// or https://');
    expect(errors[2]!.message).toContain('must name a topic');
    expect(errors[3]!.message).toContain('must not contain a user name or password');
    expect(errors[4]!.message).toContain('is used twice');
    expect(errors[5]!.message).toContain('Channel type must be "popup" or "webhook"');
  });
});

describe('validateAlertSettings', () => {
  it('rejects an invalid time zone or time for quiet hours, keeping the channels', () => {
    const bad = validateAlertSettings({
      channels: [{ id: 'hook', type: 'webhook', url: 'https://ntfy.sh/alerts', format: 'ntfy' }],
      quietHours: { start: '22:00', end: '7am', timeZone: 'Mars/Olympus' },
    });
    expect(bad.channels.map((c) => c.id)).toEqual(['hook']);
    expect(bad.quietHours).toBeUndefined();
    expect(bad.errors).toEqual([
      'Quiet hours: end: Quiet hours end must be a time like "07:00"; timeZone: Unknown time zone: use an IANA name such as "Europe/Berlin" or "UTC"',
    ]);
    const good = validateAlertSettings({ quietHours: { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' } });
    expect(good).toEqual({ channels: [{ id: 'popup', type: 'popup' }], quietHours: { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' }, errors: [] });
  });
});

describe('currencies of a rule', () => {
  const ctx = { accountIds: ['gw', 'ds'], accountCurrencies: { gw: ['USD'], ds: ['CNY', 'USD'] }, label: (id: string) => (id === 'gw' ? 'Gateway' : id) };
  it('accepts only a currency the account reports, and only one some account reports for every account', async () => {
    const { validateRules } = await import('../../../shared/alerts.ts');
    const { rules, errors } = validateRules(
      [
        { type: 'balance-below', account: 'gw', amount: 5, currency: 'CNY' },
        { type: 'balance-below', account: '*', amount: 5, currency: 'XYZ' },
        { type: 'balance-below', account: 'ds', amount: 5, currency: 'CNY' },
        { type: 'budget-pace', account: 'gw', currency: 'USD' },
        { type: 'budget-pace', currency: 'USD' },
      ],
      ctx,
    );
    expect(errors.map((e) => e.message)).toEqual([
      'Alert rule 1 (Balance below): Currency: Gateway reports only USD, not CNY; pick one of its currencies',
      'Alert rule 2 (Balance below): Currency: no account reports XYZ (they report CNY, USD)',
      'Alert rule 4 (On pace to exceed the monthly budget): Account: a monthly budget is per currency; pick "All <currency> accounts" (leave the account out and name the "currency")',
    ]);
    expect(rules.map((r) => r.type)).toEqual(['balance-below', 'budget-pace']);
  });
});
