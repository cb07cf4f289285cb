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

export function createElectronNotifier(opts: ElectronNotifierOptions): Notifier & { pending(): number } {
  // Electron drops a notification's click handler once the object is garbage-collected, so each one
  // is held until it is clicked or closed.
  const live = new Set<ElectronNotification>();
  return {
    async notify(n: Notification) {
      if (!ElectronNotification.isSupported()) {
        console.warn(`spendbar: native notifications are not supported here; not shown: ${n.title}`);
        return;
      }
      const notification = new ElectronNotification(notificationOptions(n, opts.icon));
      live.add(notification);
      notification.on('click', () => {
        live.delete(notification);
        opts.onClick(n.accountId);
      });
      notification.on('close', () => live.delete(notification));
      notification.on('failed', (_event, error: string) => {
        live.delete(notification);
        console.warn(`spendbar: a notification could not be shown: ${error}`);
      });
      notification.show();
    },
    pending: () => live.size,
  };
}
