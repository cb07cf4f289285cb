// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import type { AlertsInput } from '../../shared/api.ts';
import { validateRules, type RuleType } from '../../shared/alerts.ts';
import { previewText } from '../../renderer/lib/alertsHistory.ts';
import { FakeSpendbarApi } from './fake-api.ts';

async function openAlerts(api = new FakeSpendbarApi()) {
  render(<App api={api} initialView="alerts" />);
  await screen.findByTestId('alerts-view');
  return api;
}
const set = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });
const ruleRow = (id: string) => screen.getAllByTestId('rule-row').find((r) => r.dataset.ruleId === id)!;
const lastSaved = (api: FakeSpendbarApi) => api.callsTo('saveAlerts').at(-1)![0] as AlertsInput;
const shownFields = () => within(screen.getByTestId('rule-fields')).queryAllByTestId(/^rule-field-/).map((el) => el.dataset.testid!.replace('rule-field-', ''));

describe('Alert rules', () => {
  it('offers only the account’s own currencies, and a budget rule starts on a currency', async () => {
    await openAlerts();
    fireEvent.click(screen.getByTestId('rule-add'));
    set('rule-account', 'a:or');
    const options = () => [...screen.getByTestId('rule-field-currency').querySelectorAll('option')].map((o) => o.value);
    // OpenRouter reports USD only: CNY (which DeepSeek has) is not offered, nor is free text.
    expect(screen.getByTestId('rule-field-currency').tagName).toBe('SELECT');
    expect(options()).toEqual(['USD']);
    set('rule-account', 'a:ds');
    expect(options()).toEqual(['CNY', 'USD']);
    set('rule-type', 'budget-pace');
    expect((screen.getByTestId('rule-account') as HTMLSelectElement).value).toMatch(/^c:/);
  });

  it('lists config rules read-only and settings rules editable', async () => {
    const api = await openAlerts();
    expect(screen.getAllByTestId('rule-row').map((r) => [r.dataset.ruleId, r.dataset.source])).toEqual([
      ['failing', 'config'],
      ['or-low', 'settings'],
      ['spend-day', 'settings'],
    ]);
    const config = within(ruleRow('failing'));
    expect(config.getByTestId('rule-readonly').textContent).toContain('read-only');
    for (const id of ['rule-edit', 'rule-delete', 'rule-enabled-toggle']) expect(config.getByTestId(id).hasAttribute('disabled')).toBe(true);
    const mine = within(ruleRow('or-low'));
    expect(mine.queryByTestId('rule-readonly')).toBeNull();
    expect(mine.getByText('Top up OpenRouter')).toBeTruthy();
    expect(mine.getByText('Balance of OpenRouter personal below $80.00')).toBeTruthy();
    expect(api.callsTo('saveAlerts')).toHaveLength(0);
  });

  it('shows the fields of each rule type and saves each in config form', async () => {
    const api = await openAlerts();
    const cases: { type: RuleType; fields: string[]; fill: Record<string, string>; rule: Record<string, unknown> }[] = [
      { type: 'balance-below', fields: ['amount', 'currency'], fill: { 'rule-field-amount': '12.5' }, rule: { amount: 12.5, currency: 'USD' } },
      { type: 'runway-below', fields: ['days'], fill: { 'rule-field-days': '4' }, rule: { days: 4 } },
      { type: 'spend-above', fields: ['spendWindow', 'amount', 'currency'], fill: { 'rule-field-spendWindow': 'month', 'rule-field-amount': '30' }, rule: { window: 'month', amount: 30, currency: 'USD' } },
      { type: 'quota-used', fields: ['levels'], fill: { 'rule-field-levels': '50, 90' }, rule: { levels: [50, 90] } },
      { type: 'token-budget', fields: ['tokens', 'percent'], fill: { 'rule-field-tokens': '1000000', 'rule-field-percent': '75' }, rule: { tokens: 1_000_000, percent: 75 } },
      { type: 'spike', fields: ['metric', 'spikeWindow', 'factor', 'minimum', 'currency'], fill: { 'rule-field-metric': 'requests', 'rule-field-spikeWindow': 'day', 'rule-field-factor': '4', 'rule-field-minimum': '100' }, rule: { metric: 'requests', window: 'day', factor: 4, minimum: 100 } },
      { type: 'provider-failing', fields: ['minutes'], fill: { 'rule-field-minutes': '15' }, rule: { minutes: 15 } },
    ];
    for (const c of cases) {
      fireEvent.click(screen.getByTestId('rule-add'));
      set('rule-type', c.type);
      expect(screen.getByTestId('rule-editor').dataset.type).toBe(c.type);
      expect(shownFields()).toEqual(c.fields);
      for (const [testId, value] of Object.entries(c.fill)) set(testId, value);
      // A spike on requests needs no currency: the field goes away.
      if (c.type === 'spike') expect(shownFields()).toEqual(['metric', 'spikeWindow', 'factor', 'minimum']);
      fireEvent.click(screen.getByTestId('rule-save'));
      await screen.findByTestId('rules-notice');
      expect(lastSaved(api).rules.at(-1)).toEqual({ type: c.type, enabled: true, account: 'or', ...c.rule });
    }
    expect(screen.getAllByTestId('rule-row')).toHaveLength(3 + cases.length);
  });

  it('picks every account, or all accounts of a currency together', async () => {
    const api = await openAlerts();
    fireEvent.click(screen.getByTestId('rule-add'));
    set('rule-account', 'c:CNY');
    // The currency comes from the scope, so the editor does not ask for it again.
    expect(shownFields()).toEqual(['amount']);
    expect(screen.getByLabelText('Amount (CNY)')).toBeTruthy();
    set('rule-field-amount', '50');
    fireEvent.click(screen.getByTestId('rule-save'));
    await screen.findByTestId('rules-notice');
    expect(lastSaved(api).rules.at(-1)).toEqual({ type: 'balance-below', enabled: true, currency: 'CNY', amount: 50 });
    expect(screen.getAllByTestId('rule-row').at(-1)!.textContent).toContain('Balance of all CNY accounts together below ¥50.00');

    fireEvent.click(screen.getByTestId('rule-add'));
    set('rule-type', 'provider-failing');
    set('rule-account', '*');
    fireEvent.click(screen.getByTestId('rule-save'));
    await waitFor(() => expect(api.callsTo('saveAlerts')).toHaveLength(2));
    expect(lastSaved(api).rules.at(-1)).toEqual({ type: 'provider-failing', enabled: true, account: '*', minutes: 30 });
  });

  it('says what is wrong in the core’s own words and sends nothing', async () => {
    const api = await openAlerts();
    fireEvent.click(screen.getByTestId('rule-add'));
    set('rule-field-amount', '-5');
    const expected = validateRules([...api.alerts.settingsRules, { type: 'balance-below', enabled: true, account: 'or', currency: 'USD', amount: -5 }], { accountIds: api.accounts.map((a) => a.id) }).errors[0]!.message;
    expect(expected).toBe('Alert rule 3 (Balance below): Amount: must not be negative');
    expect(screen.getByTestId('rule-error').textContent).toBe(expected);
    expect(screen.getByTestId('rule-field-amount').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('rule-field-amount').getAttribute('aria-describedby')).toContain(screen.getByTestId('rule-error').id);
    fireEvent.click(screen.getByTestId('rule-save'));

    set('rule-type', 'quota-used');
    set('rule-field-levels', '50, 120');
    expect(screen.getByTestId('rule-error').textContent).toBe('Alert rule 3 (Quota or key cap used): Level 2 (120): must be at most 100 (it is a percentage)');
    expect(screen.getByTestId('rule-field-levels').getAttribute('aria-invalid')).toBe('true');

    set('rule-type', 'spike');
    set('rule-field-factor', '1');
    expect(screen.getByTestId('rule-error').textContent).toBe('Alert rule 3 (Spike in spend or requests): Factor: must be more than 1 (k times the usual)');

    set('rule-field-factor', '3');
    set('rule-field-currency', '');
    fireEvent.click(screen.getByTestId('rule-save'));
    expect(screen.getByTestId('rule-error').textContent).toBe('Alert rule 3 (Spike in spend or requests): Currency: is required for a cost spike, e.g. "USD"');
    expect(screen.getByTestId('rule-preview').dataset.state).toBe('invalid');
    expect(api.callsTo('saveAlerts')).toHaveLength(0);
    expect(api.callsTo('previewAlertRule')).toHaveLength(0);
    expect(screen.getByTestId('rule-editor')).toBeTruthy();
  });

  it('shows the core’s rejection when a save is refused, and keeps the editor open', async () => {
    const api = await openAlerts();
    fireEvent.click(screen.getByTestId('rule-add'));
    set('rule-account', 'a:gw');
    // The account disappears in the core after the page loaded it: only the core can tell.
    api.accounts = api.accounts.filter((a) => a.id !== 'gw');
    fireEvent.click(screen.getByTestId('rule-save'));
    const error = await screen.findByTestId('rule-error');
    expect(error.textContent).toBe('Alert rule 3 (Balance below): Account: no account "gw" (known: or, ds, sc)');
    expect(screen.getByTestId('rule-account').getAttribute('aria-invalid')).toBe('true');
    expect(api.alerts.settingsRules).toHaveLength(2);
    expect(screen.getByTestId('rule-editor')).toBeTruthy();
  });

  it('previews from stored history, debounced, and updates as the rule changes', async () => {
    const api = await openAlerts();
    fireEvent.click(screen.getByTestId('rule-add'));
    for (const amount of ['1', '10', '100']) set('rule-field-amount', amount);
    const rule = { type: 'balance-below', enabled: true, account: 'or', currency: 'USD', amount: 100 };
    const expected = api.alerts.preview(rule, 30);
    // The fake's OpenRouter balance falls from $119.50 to $74.50 over the month: it crosses $100 once.
    expect(expected.fires).toBe(1);
    await waitFor(() => expect(screen.getByTestId('rule-preview-text').textContent).toBe(previewText(expected)));
    expect(screen.getByTestId('rule-preview-text').textContent).toBe('Would have fired once in the last 30 days.');
    expect(api.callsTo('previewAlertRule')).toEqual([[rule, 30]]);

    set('rule-field-amount', '50');
    await waitFor(() => expect(screen.getByTestId('rule-preview-text').textContent).toBe('Would not have fired in the last 30 days.'));
    expect(api.alerts.preview({ ...rule, amount: 50 }, 30).fires).toBe(0);

    // Spend over $0.01 a day: the fake spends more than that every day, so it fires once per day with usage.
    set('rule-type', 'spend-above');
    set('rule-field-amount', '0.01');
    const spend = api.alerts.preview({ type: 'spend-above', enabled: true, account: 'or', currency: 'USD', window: 'today', amount: 0.01 }, 30);
    expect(spend.fires).toBeGreaterThan(1);
    await waitFor(() => expect(screen.getByTestId('rule-preview-text').textContent).toBe(`Would have fired ${spend.fires} times in the last 30 days.`));
  });

  it('edits a rule in place, keeping its id', async () => {
    const api = await openAlerts();
    fireEvent.click(within(ruleRow('or-low')).getByTestId('rule-edit'));
    expect((screen.getByTestId('rule-field-amount') as HTMLInputElement).value).toBe('80');
    expect((screen.getByTestId('rule-name') as HTMLInputElement).value).toBe('Top up OpenRouter');
    set('rule-field-amount', '60');
    set('rule-margin', '20');
    fireEvent.click(screen.getByTestId('rule-channel-all'));
    fireEvent.click(screen.getAllByTestId('rule-channel').find((c) => c.dataset.channelId === 'popup')!);
    fireEvent.click(screen.getByTestId('rule-save'));
    await screen.findByTestId('rules-notice');
    const saved = lastSaved(api).rules;
    expect(saved).toHaveLength(2);
    expect(saved[0]).toEqual({ id: 'or-low', type: 'balance-below', name: 'Top up OpenRouter', enabled: true, account: 'or', currency: 'USD', amount: 60, margin: 20, channels: ['slack'] });
    expect(within(ruleRow('or-low')).getByText('Balance of OpenRouter personal below $60.00 (re-arms 20% past it)')).toBeTruthy();
    // Keyboard focus comes back to the list, not to the top of the page.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('rule-add')));
  });

  it('toggles and deletes settings rules', async () => {
    const api = await openAlerts();
    fireEvent.click(within(ruleRow('spend-day')).getByTestId('rule-enabled-toggle'));
    await waitFor(() => expect(api.alerts.settingsRules.find((r) => r.id === 'spend-day')!.enabled).toBe(false));
    expect((within(ruleRow('spend-day')).getByTestId('rule-enabled-toggle') as HTMLInputElement).checked).toBe(false);
    expect(lastSaved(api).rules.map((r) => (r as { enabled: boolean }).enabled)).toEqual([true, false]);

    fireEvent.click(within(ruleRow('or-low')).getByTestId('rule-delete'));
    expect(api.callsTo('saveAlerts')).toHaveLength(1);
    fireEvent.click(within(ruleRow('or-low')).getByTestId('rule-delete-yes'));
    await waitFor(() => expect(screen.getAllByTestId('rule-row').map((r) => r.dataset.ruleId)).toEqual(['failing', 'spend-day']));
    expect(lastSaved(api).rules.map((r) => (r as { id: string }).id)).toEqual(['spend-day']);
  });
});
