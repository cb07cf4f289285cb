// Store benchmark: ingest a year of 5-minute polls for 20 accounts × 10 models, then time the dashboard's two
// heaviest everyday queries. Prints figures; asserts nothing.
//   node scripts/bench/store.ts [--days N] [--accounts N] [--models N] [--runs N] [--tz Zone] [--keep] [--in-process]
// The workload runs in a child Node process whose V8 young generation is capped (--max-semi-space-size=8): under
// bulk-ingest allocation rates V8 otherwise grows it to ~64 MB of mostly garbage, which would dominate peak RSS
// without saying anything about the store. --in-process measures in the current process, uncapped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SeriesQuery, Snapshot, UsageBucket } from '../../shared/domain.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface StoreBenchOptions {
  days?: number;
  accounts?: number;
  models?: number;
  runs?: number;
  timeZone?: string;
  /** Keep the database file (its path is in the result). */
  keep?: boolean;
  /** Measure in this process (V8 defaults) instead of a child with a capped young generation. */
  inProcess?: boolean;
  log?: (line: string) => void;
}

const SEMI_SPACE_MB = 8;

export interface QueryTiming {
  name: string;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  /** CPU time (user + system) of the median run: the host may be shared. */
  cpuP50Ms: number;
  points: number;
}

export interface StoreBenchResult {
  days: number;
  accounts: number;
  models: number;
  snapshots: number;
  usageUpserts: number;
  /** A row = one snapshot row inserted or one usage bucket upserted (each upsert also maintains the roll-ups). */
  rows: number;
  ingestSeconds: number;
  /** CPU time (user + system) of the ingest: the machine may be shared, wall time alone can mislead. */
  ingestCpuSeconds: number;
  rowsPerSecond: number;
  rowsPerCpuSecond: number;
  snapshotsPerSecond: number;
  /** Distinct usage buckets among the upserts (a batch writes each bucket once, with its last revision). */
  distinctBuckets: number;
  dbBytes: number;
  /** dbBytes per account and year of history. */
  dbBytesPerAccountYear: number;
  /** Bytes in use after applyRetention (raw snapshots thinned to one per hour beyond 90 days), as the app runs it. */
  retainedBytes: number;
  retainedBytesPerAccountYear: number;
  retentionSeconds: number;
  /** A second run a day later (the app runs retention daily): only what became old since is read. */
  nextRetentionMs: number;
  /** os.loadavg() before the ingest and after the queries. */
  loadBefore: number[];
  loadAfter: number[];
  dbPath: string;
  queries: QueryTiming[];
  /** process.resourceUsage().maxRSS of the process that ran the workload (ingest and queries), in MiB. */
  peakRssMb: number;
  /** The same after the retention run (its window query sorts every old snapshot in memory). */
  retentionPeakRssMb: number;
  /** The --max-semi-space-size the workload ran with, or null for V8's default. */
  semiSpaceMb: number | null;
}

function snapshot(account: number, models: number, t: number, hourStart: number, tick: number): Snapshot {
  const accountId = `acct-${String(account).padStart(2, '0')}`;
  const usage: UsageBucket[] = [];
  for (let m = 0; m < models; m++) {
    // Cumulative within the hour: every poll revises the current hour's bucket upwards.
    const requests = (tick + 1) * (m + 1 + account);
    usage.push({
      start: hourStart,
      width: 'hour',
      model: `model-${m}`,
      key: '',
      requests,
      inputTokens: requests * 900,
      outputTokens: requests * 300,
      cachedTokens: requests * 100,
      reasoningTokens: 0,
      cost: { micros: requests * 1_500, currency: m % 4 === 3 ? 'CNY' : 'USD' },
    });
  }
  const balance = { micros: 1_000_000_000 - Math.floor(t / 60_000) % 1_000_000, currency: 'USD' };
  return {
    accountId,
    provider: 'openrouter',
    time: t,
    ok: true,
    error: null,
    balance,
    balances: [balance],
    spent: {},
    quota: null,
    usage,
    estimated: false,
    notes: [],
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
}

function timeQuery(store: SnapshotStore, name: string, q: SeriesQuery, runs: number): QueryTiming {
  const times: number[] = [];
  const cpu: number[] = [];
  let points = 0;
  for (let i = 0; i < runs + 3; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = store.series(q);
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i >= 3) {
      // the first runs prepare statements
      times.push(dt);
      cpu.push((c.user + c.system) / 1000);
    }
    points = r.series.reduce((n, s) => n + s.points.length, 0);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { name, runs, p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95), cpuP50Ms: percentile(cpu, 0.5), points };
}

