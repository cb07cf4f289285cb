// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import type { AccountInput } from '../../shared/api.ts';
import { FakeSpendbarApi } from './fake-api.ts';

async function openAccounts(api = new FakeSpendbarApi()) {
  render(<App api={api} initialView="accounts" />);
  await screen.findAllByTestId('account-row');
  return api;
}
const row = (id: string) => screen.getAllByTestId('account-row').find((r) => r.dataset.accountId === id)!;
const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

describe('Accounts', () => {
  it('lists accounts with masked secrets only, and config accounts read-only', async () => {
    const api = await openAccounts();
    expect(screen.getAllByTestId('account-row')).toHaveLength(api.accounts.length);
    expect(within(row('or')).getByTestId('credential-hint').textContent).toBe('apiKey: sk-or-…a1b2');
    const sc = within(row('sc'));
    expect(sc.getByTestId('account-edit').hasAttribute('disabled')).toBe(true);
    expect(sc.getByTestId('account-remove').hasAttribute('disabled')).toBe(true);
    expect(sc.getByText(/From the config file/)).toBeTruthy();
  });

  it('builds the form from the provider descriptor', async () => {
    await openAccounts();
    fireEvent.click(screen.getByTestId('account-add'));
    const form = screen.getByTestId('account-form');
    expect(within(form).getByLabelText(/API key/).getAttribute('type')).toBe('password');
    type('field-provider', 'surfercloud');
    expect(within(form).queryByLabelText(/API key/)).toBeNull();
    expect(within(form).getByLabelText(/Public key/).getAttribute('type')).toBe('password');
    expect(within(form).getByLabelText(/Private key/)).toBeTruthy();
    expect(within(form).getByLabelText(/Project ID/).getAttribute('type')).toBe('text');
    expect(within(form).getByLabelText(/Poll every/)).toBeTruthy();
    expect(within(form).getByText('Separate several with commas.')).toBeTruthy();
  });

  it('tests a connection and shows the figures', async () => {
    const api = await openAccounts();
    fireEvent.click(screen.getByTestId('account-add'));
    type('field-label', 'Work');
    type('field-apiKey', 'sk-or-v1-good');
    fireEvent.click(screen.getByTestId('account-test'));
    const ok = await screen.findByTestId('test-ok');
    expect(ok.textContent).toContain('$20.00');
    expect(ok.textContent).toContain('$0.50');
    expect((api.callsTo('testAccount')[0]![0] as AccountInput).credentials).toEqual({ apiKey: 'sk-or-v1-good' });
    expect(api.callsTo('saveAccount')).toHaveLength(0);
  });

  it('shows the provider’s error and saves nothing when the key is wrong', async () => {
    const api = await openAccounts();
    const before = api.accounts.length;
    fireEvent.click(screen.getByTestId('account-add'));
    type('field-label', 'Broken');
    type('field-apiKey', 'sk-or-v1-wrong');
    fireEvent.click(screen.getByTestId('account-save'));
    const err = await screen.findByTestId('account-form-error');
    expect(err.textContent).toContain('Not saved: the connection test failed.');
    expect(err.textContent).toContain('OpenRouter rejected the API key (HTTP 401): copy a current key');
    expect(api.accounts).toHaveLength(before);
    expect(screen.getByTestId('account-form')).toBeTruthy();
    // "Save anyway" is a deliberate second step.
    fireEvent.click(screen.getByTestId('save-anyway'));
    await screen.findByTestId('accounts-notice');
    expect(api.accounts).toHaveLength(before + 1);
    expect(api.callsTo('saveAccount').at(-1)![1]).toEqual({ force: true });
  });

  it('validates before calling the core and points at the field', async () => {
    const api = await openAccounts();
    fireEvent.click(screen.getByTestId('account-add'));
    type('field-apiKey', 'sk-or-v1-good');
    fireEvent.click(screen.getByTestId('account-save'));
    expect((await screen.findByTestId('account-form-error')).textContent).toMatch(/Give the account a name/);
    expect(screen.getByTestId('field-label').getAttribute('aria-invalid')).toBe('true');
    type('field-label', 'X');
    type('field-pollIntervalSec', '10');
    fireEvent.click(screen.getByTestId('account-save'));
    await waitFor(() => expect(screen.getByTestId('account-form-error').textContent).toMatch(/60 seconds or more/));
    expect(api.callsTo('saveAccount')).toHaveLength(0);
  });

  it('edits without reading the secret back: empty means keep', async () => {
    const api = await openAccounts();
    fireEvent.click(within(row('or')).getByTestId('account-edit'));
    const key = screen.getByTestId('field-apiKey') as HTMLInputElement;
    expect(key.value).toBe('');
    expect(key.placeholder).toContain('sk-or-…a1b2');
    expect(screen.getByTestId('stored-apiKey').textContent).toBe('Stored: sk-or-…a1b2');
    type('field-label', 'OpenRouter (renamed)');
    type('field-pollIntervalSec', '120');
    fireEvent.click(screen.getByTestId('account-save'));
    await screen.findByTestId('accounts-notice');
    const input = api.callsTo('saveAccount')[0]![0] as AccountInput;
    expect(input).toMatchObject({ id: 'or', label: 'OpenRouter (renamed)', pollIntervalSec: 120 });
    expect(input.credentials).toBeUndefined();
    expect(within(row('or')).getByText('OpenRouter (renamed)')).toBeTruthy();
  });

  it('removes an account only after confirming', async () => {
    const api = await openAccounts();
    fireEvent.click(within(row('ds')).getByTestId('account-remove'));
    expect(api.callsTo('removeAccount')).toHaveLength(0);
    fireEvent.click(within(row('ds')).getByRole('button', { name: 'Keep' }));
    expect(api.accounts.some((a) => a.id === 'ds')).toBe(true);
    fireEvent.click(within(row('ds')).getByTestId('account-remove'));
    fireEvent.click(within(row('ds')).getByTestId('remove-confirm-yes'));
    await waitFor(() => expect(screen.getAllByTestId('account-row').some((r) => r.dataset.accountId === 'ds')).toBe(false));
    expect(api.callsTo('removeAccount')).toEqual([['ds']]);
  });
});
