// /metrics benchmark: 50 accounts × 20 models with a year of daily usage (and metered requests), served by a real
// core and server on loopback. Prints figures; asserts nothing.
//   node scripts/bench/metrics.ts [--accounts 50] [--models 20] [--days 365] [--scrapes 500]
// - the first scrape of a database that was never scraped (it makes and fills the counter tables from history)
// - GET /metrics over loopback: wall p50/p95 per scrape and CPU per scrape (client and server share this process,
//   so the CPU figure includes the client's fetch); and the server's own part (store read + text) without HTTP
// - what the counter triggers cost ingest: the same day-by-day writes into a store without and with them
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Snapshot, UsageBucket } from '../../shared/domain.ts';
import { blankSnapshot } from '../../electron/core/snapshots.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';
import { createCore } from '../../electron/core/engine.ts';
import { startServer } from '../../electron/core/server/http-server.ts';
import { renderMetrics } from '../../electron/core/server/metrics.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startOpenRouterFake } from '../../electron/core/providers/fakes/openrouter.ts';

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
  console.log(`  first scrape of a never-scraped database (makes and fills the counter tables): ${(performance.now() - b0).toFixed(0)} ms; ${totals.usage.length} usage and ${totals.cost.length} cost rows`);
  seed.close();

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
    for (let i = 0; i < 20; i++) {
      const model = models[i % 5] as string;
      core.meter.recorder.add({
        time: Date.now(), accountId: id(a), provider: 'openrouter', key: 'sk-…0001', app: 'bench', kind: 'service', modelRequested: model, endpoint: '/v1/chat/completions',
        stream: false, status: i % 7 === 0 ? 429 : 200, latencyMs: 5, ttfbMs: null, rateLimit: null, note: null,
        usage: { model, inputTokens: 100, outputTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, providerCost: 0.0001, estimated: false },
      });
    }
  }
  await core.meter.recorder.flush();
  const server = await startServer({ api: core.api, port: 0, redactor: core.redactor, metricsTotals: core.metricsTotals });

  let body = '';
  for (let i = 0; i < 20; i++) body = await (await fetch(server.url + '/metrics')).text();
  const lines = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
  console.log(`  exposition: ${(body.length / 1024).toFixed(0)} KiB, ${lines.toLocaleString('en')} samples`);

  const wall: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < SCRAPES; i++) {
    const t = performance.now();
    await (await fetch(server.url + '/metrics')).text();
    wall.push(performance.now() - t);
  }
  const c = process.cpuUsage(c0);
  const w = stats(wall);
  console.log(`  GET /metrics over loopback: p50 ${w.p50.toFixed(2)} ms, p95 ${w.p95.toFixed(2)} ms over ${SCRAPES} scrapes; CPU ${((c.user + c.system) / 1000 / SCRAPES).toFixed(2)} ms per scrape (client included)`);

  const [accounts, statuses] = await Promise.all([core.api.listAccounts(), core.api.getStatus()]);
  const inner: number[] = [];
  const i0 = process.cpuUsage();
  for (let i = 0; i < SCRAPES; i++) {
    const t = performance.now();
    renderMetrics({ accounts, statuses, totals: core.metricsTotals(), pollErrors: new Map() });
    inner.push(performance.now() - t);
  }
  const ic = process.cpuUsage(i0);
  const s = stats(inner);
  console.log(`  server part (one store read + the text): p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms; CPU ${((ic.user + ic.system) / 1000 / SCRAPES).toFixed(2)} ms per scrape`);
  console.log(`  target: /metrics ≤ 5 ms for 50 accounts × 20 models`);

  await server.close();
  await core.stop();
  await or.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
