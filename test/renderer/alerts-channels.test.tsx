// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import type { AlertsInput } from '../../shared/api.ts';
import { FakeSpendbarApi } from './fake-api.ts';
import { maskUrl } from './alerts-fake.ts';

async function openAlerts(api = new FakeSpendbarApi()) {
  render(<App api={api} initialView="alerts" />);
  await screen.findByTestId('alerts-view');
  return api;
}
const set = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });
const channelRow = (id: string) => screen.getAllByTestId('channel-row').find((r) => r.dataset.channelId === id)!;
const lastSaved = (api: FakeSpendbarApi) => api.callsTo('saveAlerts').at(-1)![0] as AlertsInput;
const SLACK_URL = 'https://hooks.slack.com/services/T0001/B0002/s3cretToken9f2c';

describe('Alert channels', () => {
  it('shows webhook URLs masked only, and sends a test through a saved channel', async () => {
    const api = await openAlerts();
    expect(screen.getAllByTestId('channel-row').map((r) => r.dataset.channelId)).toEqual(['popup', 'slack']);
    expect(within(channelRow('slack')).getByTestId('channel-masked-url').textContent).toBe(maskUrl(SLACK_URL));
    expect(document.body.innerHTML).not.toContain('s3cretToken');

    fireEvent.click(within(channelRow('popup')).getByTestId('channel-test'));
    await waitFor(() => expect(within(channelRow('popup')).getByTestId('channel-result').textContent).toBe('Delivered: shown'));
    fireEvent.click(within(channelRow('slack')).getByTestId('channel-test'));
    const result = await waitFor(() => within(channelRow('slack')).getByTestId('channel-result'));
    await waitFor(() => expect(result.dataset.ok).toBe('true'));
    expect(result.textContent).toBe('Delivered: HTTP 200 from hooks.slack.com');
    expect(api.callsTo('testAlertChannel')).toEqual([['popup'], ['slack']]);
  });

  it('adds a webhook: validates the URL, tests it unsaved, and saves it while keeping the others’ URLs', async () => {
    const api = await openAlerts();
    fireEvent.click(screen.getByTestId('channel-add'));
    set('channel-format', 'ntfy');
    set('channel-id', 'phone');
    set('channel-url', 'ftp://ntfy.sh/spendbar');
    fireEvent.click(screen.getByTestId('channel-save'));
    expect(screen.getByTestId('channel-error').textContent).toBe('Channel 3: url: Webhook URL must start with http:// or https://');
    expect(screen.getByTestId('channel-url').getAttribute('aria-invalid')).toBe('true');
    expect(api.callsTo('saveAlerts')).toHaveLength(0);

    set('channel-url', 'https://ntfy.example.com/fail-topic');
    fireEvent.click(screen.getByTestId('channel-editor-test'));
    const result = await screen.findByText(/Not delivered/);
    expect(result.textContent).toBe('Not delivered: ntfy.example.com answered HTTP 404: check the webhook URL');
    expect(api.callsTo('testAlertChannel').at(-1)).toEqual([{ id: 'phone', type: 'webhook', format: 'ntfy', url: 'https://ntfy.example.com/fail-topic' }]);

    set('channel-url', 'https://ntfy.sh/my-spendbar');
    fireEvent.click(screen.getByTestId('channel-save'));
    await waitFor(() => expect(screen.getAllByTestId('channel-row')).toHaveLength(3));
    expect(lastSaved(api).channels).toEqual([
      { id: 'popup', type: 'popup' },
      { id: 'slack', type: 'webhook', format: 'slack', name: '#billing', url: '' },
      { id: 'phone', type: 'webhook', format: 'ntfy', url: 'https://ntfy.sh/my-spendbar' },
    ]);
    // The stored Slack URL survived the save untouched.
    expect(api.alerts.channels.find((c) => c.id === 'slack')).toMatchObject({ url: SLACK_URL });
    expect(within(channelRow('phone')).getByTestId('channel-masked-url').textContent).toBe('https://ntfy.sh/…dbar');
  });

  it('edits a webhook without reading its URL back: empty keeps the stored one', async () => {
    const api = await openAlerts();
    fireEvent.click(within(channelRow('slack')).getByTestId('channel-edit'));
    expect((screen.getByTestId('channel-url') as HTMLInputElement).value).toBe('');
    expect(screen.getByTestId('channel-stored-url').textContent).toContain(maskUrl(SLACK_URL));
    expect(screen.getByTestId('channel-id').hasAttribute('readonly')).toBe(true);
    set('channel-name', '#money');
    fireEvent.click(screen.getByTestId('channel-save'));
    await waitFor(() => expect(within(channelRow('slack')).getByText('#money')).toBeTruthy());
    expect(lastSaved(api).channels![1]).toEqual({ id: 'slack', type: 'webhook', format: 'slack', name: '#money', url: '' });
    expect(api.alerts.channels[1]).toMatchObject({ name: '#money', url: SLACK_URL });
  });

  it('refuses to remove a channel a rule still sends to, and removes it otherwise', async () => {
    const api = new FakeSpendbarApi();
    api.alerts.settingsRules[0]!.channels = ['slack'];
    await openAlerts(api);
    fireEvent.click(within(channelRow('slack')).getByTestId('channel-remove'));
    fireEvent.click(within(channelRow('slack')).getByTestId('channel-remove-yes'));
    expect(screen.getByTestId('channels-error').textContent).toBe('Alert rule 1 (Balance below "Top up OpenRouter"): Send to: no channel "slack". Change that rule first.');
    expect(api.callsTo('saveAlerts')).toHaveLength(0);

    fireEvent.click(within(channelRow('popup')).getByTestId('channel-remove'));
    fireEvent.click(within(channelRow('popup')).getByTestId('channel-remove-yes'));
    await waitFor(() => expect(screen.getAllByTestId('channel-row').map((r) => r.dataset.channelId)).toEqual(['slack']));
    expect(lastSaved(api).channels).toEqual([{ id: 'slack', type: 'webhook', format: 'slack', name: '#billing', url: '' }]);
    expect(screen.getByTestId('channel-add-popup')).toBeTruthy();
  });
});

describe('Quiet hours', () => {
  it('validates the time zone and saves start, end and zone', async () => {
    const api = await openAlerts();
    fireEvent.click(screen.getByTestId('quiet-enabled'));
    set('quiet-start', '23:30');
    set('quiet-zone', 'Mars/Olympus');
    fireEvent.click(screen.getByTestId('quiet-save'));
    expect(screen.getByTestId('quiet-error').textContent).toBe('Quiet hours: timeZone: Unknown time zone: use an IANA name such as "Europe/Berlin" or "UTC"');
    expect(screen.getByTestId('quiet-zone').getAttribute('aria-invalid')).toBe('true');
    expect(api.callsTo('saveAlerts')).toHaveLength(0);
    set('quiet-zone', 'Europe/Berlin');
    fireEvent.click(screen.getByTestId('quiet-save'));
    await screen.findByTestId('quiet-notice');
    expect(lastSaved(api)).toEqual({ rules: api.alerts.settingsRules, quietHours: { start: '23:30', end: '07:00', timeZone: 'Europe/Berlin' } });
    expect(api.alerts.quietHours).toEqual({ start: '23:30', end: '07:00', timeZone: 'Europe/Berlin' });

    fireEvent.click(screen.getByTestId('quiet-enabled'));
    fireEvent.click(screen.getByTestId('quiet-save'));
    await waitFor(() => expect(api.alerts.quietHours).toBeNull());
    expect(screen.getByTestId('quiet-notice').textContent).toBe('Quiet hours are off.');
  });
});
