// The Notifier port served by Electron's Notification: the core's alert engine decides what to say and
// when; this only shows it. A click opens the dashboard at the account concerned.
import { Notification as ElectronNotification, type NotificationConstructorOptions } from 'electron';
import type { Notification, Notifier } from '../core/ports.ts';

export interface ElectronNotifierOptions {
  /** Opens (or focuses) the window, at the account when there is one. */
  onClick(accountId: string | undefined): void;
  icon?: string;
}

/** Notification options for one alert; pure so the mapping of severity to urgency is testable. */
export function notificationOptions(n: Notification, icon?: string): NotificationConstructorOptions {
  return {
    title: n.title,
    body: n.body,
    // Linux honours urgency: a critical one stays until dismissed, as running out of money should.
    urgency: n.severity === 'critical' ? 'critical' : n.severity === 'warning' ? 'normal' : 'low',
    timeoutType: n.severity === 'critical' ? 'never' : 'default',
    silent: n.severity === 'info',
    ...(icon ? { icon } : {}),
  };
}

/** How long the desktop has to confirm a notification before it counts as not shown. */
export const CONFIRM_MS = 10_000;

export function createElectronNotifier(opts: ElectronNotifierOptions): Notifier & { pending(): number } {
  // Electron drops a notification's click handler once the object is garbage-collected, so each one
  // is held until it is clicked or closed.
  const live = new Set<ElectronNotification>();
  return {
    // Resolves only on Electron's 'show' (the desktop put it on screen); 'failed', an unsupported desktop or no
    // answer at all reject, so the alert history says the popup was not shown instead of claiming it was.
    async notify(n: Notification) {
      if (!ElectronNotification.isSupported()) throw new Error('This desktop does not support native notifications.');
      const notification = new ElectronNotification(notificationOptions(n, opts.icon));
      live.add(notification);
      notification.on('click', () => {
        live.delete(notification);
        opts.onClick(n.accountId);
      });
      notification.on('close', () => live.delete(notification));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          live.delete(notification);
          reject(new Error(`the desktop did not confirm the notification within ${CONFIRM_MS / 1000} s`));
        }, CONFIRM_MS);
        timer.unref?.();
        notification.once('show', () => {
          clearTimeout(timer);
          resolve();
        });
        notification.once('failed', (_event, error: string) => {
          clearTimeout(timer);
          live.delete(notification);
          reject(new Error(error || 'the desktop refused the notification'));
        });
        notification.show();
      });
    },
    pending: () => live.size,
  };
}
