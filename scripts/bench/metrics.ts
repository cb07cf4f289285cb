// /metrics benchmark: 50 accounts × 20 models with a year of daily usage (and metered requests), served by a real
// core and server on loopback. Prints figures; asserts nothing.
//   node scripts/bench/metrics.ts [--accounts 50] [--models 20] [--days 365] [--scrapes 500]
// - making the counter tables of a database never served (the server does it at start-up; from a year of history)
// - GET /metrics over loopback, plain and with Accept-Encoding: gzip (as Prometheus sends): wall p50/p95 per scrape,
//   and the serving process's CPU per scrape (the server runs in a child process, so the client's work is not
//   counted); back to back with nothing written between scrapes, and with a metered request written before each.
// - the server's own part without HTTP (what to send: store version check, read, text, gzip), with nothing written
//   since the last scrape and after a metered request was written before each (the whole text made and gzipped again)
// - what the counter triggers cost ingest: the same day-by-day writes into a store without and with them
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { get } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Snapshot, UsageBucket } from '../../shared/domain.ts';
import { blankSnapshot } from '../../electron/core/snapshots.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';
import { createCore } from '../../electron/core/engine.ts';
import { startServer } from '../../electron/core/server/http-server.ts';
import { MetricsExposition } from '../../electron/core/server/metrics-body.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startOpenRouterFake } from '../../electron/core/providers/fakes/openrouter.ts';
import type { ProxyRecord } from '../../electron/core/proxy/handler.ts';

const DAY = 86_400_000;
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
const ACCOUNTS = arg('accounts', 50);
const MODELS = arg('models', 20);
const DAYS = arg('days', 365);
const SCRAPES = arg('scrapes', 500);

const id = (a: number) => `acct-${String(a).padStart(2, '0')}`;
const keyOf = (a: number) => `sk-or-v1-bench-metrics-${String(a).padStart(4, '0')}-key`;
const models = Array.from({ length: MODELS }, (_, m) => `vendor/model-${m}`);

function day(store: SnapshotStore, start: number): number {
  const list: Snapshot[] = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    const usage: UsageBucket[] = models.map((model, m) => ({
      start, width: 'day', model, key: '', requests: 10 + m, inputTokens: 1000 * (m + 1), outputTokens: 300, cachedTokens: 50, reasoningTokens: 0,
      cost: { micros: 10_000 * (m + 1), currency: a % 5 === 0 ? 'CNY' : 'USD' },
    }));
    list.push(blankSnapshot(id(a), 'openrouter', start + DAY - 60_000, { balance: { micros: 50_000_000, currency: 'USD' }, balances: [{ micros: 50_000_000, currency: 'USD' }], usage }));
  }
  store.saveSnapshots(list);
  return list.length * (1 + MODELS);
}

function ingestRate(file: string, withCounters: boolean, days: number, first: number): { rowsPerS: number; rowsPerCpuS: number } {
  const store = SnapshotStore.open(file);
  if (withCounters) store.metricsTotals();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let rows = 0;
  for (let d = 0; d < days; d++) rows += day(store, first + d * DAY);
  const c = process.cpuUsage(c0);
  const s = (performance.now() - t0) / 1000;
  store.close();
  return { rowsPerS: rows / s, rowsPerCpuS: rows / ((c.user + c.system) / 1e6) };
}