/** Runs the workload in the current process. */
export function measureStore(opts: StoreBenchOptions = {}): StoreBenchResult {
  const days = opts.days ?? 365;
  const accounts = opts.accounts ?? 20;
  const models = opts.models ?? 10;
  const runs = Math.max(50, opts.runs ?? 100);
  const timeZone = opts.timeZone ?? 'UTC';
  const log = opts.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spendbar-bench-'));
  const dbPath = path.join(dir, 'spendbar.db');
  const store = SnapshotStore.open(dbPath, { timeZone });
  const begin = Date.UTC(2025, 0, 1);
  const end = begin + days * DAY;

  const loadBefore = os.loadavg();
  let snapshots = 0;
  let usageUpserts = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let hour = begin; hour < end; hour += HOUR) {
    const batch: Snapshot[] = [];
    for (let tick = 0; tick < 12; tick++) {
      const t = hour + tick * 5 * MINUTE;
      for (let a = 0; a < accounts; a++) batch.push(snapshot(a, models, t, hour, tick));
    }
    store.saveSnapshots(batch);
    snapshots += batch.length;
    usageUpserts += batch.length * models;
    if ((hour - begin) % (30 * DAY) === 0 && hour > begin) log(`  … ${Math.round((hour - begin) / DAY)} days ingested`);
  }
  const ingestSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const ingestCpuSeconds = (cpu.user + cpu.system) / 1e6;
  store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');

  const last = end - 5 * MINUTE + 1;
  const queries = [
    timeQuery(store, '90-day daily cost per model', { metric: 'cost', bucket: 'day', groupBy: 'model', from: last - 90 * DAY, to: last, timeZone }, runs),
    timeQuery(store, '90-day daily tokens per model', { metric: 'totalTokens', bucket: 'day', groupBy: 'model', from: last - 90 * DAY, to: last, timeZone }, runs),
    timeQuery(store, '1-day hourly cost per model', { metric: 'cost', bucket: 'hour', groupBy: 'model', from: last - DAY, to: last, timeZone }, runs),
    timeQuery(store, '90-day daily balance per account', { metric: 'balance', bucket: 'day', groupBy: 'account', from: last - 90 * DAY, to: last, timeZone }, runs),
  ];
  const loadAfter = os.loadavg();
  const dbBytes = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('spendbar.db'))
    .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  // What a year costs as the app keeps it: raw polls thinned to one per account and hour beyond 90 days.
  const r0 = performance.now();
  store.applyRetention(end, { rawDays: 90 });
  const retentionSeconds = (performance.now() - r0) / 1000;
  // The app's next daily run thins only the day that became old since.
  const n0 = performance.now();
  store.applyRetention(end + DAY, { rawDays: 90 });
  const nextRetentionMs = performance.now() - n0;
  store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const pragma = (name: string) => Number(Object.values(store.db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>)[0]);
  const retainedBytes = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
  store.close();
  const accountYears = (accounts * days) / 365;
  if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  const rows = snapshots + usageUpserts;
  return {
    days,
    accounts,
    models,
    snapshots,
    usageUpserts,
    rows,
    ingestSeconds,
    ingestCpuSeconds,
    rowsPerSecond: rows / ingestSeconds,
    rowsPerCpuSecond: rows / ingestCpuSeconds,
    snapshotsPerSecond: snapshots / ingestSeconds,
    distinctBuckets: accounts * models * Math.ceil((end - begin) / HOUR),
    dbBytes,
    dbBytesPerAccountYear: dbBytes / accountYears,
    retainedBytes,
    retainedBytesPerAccountYear: retainedBytes / accountYears,
    retentionSeconds,
    nextRetentionMs,
    loadBefore,
    loadAfter,
    dbPath,
    queries,
    peakRssMb,
    retentionPeakRssMb: process.resourceUsage().maxRSS / 1024,
    semiSpaceMb: process.execArgv.includes(`--max-semi-space-size=${SEMI_SPACE_MB}`) ? SEMI_SPACE_MB : null,
  };
}

