// The dashboard page as `spendbar serve` sends it: with the live state's first load in a JSON data block when the API
// needs no token (exactly what the API answers, escaped for a <script> element), and as built when it needs one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type EngineCore } from '../../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../../electron/core/server/http-server.ts';
import { jsonForScript, withFirstLoad } from '../../../electron/core/server/page.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../../electron/core/providers/fakes/deepseek.ts';
import { FIRST_LOAD_ELEMENT_ID, type FirstLoad } from '../../../shared/first-load.ts';

const DS_KEY = 'sk-page-test-deepseek-key-0001';
const TOKEN = 'page-test-serve-token-0001';
// A label is the user's own text: it may hold anything, the end of a script element included.
const LABEL = 'Team </script><script>alert(1)</script> <!-- \u2028 & ]]>';
const PAGE = '<!doctype html><html><head><title>Spendbar</title><script type="module" src="./assets/index.js"></script></head><body><div id="root"></div></body></html>';

let ds: DeepSeekFake;
let core: EngineCore;
let open: RunningServer;
let guarded: RunningServer;

/** The data block's text, or null; the page must hold one element with the id and nothing may close it early. */
function dataBlock(html: string): string | null {
  const start = html.indexOf(`<script type="application/json" id="${FIRST_LOAD_ELEMENT_ID}">`);
  if (start < 0) return null;
  const from = html.indexOf('>', start) + 1;
  return html.slice(from, html.indexOf('</script>', from));
}

beforeAll(async () => {
  ds = await startDeepSeekFake({ state: { keys: { [DS_KEY]: { isAvailable: true, balances: [{ currency: 'CNY', total: 88.8, granted: 0, toppedUp: 88.8 }] } } } });
  const staticDir = mkdtempSync(join(tmpdir(), 'spendbar-page-dist-'));
  writeFileSync(join(staticDir, 'index.html'), PAGE);
  core = await createCore({
    dataDir: mkdtempSync(join(tmpdir(), 'spendbar-page-')),
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    configAccounts: [
      {
        account: { id: 'ds', provider: 'deepseek', label: LABEL, baseUrl: ds.url, pollIntervalSec: 300, source: 'config', credentials: { apiKey: { set: true, masked: 'sk-…0001', from: 'inline' } } },
        credentials: { apiKey: DS_KEY },
      },
    ],
    version: 'test',
  });
  await core.pollAll();
  open = await startServer({ api: core.api, port: 0, redactor: core.redactor, staticDir });
  guarded = await startServer({ api: core.api, port: 0, redactor: core.redactor, staticDir, token: TOKEN });
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await core?.stop();
  await ds?.close();
});

describe('JSON for a <script> element', () => {
  it('has no character that can end or confuse the element, and reads back unchanged', () => {
    const value = { label: LABEL, nested: ['</SCRIPT>', '<!--', '-->', '\u2029'] };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('goes before </head>; a page without one is left as built', () => {
    const load = { info: {}, providers: [], accounts: [], statuses: [] } as unknown as FirstLoad;
    expect(withFirstLoad(PAGE, load)).toContain(`${jsonForScript(load)}</script>\n</head>`);
    expect(withFirstLoad('<p>no head</p>', load)).toBe('<p>no head</p>');
  });
});

describe('the dashboard page', () => {
  it('holds exactly what the API answers the same client, and is never cached', async () => {
    const res = await fetch(open.url + '/?view=usage');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    const block = dataBlock(html);
    expect(block).not.toBeNull();
    // The label's "</script>" did not end the block: what follows it is the page's own markup.
    expect(html.slice(html.indexOf(block!) + block!.length)).toMatch(/^<\/script>\n<\/head><body><div id="root"><\/div><\/body><\/html>$/);
    const served = JSON.parse(block!) as FirstLoad;
    const ask = async (path: string) => (await fetch(open.url + path)).json();
    expect(served.info).toEqual(await ask('/api/info'));
    expect(served.providers).toEqual(await ask('/api/providers'));
    expect(served.accounts).toEqual(await ask('/api/accounts'));
    expect(served.statuses).toEqual(await ask('/api/status'));
    expect(served.accounts[0]!.label).toBe(LABEL);
    // No secret: the key is in no answer, so in no page.
    expect(html).not.toContain(DS_KEY);
    expect((await fetch(open.url + '/index.html').then((r) => r.text())).includes(FIRST_LOAD_ELEMENT_ID)).toBe(true);
  });

  it('is served as built where the API needs a token: the page request carries none', async () => {
    const res = await fetch(guarded.url + '/');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(PAGE);
    expect((await fetch(guarded.url + '/api/accounts')).status).toBe(401);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await fetch(open.url + '/', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(PAGE.length);
    expect(await res.text()).toBe('');
  });
});