function stats(ms: number[]): { p50: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return { p50: at(0.5), p95: at(0.95) };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spendbar-bench-metrics-'));
  const today = Date.now() - (Date.now() % DAY);
  const first = today - DAYS * DAY;
  console.log(`${ACCOUNTS} accounts × ${MODELS} models, ${DAYS} days of daily usage; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const trigDays = Math.min(DAYS, 60);
  const without = ingestRate(path.join(dir, 'plain.db'), false, trigDays, first);
  const withC = ingestRate(path.join(dir, 'counted.db'), true, trigDays, first);
  console.log(`  ingest of ${trigDays} days (${ACCOUNTS * (1 + MODELS)} rows a day): without counter triggers ${Math.round(without.rowsPerS).toLocaleString('en')} rows/s (${Math.round(without.rowsPerCpuS).toLocaleString('en')} per CPU-s); with them ${Math.round(withC.rowsPerS).toLocaleString('en')} rows/s (${Math.round(withC.rowsPerCpuS).toLocaleString('en')} per CPU-s)`);

  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const seed = SnapshotStore.open(path.join(dataDir, 'spendbar.db'));
  for (let d = 0; d < DAYS; d++) day(seed, first + d * DAY);
  const b0 = performance.now();
  const totals = seed.metricsTotals();
  console.log(`  counter tables of a database never served, made and filled (by the server before it listens; before, by the first scrape): ${(performance.now() - b0).toFixed(0)} ms; ${totals.usage.length} usage and ${totals.cost.length} cost rows`);
  seed.close();

  const child = fork(fileURLToPath(import.meta.url), ['--serve', dataDir, ...args], { stdio: 'inherit', execArgv: [...process.execArgv, ...(process.env.SPENDBAR_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SPENDBAR_BENCH_PROFILE}`] : [])] });
  const { url } = (await ask(child, { type: 'ready' })) as { url: string };

  const f0 = performance.now();
  await scrape(url, false);
  console.log(`  first scrape after start: ${(performance.now() - f0).toFixed(1)} ms`);
  let bytes = 0;
  let zipped = 0;
  for (let i = 0; i < 20; i++) [bytes, zipped] = [await scrape(url, false), await scrape(url, true)];
  const body = await (await fetch(url + '/metrics')).text();
  const lines = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
  console.log(`  exposition: ${(bytes / 1024).toFixed(0)} KiB, ${lines.toLocaleString('en')} samples; gzipped ${(zipped / 1024).toFixed(1)} KiB`);

  for (const gz of [false, true]) {
    const wall: number[] = [];
    const c0 = (await ask(child, { type: 'cpu' })) as { cpu: number };
    for (let i = 0; i < SCRAPES; i++) {
      const t = performance.now();
      await scrape(url, gz);
      wall.push(performance.now() - t);
    }
    const c1 = (await ask(child, { type: 'cpu' })) as { cpu: number };
    const w = stats(wall);
    console.log(`  GET /metrics over loopback, ${gz ? 'gzip' : 'plain'}, nothing written between scrapes: p50 ${w.p50.toFixed(2)} ms, p95 ${w.p95.toFixed(2)} ms over ${SCRAPES} scrapes; server CPU ${((c1.cpu - c0.cpu) / 1000 / SCRAPES).toFixed(2)} ms per scrape`);
  }
  // A metered request written before each scrape (as with a busy proxy): the counters are read and rendered again.
  // The server's CPU is taken just before and after each scrape (the write and its follow-up are outside; the two
  // messages that ask for it are inside, a few tens of µs).
  const WRITTEN = Math.min(SCRAPES, 200);
  for (const gz of [false, true]) {
    const wall: number[] = [];
    let spent = 0;
    for (let i = 0; i < WRITTEN; i++) {
      await ask(child, { type: 'write', i } as never);
      const c0 = (await ask(child, { type: 'cpu' })) as { cpu: number };
      const t = performance.now();
      await scrape(url, gz);
      wall.push(performance.now() - t);
      spent += ((await ask(child, { type: 'cpu' })) as { cpu: number }).cpu - c0.cpu;
    }
    const w = stats(wall);
    console.log(`  GET /metrics over loopback, ${gz ? 'gzip' : 'plain'}, a metered request written before each scrape: p50 ${w.p50.toFixed(2)} ms, p95 ${w.p95.toFixed(2)} ms over ${WRITTEN} scrapes; server CPU ${(spent / 1000 / WRITTEN).toFixed(2)} ms per scrape`);
  }
  for (const written of [false, true]) {
    const inner = (await ask(child, { type: 'inner', written } as never)) as { p50: number; p95: number; cpu: number; n: number };
    console.log(
      `  server part (${written ? 'after a metered request was written: version check, read, text, gzip' : 'nothing written: version check, the small per-account part'}): p50 ${inner.p50.toFixed(2)} ms, p95 ${inner.p95.toFixed(2)} ms; CPU ${inner.cpu.toFixed(2)} ms per scrape over ${inner.n}`,
    );
  }
  console.log(`  target: /metrics ≤ 5 ms for 50 accounts × 20 models; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await ask(child, { type: 'stop' });
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Reads the whole answer as bytes (decoding it in the client is no part of the server's cost). */
function scrape(url: string, gzip: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url + '/metrics', { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => resolve(n));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function ask(child: ChildProcess, msg: { type: string }): Promise<unknown> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(msg);
  });
}

function meteredRequest(a: number, i: number): ProxyRecord {
  const model = models[i % 5] as string;
  return {
    time: Date.now(), accountId: id(a), provider: 'openrouter', key: 'sk-…0001', keyId: 'k_0000000000000001', app: 'bench', kind: 'service', modelRequested: model, endpoint: '/v1/chat/completions',
    stream: false, status: i % 7 === 0 ? 429 : 200, latencyMs: 5, ttfbMs: null, rateLimit: null, note: null,
    usage: { model, inputTokens: 100, outputTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, providerCost: 0.0001, estimated: false },
  };
}

/** The serving process: a real core and server on the seeded database. */
async function serve(dataDir: string): Promise<void> {
  const or = await startOpenRouterFake({
    state: {
      keys: Object.fromEntries(
        Array.from({ length: ACCOUNTS }, (_, a) => [keyOf(a), { label: `k${a}`, limit: null, limitReset: null, usage: 1, usageDaily: 0.1, usageWeekly: 0.5, usageMonthly: 1, isManagementKey: true, isFreeTier: false, expiresAt: null }]),
      ),
      totalCredits: 100,
      totalUsage: 1,
      activity: [],
    },
  });
  const core = await createCore({
    dataDir,
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    configAccounts: Array.from({ length: ACCOUNTS }, (_, a) => ({
      account: { id: id(a), provider: 'openrouter' as const, label: `Account ${a}`, baseUrl: or.url, pollIntervalSec: 300, source: 'config' as const },
      credentials: { apiKey: keyOf(a) },
    })),
    version: 'bench',
  });
  await core.pollAll();
  // Metered requests: 5 models per account, some rate limited, through the real recorder.
  for (let a = 0; a < ACCOUNTS; a++) {
    for (let i = 0; i < 20; i++) core.meter.recorder.add(meteredRequest(a, i));
  }
  await core.meter.recorder.flush();
  const server = await startServer({ api: core.api, port: 0, redactor: core.redactor, metricsTotals: core.metricsTotals });
  const cpu = () => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  process.on('message', (msg: { type: string }) => {
    void (async () => {
      if (msg.type === 'ready') process.send?.({ url: server.url });
      else if (msg.type === 'cpu') process.send?.({ cpu: cpu() });
      else if (msg.type === 'write') {
        core.meter.recorder.add(meteredRequest(((msg as { i?: number }).i ?? 0) % ACCOUNTS, (msg as { i?: number }).i ?? 0));
        await core.meter.recorder.flush();
        // Let what the write set off (alerts, events) run before the scrape is timed.
        await new Promise((r) => setTimeout(r, 5));
        process.send?.({});
      }
      else if (msg.type === 'inner') {
        // The server's own exposition, as it builds it, without HTTP; the write before a scrape is not timed.
        const written = (msg as { written?: boolean }).written === true;
        const exposition = new MetricsExposition({ source: core.metricsTotals, scrub: (v) => core.redactor.text(v), scrubGeneration: () => core.redactor.generation });
        const n = written ? Math.min(SCRAPES, 100) : SCRAPES;
        const times: number[] = [];
        let spent = 0;
        for (let i = 0; i < n; i++) {
          if (written) {
            core.meter.recorder.add(meteredRequest(i % ACCOUNTS, i));
            await core.meter.recorder.flush();
            // What the write set off (alerts, events) runs before the timing, as in the HTTP case.
            await new Promise((r) => setTimeout(r, 5));
          }
          const c0 = cpu();
          const t = performance.now();
          const [accounts, statuses] = await Promise.all([core.api.listAccounts(), core.api.getStatus()]);
          exposition.render({ accounts, statuses, pollErrors: new Map() }).gzipped();
          times.push(performance.now() - t);
          spent += cpu() - c0;
        }
        process.send?.({ ...stats(times), cpu: spent / 1000 / n, n });
      } else if (msg.type === 'stop') {
        await server.close();
        await core.stop();
        await or.close();
        process.send?.({}, () => process.exit(0));
      }
    })();
  });
}

const serveAt = args.indexOf('--serve');
if (serveAt >= 0) await serve(args[serveAt + 1] as string);
else await main();
