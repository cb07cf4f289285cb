// The headless popup path with a real child process standing in for notify-send: a popup counts as shown only when
// the command succeeded, and its failure never prints the alert (or the command line holding it) to the log.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeNotifier, desktopNotificationProblem } from '../../../electron/core/notify/node-notifier.ts';

const bin = mkdtempSync(join(tmpdir(), 'spendbar-notify-'));
const script = join(bin, 'notify-send');
const argsFile = join(bin, 'args');
const savedPath = process.env.PATH;

/** Installs a notify-send that records its arguments, writes `stderr` and exits with `code`. */
function notifySend(code: number, stderr = ''): void {
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n${stderr ? `echo '${stderr}' >&2\n` : ''}exit ${code}\n`);
  chmodSync(script, 0o755);
}

beforeAll(() => {
  notifySend(0);
  process.env.PATH = `${bin}:${savedPath}`;
});
afterAll(() => {
  process.env.PATH = savedPath;
});

describe.skipIf(process.platform !== 'linux')('node-notifier popups', () => {
  const alert = { title: 'DeepSeek balance low', body: 'CNY 3.20 left: top up', severity: 'critical' as const };

  it('resolves when notify-send accepted the popup', async () => {
    notifySend(0);
    await expect(createNodeNotifier().notify(alert)).resolves.toBeUndefined();
    const args = readFileSync(argsFile, 'utf8');
    expect(args).toContain('DeepSeek balance low');
    expect(args).toMatch(/critical/);
  });

  it('rejects with the daemon’s reason when notify-send fails, and logs nothing itself', async () => {
    notifySend(1, 'Cannot autolaunch D-Bus without X11 $DISPLAY');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const err = await createNodeNotifier().notify(alert).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/notify-send failed \(exit 1\): Cannot autolaunch D-Bus/);
      // The command line carries the alert text: it stays out of the message and the log.
      expect(err!.message).not.toContain('top up');
      expect(logged).not.toHaveBeenCalled();
      expect(warned).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
      warned.mockRestore();
    }
  });

  it('says when no session bus is reachable, before any popup is tried', async () => {
    const none = await desktopNotificationProblem({ env: { PATH: process.env.PATH ?? '' }, platform: 'linux' });
    expect(none).toMatch(/no notification daemon is reachable/i);
    expect(none).toMatch(/DBUS_SESSION_BUS_ADDRESS/);
    const noCommand = await desktopNotificationProblem({ env: { PATH: '/nonexistent', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/x' }, platform: 'linux' });
    expect(noCommand).toMatch(/notify-send is not installed/);
    expect(await desktopNotificationProblem({ env: {}, platform: 'darwin' })).toBeNull();
  });
});

describe.skipIf(process.platform !== 'linux')('a failed popup in the core', () => {
  it('is recorded on its channel: in the alert history and in Send test', async () => {
    notifySend(1, 'Cannot autolaunch D-Bus without X11 $DISPLAY');
    const { createCore } = await import('../../../electron/core/engine.ts');
    const { createMemorySettingsStore } = await import('../../../electron/core/settings/conf-settings.ts');
    const { createMemorySecretStore } = await import('../../../electron/core/settings/file-secrets.ts');
    const { startDeepSeekFake } = await import('../../../electron/core/providers/fakes/deepseek.ts');
    const key = 'sk-7a3c9e1b5d2f8a4c6e0b9d1f3a5c7e2b';
    const ds = await startDeepSeekFake({ state: { keys: { [key]: { isAvailable: true, balances: [{ currency: 'USD', total: 2, granted: 0, toppedUp: 2 }] } } } });
    const core = await createCore({
      dataDir: mkdtempSync(join(tmpdir(), 'spendbar-popup-')),
      mode: 'serve',
      settings: createMemorySettingsStore(),
      secrets: createMemorySecretStore(),
      notifier: createNodeNotifier(),
      configAccounts: [{ account: { id: 'ds', provider: 'deepseek', label: 'DS', baseUrl: ds.url, pollIntervalSec: 300, source: 'config' }, credentials: { apiKey: key } }],
      configAlerts: { rules: [{ type: 'balance-below', account: 'ds', amount: 5, currency: 'USD' }] },
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await core.pollAll();
      let deliveries: { channelId: string; ok: boolean; message?: string }[] = [];
      for (let i = 0; i < 100 && deliveries.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        deliveries = (await core.api.alertHistory())[0]?.deliveries ?? [];
      }
      expect(deliveries).toMatchObject([{ channelId: 'popup', ok: false }]);
      expect(deliveries[0]!.message).toMatch(/notify-send failed \(exit 1\): Cannot autolaunch D-Bus/);
      const test = await core.api.testAlertChannel('popup');
      expect(test).toMatchObject({ channelId: 'popup', ok: false, message: expect.stringMatching(/notify-send failed/) });
      // The log names the channel and the reason, never the alert's own text.
      expect(logged.mock.calls.flat().join('\n')).not.toMatch(/balance \$2\.00/);
    } finally {
      logged.mockRestore();
      await core.stop();
      await ds.close();
    }
  });
});
