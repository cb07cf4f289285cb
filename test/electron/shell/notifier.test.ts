import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeNotification, resetElectronMock } from '../electron-mock.ts';

vi.mock('electron', async () => (await import('../electron-mock.ts')).electronModule());

const { createElectronNotifier, notificationOptions } = await import('../../../electron/shell/notifier.ts');

beforeEach(() => {
  resetElectronMock();
});

describe('Electron notifier', () => {
  it('shows an alert as a native notification and a click opens the account', async () => {
    const clicks: (string | undefined)[] = [];
    const notifier = createElectronNotifier({ onClick: (id) => clicks.push(id) });
    await notifier.notify({ title: 'OpenRouter balance low', body: '$4.20 left, about 2 days', accountId: 'or', severity: 'critical' });
    expect(FakeNotification.instances).toHaveLength(1);
    const shown = FakeNotification.instances[0]!;
    expect(shown.shown).toBe(true);
    expect(shown.options).toMatchObject({ title: 'OpenRouter balance low', body: '$4.20 left, about 2 days', urgency: 'critical' });
    expect(notifier.pending()).toBe(1);
    shown.emit('click');
    expect(clicks).toEqual(['or']);
    expect(notifier.pending()).toBe(0);
  });

  it('a notification without an account opens the window as it is', async () => {
    const onClick = vi.fn();
    const notifier = createElectronNotifier({ onClick });
    await notifier.notify({ title: 'All providers recovered', body: '', severity: 'info' });
    FakeNotification.instances[0]!.emit('click');
    expect(onClick).toHaveBeenCalledWith(undefined);
  });

  it('releases notifications that were closed unclicked', async () => {
    const notifier = createElectronNotifier({ onClick: () => {} });
    await notifier.notify({ title: 'a', body: 'b', severity: 'warning' });
    FakeNotification.instances[0]!.emit('close');
    expect(notifier.pending()).toBe(0);
  });

  it('fails honestly where notifications are unsupported', async () => {
    FakeNotification.supported = false;
    await expect(createElectronNotifier({ onClick: () => {} }).notify({ title: 't', body: 'b', severity: 'info' })).rejects.toThrow(/not support/);
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('counts a notification as shown only on Electron’s show event', async () => {
    FakeNotification.outcome = { failed: 'org.freedesktop.Notifications was not provided by any .service files' };
    const notifier = createElectronNotifier({ onClick: () => {} });
    await expect(notifier.notify({ title: 'a', body: 'b', severity: 'critical' })).rejects.toThrow(/org\.freedesktop\.Notifications was not provided/);
    expect(notifier.pending()).toBe(0);
  });

  it('fails when the desktop never confirms the notification', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      FakeNotification.outcome = 'silent';
      const notifier = createElectronNotifier({ onClick: () => {} });
      const shown = notifier.notify({ title: 'a', body: 'b', severity: 'warning' });
      const settled = expect(shown).rejects.toThrow(/did not confirm/);
      await vi.advanceTimersByTimeAsync(10_001);
      await settled;
    } finally {
      vi.useRealTimers();
    }
  });

  it('records a popup the desktop refused as a failed delivery, in the alert history and in Send test', async () => {
    FakeNotification.outcome = { failed: 'no notification daemon' };
    const { sendPopup } = await import('../../../electron/core/alerts/delivery.ts');
    const notifier = createElectronNotifier({ onClick: () => {} });
    const d = await sendPopup('popup', notifier, { title: 't', body: 'b', severity: 'info', time: 0 }, () => 5);
    expect(d).toMatchObject({ channelId: 'popup', ok: false, attempts: 1 });
    expect(d.message).toMatch(/no notification daemon/);
  });

  it('maps severity to urgency', () => {
    expect(notificationOptions({ title: 't', body: 'b', severity: 'warning' })).toMatchObject({ urgency: 'normal', silent: false });
    expect(notificationOptions({ title: 't', body: 'b', severity: 'info' })).toMatchObject({ urgency: 'low', silent: true });
  });
});
