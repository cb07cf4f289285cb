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

  it('shows nothing, without failing, where notifications are unsupported', async () => {
    FakeNotification.supported = false;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await createElectronNotifier({ onClick: () => {} }).notify({ title: 't', body: 'b', severity: 'info' });
    expect(FakeNotification.instances).toHaveLength(0);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });

  it('maps severity to urgency', () => {
    expect(notificationOptions({ title: 't', body: 'b', severity: 'warning' })).toMatchObject({ urgency: 'normal', silent: false });
    expect(notificationOptions({ title: 't', body: 'b', severity: 'info' })).toMatchObject({ urgency: 'low', silent: true });
  });
});
