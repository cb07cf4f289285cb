// Headless native popups through node-notifier (notify-send on Linux, Notification Center on macOS, toasts on
// Windows). A popup counts as shown only when the command succeeded: any failure rejects with the desktop's reason,
// which the alert engine records on the channel. Nothing here writes to the log: node-notifier's error message
// quotes the whole command line, alert text included, so only its reason is passed on.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Notification, Notifier } from '../ports.ts';

// node-notifier (and the modules it pulls in) costs ~15 MB of memory: it loads with the first popup, not at start.
let loaded: Promise<typeof import('node-notifier')> | null = null;
const nodeNotifier = () => (loaded ??= import('node-notifier').then((m) => m.default));

export function createNodeNotifier(opts: { appName?: string } = {}): Notifier {
  return {
    async notify(n: Notification): Promise<void> {
      const notifier = await nodeNotifier();
      return new Promise((resolve, reject) => {
        notifier.notify(
          {
            title: n.title,
            message: n.body,
            // notify-send: critical popups stay until dismissed, others time out.
            urgency: n.severity === 'critical' ? 'critical' : 'normal',
            'app-name': opts.appName ?? 'Spendbar',
            wait: false,
          } as Parameters<typeof notifier.notify>[0],
          // On success node-notifier passes the command's stderr (a string) here; only an Error is a failure.
          (err: unknown) => (err instanceof Error ? reject(new Error(reasonOf(err))) : resolve()),
        );
      });
    },
  };
}

/** "notify-send failed (exit 1): Cannot autolaunch D-Bus …", without the command line node-notifier puts first. */
function reasonOf(err: Error & { code?: unknown; signal?: unknown }): string {
  const [first = '', ...rest] = err.message.split('\n');
  if (!first.startsWith('Command failed')) return `the desktop notification failed: ${first.slice(0, 200)}`;
  const said = rest.map((l) => l.trim()).find((l) => l !== '');
  const how = typeof err.code === 'number' ? `exit ${err.code}` : typeof err.signal === 'string' ? err.signal : 'no exit status';
  return `notify-send failed (${how})${said ? `: ${said.slice(0, 200)}` : ''}`;
}

function onPath(command: string, path: string | undefined): boolean {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

const ADVICE = 'alerts still reach webhooks, the tray and the dashboard. Run Spendbar inside a desktop session, or add a webhook channel.';

/**
 * Why desktop popups cannot work here, or null when they can (as far as can be told without showing one). Linux only:
 * notify-send must be installed, a D-Bus session bus reachable, and a notification daemon on it (running or
 * activatable). The CLI prints this at start so a silent failure is never the first sign.
 */
export async function desktopNotificationProblem(opts: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform | string } = {}): Promise<string | null> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  if (platform !== 'linux' && !platform.endsWith('bsd')) return null;
  if (!onPath('notify-send', env.PATH)) return `notify-send is not installed (Debian/Ubuntu: apt install libnotify-bin), so desktop popups cannot be shown; ${ADVICE}`;
  const runtimeBus = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'bus') : '';
  const bus = env.DBUS_SESSION_BUS_ADDRESS || (runtimeBus && existsSync(runtimeBus) ? `unix:path=${runtimeBus}` : '');
  if (!bus) return `No notification daemon is reachable: there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset), so desktop popups will fail; ${ADVICE}`;
  if (!onPath('dbus-send', env.PATH)) return null;
  const owned = await askBus(env, bus, 'NameHasOwner', 'string:org.freedesktop.Notifications');
  if (owned === null || /boolean true/.test(owned)) return null;
  const activatable = await askBus(env, bus, 'ListActivatableNames');
  if (activatable === null || activatable.includes('org.freedesktop.Notifications')) return null;
  return `No notification daemon is reachable: nothing on the D-Bus session bus shows notifications (org.freedesktop.Notifications), so desktop popups will fail; ${ADVICE}`;
}

function askBus(env: NodeJS.ProcessEnv, bus: string, method: string, ...args: string[]): Promise<string | null> {
  // node:child_process loads with the first question, not with the core: a serve that never notifies never needs it.
  const { execFile } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve) => {
    execFile(
      'dbus-send',
      ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', `org.freedesktop.DBus.${method}`, ...args],
      { env: { ...env, DBUS_SESSION_BUS_ADDRESS: bus }, timeout: 2_000 },
      (err, stdout) => resolve(err ? null : stdout),
    );
  });
}
