// The proxy under benchmark, in a process of its own so its memory is its own: a real core (SQLite store, recorder,
// price table) and `spendbar serve`'s HTTP server with the proxy mounted, metering one account that points at the
// bench's loopback LLM fake. Talks to the parent over IPC: {url} once ready, {rss} on request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../electron/core/engine.ts';
import { startServer } from '../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';

const upstream = process.argv[2] as string;
const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-bench-proxy-'));
const core = await createCore({
  dataDir,
  mode: 'serve',
  settings: createMemorySettingsStore(),
  secrets: createMemorySecretStore(),
  configAccounts: [{ account: { id: 'bench', provider: 'newapi', label: 'Bench', baseUrl: upstream, pollIntervalSec: 86_400, source: 'config' }, credentials: { apiKey: 'sk-bench-proxy-stored-0001' } }],
  proxyToken: 'spendbar-proxy-bench-token-000000000000',
  configPreferences: { timeZone: 'UTC' },
});
const server = await startServer({ api: core.api, port: 0, proxy: core.meter.handler(), redactor: core.redactor });

process.on('message', async (m: { type: string }) => {
  if (m.type === 'rss') {
    // The baseline after a full collection; samples during the run without one (a forced GC would itself delay chunks).
    if (typeof global.gc === 'function') global.gc();
    process.send?.({ type: 'rss', rss: process.memoryUsage().rss });
  } else if (m.type === 'rss-sample') {
    process.send?.({ type: 'rss-sample', rss: process.memoryUsage().rss });
  } else if (m.type === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ type: 'cpu', micros: u.user + u.system, user: u.user, system: u.system });
  } else if (m.type === 'rows') {
    await core.meter.recorder.flush();
    const row = core.meter.requests({ limit: 1 }).rows[0];
    process.send?.({ type: 'rows', lastId: row?.id ?? 0 });
  } else if (m.type === 'stop') {
    await server.close();
    await core.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
});
process.send?.({ type: 'ready', url: server.url });
