// The alert part of the core's API: config rules are read-only, settings rules are validated as a whole,
// webhook URLs go to the secret store (never the settings), and a breach reaches the webhook once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type EngineCore } from '../../electron/core/engine.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';
import type { SecretStore, SettingsStore } from '../../electron/core/ports.ts';

const KEY = 'sk-alert-service-test-key-0001';
const HOOK_PATH = '/services/T000/B000/very-secret-path';

let ds: DeepSeekFake;
let hook: Server;
let hookUrl: string;
const received: unknown[] = [];
let core: EngineCore;
let settings: SettingsStore;
let secrets: SecretStore;

beforeAll(async () => {
  ds = await startDeepSeekFake({ state: { keys: { [KEY]: { isAvailable: true, balances: [{ currency: 'CNY', total: 3.5, granted: 0, toppedUp: 3.5 }] } } } });
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === HOOK_PATH) received.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}${HOOK_PATH}`;
  settings = createMemorySettingsStore();
  secrets = createMemorySecretStore();
  core = await createCore({
    dataDir: mkdtempSync(join(tmpdir(), 'spendbar-alert-service-')),
    mode: 'serve',
    settings,
    secrets,
    configAccounts: [
      {
        account: { id: 'ds', provider: 'deepseek', label: 'DeepSeek', baseUrl: ds.url, pollIntervalSec: 300, source: 'config' },
        credentials: { apiKey: KEY },
      },
    ],
    configAlerts: { channels: [{ id: 'desk', type: 'popup' }], rules: [{ type: 'provider-failing', account: 'ds', minutes: 30 }, { type: 'balance-below', account: 'nobody', amount: 1, currency: 'USD' }] },
  });
});

afterAll(async () => {
  await core?.stop();
  await ds?.close();
  await new Promise<void>((r) => hook.close(() => r()));
});

describe('alerts through the core API', () => {
  it('shows config rules read-only and reports a bad one without dropping the rest', async () => {
    const view = await core.api.getAlerts();
    expect(view.rules).toEqual([expect.objectContaining({ source: 'config', rule: expect.objectContaining({ type: 'provider-failing', account: 'ds', minutes: 30 }) })]);
    expect(view.errors.join('\n')).toMatch(/Config file: .*nobody/);
    expect(core.alertProblems()).toEqual(view.errors);
  });

  it('rejects an invalid rule with a message naming it and saves nothing', async () => {
    await expect(core.api.saveAlerts({ rules: [{ type: 'quota-used', account: 'ds', levels: [50, 120] }] })).rejects.toThrow(/Quota or key cap used.*100|100.*Quota or key cap used/s);
    await expect(core.api.saveAlerts({ rules: [{ type: 'balance-below', account: 'ds', amount: -5, currency: 'CNY' }] })).rejects.toThrow(/negative/);
    await expect(core.api.saveAlerts({ rules: [{ type: 'mystery' }] })).rejects.toThrow(/type/);
    expect(settings.get().alerts).toEqual([]);
  });

  it('keeps webhook URLs in the secret store, masked everywhere else', async () => {
    const view = await core.api.saveAlerts({
      rules: [{ type: 'balance-below', account: 'ds', amount: 5, currency: 'CNY', channels: ['team'] }],
      channels: [{ id: 'team', type: 'webhook', format: 'json', url: hookUrl }],
    });
    expect(JSON.stringify(settings.get())).not.toContain('very-secret-path');
    expect(secrets.get('alert-channel.team.url')).toBe(hookUrl);
    expect(JSON.stringify(view)).not.toContain('very-secret-path');
    expect(view.channels).toEqual([{ id: 'desk', type: 'popup' }, expect.objectContaining({ id: 'team', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…path$/) })]);
    // Saving the channel again without its URL keeps the stored one.
    await core.api.saveAlerts({ rules: settings.get().alerts, channels: [{ id: 'team', type: 'webhook', format: 'json', url: '' }] });
    expect(secrets.get('alert-channel.team.url')).toBe(hookUrl);
    expect(core.allSecrets()).toContain(hookUrl);
  });

  it('a balance under the rule posts to the webhook once, even over two polls', async () => {
    await core.api.refresh('ds');
    await core.api.refresh('ds');
    const deadline = Date.now() + 5000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(1);
    const history = await core.api.alertHistory();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ kind: 'fired', ruleType: 'balance-below', accountId: 'ds' });
    expect((await core.api.getAlerts()).active.map((a) => a.id)).toEqual([history[0]!.id]);
    expect(await core.api.acknowledgeAlert(history[0]!.id)).toBe(true);
    expect((await core.api.getAlerts()).active).toEqual([]);
  });

  it('never copies config-file channels into settings, even when a UI sends them back', async () => {
    const before = await core.api.getAlerts();
    expect(before.configChannelIds).toEqual(['desk']);
    await core.api.saveAlerts({ rules: settings.get().alerts, channels: [{ id: 'desk', type: 'popup' }, { id: 'team', type: 'webhook', format: 'json', url: '' }] });
    expect((settings.get().alertChannels ?? []).map((c) => (c as { id: string }).id)).toEqual(['team']);
    expect((await core.api.getAlerts()).errors.filter((e) => /used twice/.test(e))).toEqual([]);
  });

  it('previews a rule from stored history', async () => {
    const preview = await core.api.previewAlertRule({ type: 'balance-below', account: 'ds', amount: 10, currency: 'CNY' }, 7);
    expect(preview.days).toBe(7);
    expect(preview.fires).toBe(1);
    await expect(core.api.previewAlertRule({ type: 'balance-below', account: 'ds', amount: 10, currency: 'CNY' }, 0)).rejects.toThrow(/1 to 365/);
  });
});
