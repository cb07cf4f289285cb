// The proxy token: made once and kept in the secret store, never a provider key, copied to the clipboard where the
// app has one, and scrubbed from text leaving the process like any secret.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/engine.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { pricingLoaded } from '../../../electron/core/pricing/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const STORED = 'sk-token-test-provider-key-0001';

async function core(opts: { proxyToken?: string; clipboard?: (t: string) => void; secrets?: ReturnType<typeof createMemorySecretStore> } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-token-'));
  dirs.push(dataDir);
  return createCore({
    dataDir,
    mode: 'app',
    settings: createMemorySettingsStore(),
    secrets: opts.secrets ?? createMemorySecretStore(),
    configAccounts: [{ account: { id: 'ds', provider: 'deepseek', label: 'DS', pollIntervalSec: 300, source: 'config' }, credentials: { apiKey: STORED } }],
    ...(opts.proxyToken ? { proxyToken: opts.proxyToken } : {}),
    ...(opts.clipboard ? { clipboard: opts.clipboard } : {}),
  });
}

describe('proxy token', () => {
  it('is made once, kept in the secret store, and copied to the clipboard (never returned)', async () => {
    const secrets = createMemorySecretStore();
    let clip = '';
    const a = await core({ secrets, clipboard: (t) => (clip = t) });
    const r = await a.api.copyProxyToken();
    expect(r.copied).toBe(true);
    expect(JSON.stringify(r)).not.toContain(clip);
    expect(clip).toMatch(/^spendbar-proxy-/);
    expect(a.allSecrets()).toContain(clip);
    await a.stop();
    const b = await core({ secrets });
    expect(b.meter.proxyToken()).toBe(clip);
    await b.stop();
  });

  it('an idle core does not load the price table', async () => {
    const c = await core();
    await c.start();
    expect(pricingLoaded()).toBe(false);
    await c.stop();
  });

  it('a configured token that is a provider key is refused with a clear message', async () => {
    const c = await core({ proxyToken: STORED });
    expect(() => c.meter.proxyToken()).toThrow(/must not be a provider key/);
    await c.stop();
  });
});
