// Headless native popups through node-notifier (notify-send on Linux, Notification Center on macOS,
// toasts on Windows). A failing notifier never throws into the core: popups are best-effort.
import notifier from 'node-notifier';
import type { Notification, Notifier } from '../ports.ts';

export function createNodeNotifier(opts: { appName?: string } = {}): Notifier {
  return {
    notify(n: Notification): Promise<void> {
      return new Promise((resolve) => {
        notifier.notify(
          {
            title: n.title,
            message: n.body,
            // notify-send: critical popups stay until dismissed, others time out.
            urgency: n.severity === 'critical' ? 'critical' : 'normal',
            'app-name': opts.appName ?? 'Spendbar',
            wait: false,
          } as Parameters<typeof notifier.notify>[0],
          (err) => {
            if (err) console.error(`spendbar: could not show a desktop notification: ${err.message}`);
            resolve();
          },
        );
      });
    },
  };
}
