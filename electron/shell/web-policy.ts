// What the window may load and where links may go. Pure, so the policy itself is what the tests check.

/**
 * Hosts whose pages open in the user's browser: the providers' consoles and docs. A subdomain of a listed
 * host is allowed too. Every other link is simply not opened.
 */
export const EXTERNAL_HOSTS: readonly string[] = [
  'openrouter.ai',
  'deepseek.com',
  'surfercloud.com',
  'ucloud.cn',
  'smai.ai',
  'newapi.pro',
  'github.com',
];

export function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Only http(s), only allowlisted hosts, never a URL that carries credentials. */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  if (u.username !== '' || u.password !== '') return false;
  const host = u.hostname.toLowerCase();
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

/**
 * The Content-Security-Policy of the app's page. Scripts come only from the app itself. Production sets
 * it as a response header from the app:// protocol handler; development adds it to the dev server's
 * responses through session.webRequest.onHeadersReceived, loosened just enough for Vite: its React
 * refresh preamble is an inline script and hot reload talks over a WebSocket to the dev server.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const scriptSrc = ["'self'"];
  const connectSrc = ["'self'"];
  if (devServerUrl) {
    const dev = new URL(devServerUrl);
    scriptSrc.push("'unsafe-inline'");
    connectSrc.push(`${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}`);
  }
  return [
    "default-src 'none'",
    `script-src ${scriptSrc.join(' ')}`,
    // Inline style attributes only (React and Chart.js size their canvases that way); styles are not code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connectSrc.join(' ')}`,
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
