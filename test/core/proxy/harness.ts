// A real core with metered accounts pointing at loopback LLM fakes, served by the real HTTP server with the proxy
// mounted: what the proxy tests talk to.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createNetServer } from 'node:net';
import { createCore, type EngineCore } from '../../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { startLlmFake, type LlmFake } from '../../../electron/core/providers/fakes/llm-api.ts';
import type { ConfigAccount } from '../../../electron/core/accounts.ts';
import type { ProviderId } from '../../../shared/domain.ts';
import type { ProxyTimeouts } from '../../../electron/core/proxy/index.ts';

export const KEYS = {
  oa: 'sk-proxytest-openai-stored-0001',
  or: 'sk-or-v1-proxytest-router-stored-0002',
  gw: 'sk-proxytest-gateway-stored-0003',
  an: 'sk-ant-proxytest-stored-0004',
};
export const PROXY_TOKEN = 'spendbar-proxy-test-token-abcdefghijkl';

export interface Harness {
  core: EngineCore;
  server: RunningServer;
  openai: LlmFake;
  router: LlmFake;
  gateway: LlmFake;
  dataDir: string;
  /** Waits until every finished request is stored. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

function account(id: string, provider: ProviderId, baseUrl: string, key: string): ConfigAccount {
  return {
    account: { id, provider, label: id.toUpperCase(), baseUrl, pollIntervalSec: 300, source: 'config', credentials: { apiKey: { set: true, from: 'inline' } } },
    credentials: { apiKey: key },
  };
}

export async function startHarness(opts: { timeouts?: Partial<ProxyTimeouts>; serveToken?: string } = {}): Promise<Harness> {
  const [openai, router, gateway] = await Promise.all([startLlmFake(), startLlmFake({ flavor: 'router' }), startLlmFake({ flavor: 'gateway' })]);
  const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-proxy-'));
  const closedPort = await new Promise<number>((resolve) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  const core = await createCore({
    dataDir,
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    configAccounts: [
      account('oa', 'newapi', openai.url, KEYS.oa),
      account('or', 'openrouter', `${router.url}/api/v1`, KEYS.or),
      account('gw', 'newapi', gateway.url, KEYS.gw),
      account('an', 'newapi', `${openai.url}/anthropic`, KEYS.an),
      account('down', 'newapi', `http://127.0.0.1:${closedPort}`, 'sk-proxytest-down-stored-0005'),
    ],
    proxyToken: PROXY_TOKEN,
    proxyFlushMs: 5,
    proxyTimeouts: opts.timeouts,
    configPreferences: { timeZone: 'UTC' },
  });
  const server = await startServer({ api: core.api, port: 0, token: opts.serveToken, proxy: core.meter.handler({ serveToken: opts.serveToken }), redactor: core.redactor });
  core.meter.setUrl(server.url);
  return {
    core,
    server,
    openai,
    router,
    gateway,
    dataDir,
    async settle() {
      await new Promise((r) => setTimeout(r, 20));
      await core.meter.recorder.flush();
    },
    async close() {
      await server.close();
      await core.stop();
      await Promise.all([openai.close(), router.close(), gateway.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ProxyAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** A request through the proxy the way an SDK sends it. */
export async function call(h: Harness, path: string, body: unknown, headers: Record<string, string> = {}): Promise<ProxyAnswer> {
  const res = await fetch(`${h.server.url}/proxy${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PROXY_TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The data payloads of an event stream, in order. */
export function dataLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim());
}
