// The dashboard page, served with the live state's first load in it (shared/first-load.ts): the page renders from it
// instead of asking four requests first. Only where the API needs no token: the page request carries none (the token
// is handed over in the URL fragment), so a served page may hold only what any caller of the API may read. What it
// holds is exactly the API's answers (already scrubbed by the core), as JSON escaped for a <script> element.
import { readFile as readFileCallback } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { SpendbarApi } from '../../../shared/api.ts';
import { FIRST_LOAD_ELEMENT_ID, type FirstLoad } from '../../../shared/first-load.ts';
import { log } from '../log.ts';
import { DASHBOARD_CSP } from './static.ts';

// node:fs's callback form: node:fs/promises would load readline and the REPL's history module with it.
const readFile = (path: string) => new Promise<string>((resolve, reject) => readFileCallback(path, 'utf8', (err, s) => (err ? reject(err) : resolve(s))));

export function isDashboardPage(pathname: string): boolean {
  return pathname === '/' || pathname === '/index.html';
}

/**
 * JSON that can sit inside a <script> element: no "</script>", "<!--" or "]]>" can close or confuse it, and the two
 * line separators JavaScript once treated as newlines are escaped too. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export async function firstLoad(api: SpendbarApi): Promise<FirstLoad> {
  const [info, providers, accounts, statuses] = await Promise.all([api.getInfo(), api.listProviders(), api.listAccounts(), api.getStatus()]);
  return { info, providers, accounts, statuses };
}

/** The page with the first load in a data block before </head>; the page as built when there is no such place. */
export function withFirstLoad(html: string, load: FirstLoad): string {
  const at = html.indexOf('</head>');
  if (at < 0) return html;
  return `${html.slice(0, at)}<script type="application/json" id="${FIRST_LOAD_ELEMENT_ID}">${jsonForScript(load)}</script>\n${html.slice(at)}`;
}

/** Serves index.html with the first load in it. Returns false when there is no page (the caller answers 404). */
export async function serveDashboardPage(root: string, api: SpendbarApi, res: ServerResponse, head: boolean, scrub: (text: string) => string): Promise<boolean> {
  let html: string;
  try {
    html = await readFile(join(root, 'index.html'));
  } catch {
    return false;
  }
  try {
    html = withFirstLoad(html, await firstLoad(api));
  } catch (err) {
    // The page still works without it: it asks the API, which says what is wrong.
    log.error('spendbar: could not put the first load in the dashboard page:', scrub(err instanceof Error ? err.message : String(err)));
  }
  const body = Buffer.from(html, 'utf8');
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // It holds live figures, like the API's answers.
    'cache-control': 'no-store',
  });
  res.end(head ? undefined : body);
  return true;
}
