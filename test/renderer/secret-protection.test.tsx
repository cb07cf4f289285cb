// @vitest-environment jsdom
import './dom-setup.ts';
import { describe, it, expect } from 'vitest';
import { render, screen } from '@testing-library/react';
import { App } from '../../renderer/App.tsx';
import type { AppInfo } from '../../shared/api.ts';
import { FakeSpendbarApi } from './fake-api.ts';

/** The fake core, on a machine whose keys are protected the given way. */
class ProtectedApi extends FakeSpendbarApi {
  readonly protection: AppInfo['secretProtection'];
  constructor(protection: AppInfo['secretProtection']) {
    super();
    this.protection = protection;
  }
  override async getInfo(): Promise<AppInfo> {
    return { ...(await super.getInfo()), secretProtection: this.protection };
  }
}

describe('Accounts: how keys are protected', () => {
  it('warns when keys are only obfuscated (no system keyring)', async () => {
    render(<App api={new ProtectedApi('obfuscated')} initialView="accounts" />);
    const note = await screen.findByTestId('secret-protection');
    expect(note.textContent).toContain('No system keyring was found: API keys are only obfuscated on this computer, not encrypted.');
    expect(note.getAttribute('role')).toBe('note');
    expect(note.querySelector('.badge-warn')?.textContent).toBe('Not encrypted');
  });

  it('says where the keys are encrypted otherwise, without the warning', async () => {
    render(<App api={new ProtectedApi('file-key')} initialView="accounts" />);
    const note = await screen.findByTestId('secret-protection');
    expect(note.textContent).toBe('Keys are encrypted in the data folder (secrets.json, with its key in secret.key).');
    expect(note.querySelector('.badge-warn')).toBeNull();
  });
});
