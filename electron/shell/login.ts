// Launch at login through app.setLoginItemSettings, on the platforms where Electron supports it (macOS,
// Windows). A launch at login starts in the tray without opening the window.
import { app } from 'electron';
import type { LoginItems } from './tray-controller.ts';
import { loginItemSupported } from './tray-model.ts';

export const HIDDEN_ARG = '--hidden';

export function createLoginItems(platform: NodeJS.Platform = process.platform): LoginItems {
  const supported = loginItemSupported(platform);
  return {
    supported,
    get: () => supported && app.getLoginItemSettings().openAtLogin,
    set(openAtLogin: boolean) {
      if (supported) app.setLoginItemSettings({ openAtLogin, args: [HIDDEN_ARG] });
    },
  };
}

/** Whether this launch should stay in the tray: started at login (Windows passes the arg; macOS says so). */
export function startsHidden(argv: readonly string[], wasOpenedAtLogin: boolean | undefined): boolean {
  return argv.includes(HIDDEN_ARG) || wasOpenedAtLogin === true;
}