const CHILD_FLAG = '--bench-child';

/** Runs the benchmark (in a child process unless opts.inProcess) and resolves with its figures. */
export async function runStoreBench(opts: StoreBenchOptions = {}): Promise<StoreBenchResult> {
  if (opts.inProcess) return measureStore(opts);
  const { log, ...childOpts } = opts;
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [`--max-semi-space-size=${SEMI_SPACE_MB}`, self, CHILD_FLAG, JSON.stringify(childOpts)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (const line of d.toString().split('\n')) if (line.startsWith('  …')) log?.(line);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`store bench child failed (exit ${code}): ${err.slice(-2000)}`);
  return JSON.parse(out) as StoreBenchResult;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;

if (isMain && process.argv[2] === CHILD_FLAG) {
  const opts = JSON.parse(process.argv[3] ?? '{}') as StoreBenchOptions;
  process.stdout.write(JSON.stringify(measureStore({ ...opts, log: (line) => process.stderr.write(`${line}\n`) })));
} else if (isMain) {
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  const r = await runStoreBench({
    days: num('days'),
    accounts: num('accounts'),
    models: num('models'),
    runs: num('runs'),
    timeZone: arg('tz'),
    keep: process.argv.includes('--keep'),
    inProcess: process.argv.includes('--in-process'),
    log: (line) => console.log(line),
  });
  const f = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d });
  console.log(`store bench: ${r.days} days × ${r.accounts} accounts × ${r.models} models, 5-minute polls`);
  console.log(`  ingest: ${f(r.snapshots, 0)} snapshots + ${f(r.usageUpserts, 0)} usage upserts = ${f(r.rows, 0)} rows in ${f(r.ingestSeconds, 2)} s (${f(r.ingestCpuSeconds, 2)} s CPU)`);
  console.log(`          ${f(r.rowsPerSecond, 0)} rows/s (a row = one snapshot insert or one usage-bucket upsert incl. roll-up upkeep); ${f(r.rowsPerCpuSecond, 0)} rows per CPU-second; ${f(r.snapshotsPerSecond, 0)} snapshots/s`);
  console.log(`          the ${f(r.usageUpserts, 0)} upserts revise ${f(r.distinctBuckets, 0)} distinct buckets (12 polls per hour); a batch writes each bucket once, with its last revision`);
  const mb = (n: number) => `${f(n / 1024 / 1024)} MB`;
  console.log(`  db size: ${mb(r.dbBytes)} = ${mb(r.dbBytesPerAccountYear)} per account-year${r.dbPath && process.argv.includes('--keep') ? ` (${r.dbPath})` : ''}`);
  console.log(`           ${mb(r.retainedBytes)} in use after retention (raw polls beyond 90 days thinned to one per hour, ${f(r.retentionSeconds, 1)} s; the next day's run ${f(r.nextRetentionMs, 0)} ms) = ${mb(r.retainedBytesPerAccountYear)} per account-year`);
  for (const q of r.queries) console.log(`  ${q.name}: p50 ${f(q.p50Ms, 2)} ms (CPU ${f(q.cpuP50Ms, 2)} ms), p95 ${f(q.p95Ms, 2)} ms over ${q.runs} runs (${q.points} points)`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`  load average: ${load(r.loadBefore)} before the ingest, ${load(r.loadAfter)} after the queries (${os.cpus().length} cores)`);
  const heap = r.semiSpaceMb === null ? 'V8 defaults' : `child process, --max-semi-space-size=${r.semiSpaceMb}`;
  console.log(`  peak RSS: ${f(r.peakRssMb)} MiB (${heap}); ${f(r.retentionPeakRssMb)} MiB once retention ran`);
}
