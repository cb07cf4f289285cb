// Where the app's own page lives. Production serves the built renderer from app://spendbar/ (a privileged,
// standard, secure scheme registered before `ready`); development loads the Vite dev server. Anything else is
// a foreign frame: its IPC is dropped and it is never navigated to.
import { isAbsolute, join, normalize, relative, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'spendbar';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The URL the window loads: the dev server when one is given, the built files otherwise. */
export function rendererEntryUrl(devServerUrl?: string): string {
  return devServerUrl ? devServerUrl : APP_ENTRY_URL;
}

function parse(url: string | undefined): URL | undefined {
  if (!url) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Whether a frame URL is the app's own page: app://spendbar/…, or the dev server's origin in development. */
export function isAppUrl(url: string | undefined, devServerUrl?: string): boolean {
  const u = parse(url);
  if (!u) return false;
  // app: is not a WHATWG "special" scheme, so its origin reads "null": compare scheme and host instead.
  if (u.protocol === `${APP_SCHEME}:`) return u.host === APP_HOST;
  const dev = parse(devServerUrl);
  return dev !== undefined && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin;
}

/**
 * The file under `rendererDir` an app:// request asks for, or null when it asks for anything outside it
 * (another host, `..` tricks, encoded separators). `/` serves index.html; the dashboard routes by hash.
 */
export function resolveAppFile(rendererDir: string, requestUrl: string): string | null {
  const u = parse(requestUrl);
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const file = normalize(join(rendererDir, pathname));
  const rel = relative(rendererDir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return file;
}
