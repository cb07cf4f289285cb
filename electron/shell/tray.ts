// The tray: one small module with create / update / destroy. Everything it shows comes from the pure
// functions in tray-model.ts; this file only hands their results to Electron.
import { join } from 'node:path';
import { Menu, nativeImage, nativeTheme, Tray, type MenuItemConstructorOptions } from 'electron';
import {
  glanceText,
  trayIconFile,
  trayIconState,
  trayMenuModel,
  trayTooltip,
  type TrayAction,
  type TrayIconState,
  type TrayInput,
  type TrayMenuItem,
} from './tray-model.ts';

export interface TrayOptions {
  /** Folder holding the tray PNGs (electron/assets, copied to dist-electron/assets by the build). */
  assetsDir: string;
  onAction(action: TrayAction): void;
  platform?: NodeJS.Platform;
}

export interface SpendbarTray {
  update(input: TrayInput): void;
  destroy(): void;
}

/** The Electron menu template for a model; clicks report the item's action. */
export function toMenuTemplate(model: readonly TrayMenuItem[], onAction: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return model.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    if (item.type === 'submenu') return { label: item.label, submenu: toMenuTemplate(item.items, onAction) };
    const action = item.action;
    const base: MenuItemConstructorOptions = {
      type: item.type,
      label: item.label,
      enabled: item.enabled,
      ...(action ? { click: () => onAction(action) } : {}),
    };
    return item.type === 'checkbox' || item.type === 'radio' ? { ...base, checked: item.checked } : base;
  });
}

export function createTray(opts: TrayOptions): SpendbarTray {
  const platform = opts.platform ?? process.platform;
  let state: TrayIconState = 'normal';
  const image = () => {
    const img = nativeImage.createFromPath(join(opts.assetsDir, trayIconFile(state, platform, nativeTheme.shouldUseDarkColors)));
    if (platform === 'darwin') img.setTemplateImage(true);
    return img;
  };
  const tray = new Tray(image());
  tray.setToolTip('Spendbar');
  // Windows and most Linux panels open the window on a plain click; macOS shows the menu instead.
  if (platform !== 'darwin') tray.on('click', () => opts.onAction({ kind: 'open' }));
  const onTheme = () => tray.setImage(image());
  nativeTheme.on('updated', onTheme);

  return {
    update(input: TrayInput) {
      if (tray.isDestroyed()) return;
      const next = trayIconState(input.statuses, input.alerts);
      if (next !== state) {
        state = next;
        tray.setImage(image());
      }
      tray.setToolTip(trayTooltip(input));
      if (platform === 'darwin') tray.setTitle(glanceText(input));
      tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(trayMenuModel(input, platform), opts.onAction)));
    },
    destroy() {
      nativeTheme.off('updated', onTheme);
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
