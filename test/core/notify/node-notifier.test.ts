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
