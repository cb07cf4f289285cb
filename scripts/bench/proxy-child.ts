// The proxy under benchmark, in a process of its own so its memory is its own: a real core (SQLite store, recorder,
// price table) and `spendbar serve`'s HTTP server with the proxy mounted, metering one account that points at the
// bench's loopback LLM fake. Talks to the parent over IPC: {url} once ready, {rss} on request; {loop} after
// {loop-start}: how late its event loop ran (perf_hooks' event-loop delay) and the longest GC pause in between, to
// tell a chunk held by the proxy's own work from one held by a collection.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createCore } from '../../electron/core/engine.ts';
import { startServer } from '../../electron/core/server/http-server.ts';
import { optimizingCompilers } from '../../electron/core/compilers.ts';
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
// $SPENDBAR_BENCH_STARTS_PER_TURN: the proxy's admission per event-loop turn (a number, or "off"), to compare by hand.
function startsPerTurn(): { startsPerTurn?: number | null } {
  const given = process.env.SPENDBAR_BENCH_STARTS_PER_TURN;
  if (given === undefined) return {};
  return { startsPerTurn: given === 'off' ? null : Number(given) };
}
const server = await startServer({ api: core.api, port: 0, proxy: core.meter.handler(startsPerTurn()), redactor: core.redactor });

let loop: ReturnType<typeof monitorEventLoopDelay> | null = null;
let heap: Session | null = null;
let gcMax = 0;
let gcTotal = 0;
let gcCount = 0;
const gcs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMax = Math.max(gcMax, e.duration);
    gcTotal += e.duration;
    gcCount++;
  }
});

process.on('message', async (m: { type: string }) => {
  if (m.type === 'loop-start') {
    loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    gcMax = gcTotal = gcCount = 0;
    gcs.observe({ entryTypes: ['gc'] });
    process.send?.({ type: 'loop-start' });
  } else if (m.type === 'loop') {
    loop?.disable();
    gcs.disconnect();
    const h = loop;
    process.send?.({ type: 'loop', maxMs: h ? h.max / 1e6 : 0, p99Ms: h ? h.percentile(99) / 1e6 : 0, gcMaxMs: gcMax, gcTotalMs: gcTotal, gcCount });
    loop = null;
  } else if (m.type === 'heap-start') {
    // Where the proxy allocates (by hand: scripts/bench/proxy-alloc.ts): V8's sampling heap profiler, counting what
    // young and old collections freed too, so garbage per request shows, not only what survived.
    heap = new Session();
    heap.connect();
    await heap.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
    process.send?.({ type: 'heap-start' });
  } else if (m.type === 'heap-stop') {
    const { profile } = (await heap?.post('HeapProfiler.stopSampling')) ?? { profile: null };
    heap?.disconnect();
    heap = null;
    process.send?.({ type: 'heap-stop', profile });
  } else if (m.type === 'rss') {
    // The baseline after a full collection; samples during the run without one (a forced GC would itself delay chunks).
    if (typeof global.gc === 'function') global.gc();
    process.send?.({ type: 'rss', rss: process.memoryUsage().rss });
  } else if (m.type === 'rss-sample') {
    process.send?.({ type: 'rss-sample', rss: process.memoryUsage().rss });
  } else if (m.type === 'compilers') {
    process.send?.({ type: 'compilers', on: optimizingCompilers.on });
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
// A bench that stops early (an error, Ctrl-C) closes the IPC channel: go with it rather than linger.
process.on('disconnect', () => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
