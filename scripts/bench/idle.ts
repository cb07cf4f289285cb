// Idle benchmark: what `spendbar serve` costs while it waits between polls. Twenty accounts (five each of New API,
// OpenRouter, DeepSeek and SurferCloud) against the loopback fakes in this process, a year of hourly history for
// them written into a temp data dir first, then the real `spendbar` command (the headless bundle, as users run it).
// Once every account has been polled the process is left alone; this process reads its RSS and CPU time from
// /proc (which does not wake it) over the window. Prints figures; asserts nothing. Linux only.
//   node scripts/bench/idle.ts [--window-s 600] [--days 365] [--interval-s 3600] [--settle-s 30] [--quick] [--warm]
//     [--tz ZONE]
// --interval-s: the accounts' poll interval. The default (an hour) keeps polls out of the window, which is what
// "idle between polls" means; pass 300 (Spendbar's default) to see the window with two rounds of polls in it.
// --warm: measure the second start on the database (the first makes the /metrics counter tables from all of it).
// --quick: a 60-second window after 30 days of history. --history FILE keeps the generated database there for the
// next run (its daily roll-up is keyed in the zone it was written in). --tz ZONE: the machine's time zone as serve
// sees it ($TZ for the child; the history's roll-up is written in that zone too, so serve does not rebuild it at start);
// without it serve inherits this process's environment. By hand: IDLE_BENCH_HOLD=S keeps the process S seconds after
// the window (strace, smaps), and IDLE_BENCH_STDERR=1 prints what it wrote to stderr.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Snapshot, UsageBucket } from '../../shared/domain.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';
import { startFleet, type FleetAccount } from './fleet.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
const WINDOW_S = arg('window-s', quick ? 60 : 600);
const DAYS = arg('days', quick ? 30 : 365);
const INTERVAL_S = arg('interval-s', 3600);
const SETTLE_S = arg('settle-s', quick ? 15 : 30);
const WARM = args.includes('--warm');
const TZ = args.includes('--tz') ? (args[args.indexOf('--tz') + 1] ?? '') : undefined;
const PER_KIND = 5;
const MODELS = 10;
const ROOT = path.join(here, '..', '..');
const BIN = path.join(ROOT, 'bin', 'spendbar.js');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CLK_TCK = 100; // USER_HZ on Linux

type Account = FleetAccount;

/** A year (or --days) of hourly snapshots per account, written through the store as polls would have been. */
function writeHistory(dbPath: string, accounts: Account[]): { snapshots: number; bytes: number } {
  const store = SnapshotStore.open(dbPath, { timeZone: TZ || 'UTC' });
  const end = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  const begin = end - DAYS * DAY;
  let snapshots = 0;
  for (let day = begin; day < end; day += DAY) {
    const batch: Snapshot[] = [];
    for (let t = day; t < Math.min(end, day + DAY); t += HOUR) {
      for (const [a, account] of accounts.entries()) {
        const usage: UsageBucket[] = [];
        for (let m = 0; m < MODELS; m++) {
          const requests = 1 + ((a + m + t / HOUR) % 7);
          const currency = account.provider === 'deepseek' ? 'CNY' : 'USD';
          usage.push({ start: t, width: 'hour', model: `model-${m}`, key: '', requests, inputTokens: requests * 900, outputTokens: requests * 300, cachedTokens: 0, reasoningTokens: 0, cost: { micros: requests * 1_500, currency } });
        }
        const balance = { micros: 1_000_000_000 - Math.floor((t - begin) / HOUR) * 100, currency: account.provider === 'deepseek' ? 'CNY' : 'USD' };
        batch.push({ accountId: account.id, provider: account.provider, time: t, ok: true, error: null, balance, balances: [balance], spent: {}, quota: null, usage, estimated: false, notes: [] } as Snapshot);
      }
    }
    store.saveSnapshots(batch);
    snapshots += batch.length;
  }
  store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  store.close();
  const dir = path.dirname(dbPath);
  const bytes = fs.readdirSync(dir).filter((f) => f.startsWith('spendbar.db')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  return { snapshots, bytes };
}

function get(base: string, route: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(base + route, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
    })
      .on('error', reject)
      .end();
  });
}

/** utime + stime of a process, in seconds, and its resident set, from /proc. */
function sample(pid: number): { cpuS: number; rssKb: number; hwmKb: number; anonKb: number; fileKb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuS, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), anonKb: kb('RssAnon'), fileKb: kb('RssFile') };
}

/** The pid that runs the core: bin/spendbar.js may have handed over to a child (old Node), else itself. */
function servePid(pid: number): number {
  try {
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.length === 1 && kids[0] ? servePid(kids[0]) : pid;
  } catch {
    return pid;
  }
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') {
    console.log('idle bench skipped: reads RSS and CPU time from /proc (Linux only)');
    return;
  }
  const pollIntervalSec = INTERVAL_S;
  const fleet = await startFleet({ perKind: PER_KIND, routerModels: ['openai/gpt-4.1', 'anthropic/claude-sonnet-4'], pollIntervalSec });
  const accounts = fleet.accounts;
  const requests = () => fleet.requests();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spendbar-idle-'));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ accounts }), { mode: 0o600 });
  const t0 = performance.now();
  // --history FILE: reuse a database an earlier run left there (same accounts, same days), else write it there too.
  const cached = args.includes('--history') ? path.resolve(args[args.indexOf('--history') + 1] ?? '') : '';
  const dbPath = path.join(dataDir, 'spendbar.db');
  let history: { snapshots: number; bytes: number };
  if (cached && fs.existsSync(cached)) {
    fs.copyFileSync(cached, dbPath);
    history = { snapshots: DAYS * 24 * accounts.length, bytes: fs.statSync(dbPath).size };
  } else {
    history = writeHistory(dbPath, accounts);
    if (cached) fs.copyFileSync(dbPath, cached);
  }
  console.log(
    `${accounts.length} accounts, ${DAYS} days of hourly history × ${MODELS} models written in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
      `(${history.snapshots.toLocaleString('en-US')} snapshots, ${(history.bytes / 2 ** 20).toFixed(0)} MiB database); poll interval ${pollIntervalSec} s; ` +
      `time zone ${TZ !== undefined ? `${TZ || 'UTC'} (--tz)` : `$TZ ${process.env.TZ ?? 'unset'} (this environment's)`}`,
  );

  const startServe = async () => {
    const spawnedAt = Date.now();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', config, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPENDBAR_DATA_DIR: '', ...(TZ !== undefined && { TZ }) } });
    const out = { child, stderr: '', started: performance.now(), base: '', pid: 0, ok: 0 };
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    out.base = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /serving on (http:\/\/\S+)/.exec(text);
        if (m) resolve(m[1] as string);
      });
      child.on('close', (code) => reject(new Error(`serve exited (${code}): ${out.stderr.slice(-1000)}`)));
    });
    out.pid = servePid(child.pid as number);
    const deadline = Date.now() + 120_000;
    for (;;) {
      // The stored history already gives every account a latest snapshot: wait for the ones this process polled.
      const list = (await get(out.base, '/api/status')) as { polling: boolean; latest: { ok: boolean; time: number } | null }[];
      const polled = list.filter((s) => !s.polling && s.latest && s.latest.time >= spawnedAt);
      out.ok = polled.filter((s) => s.latest?.ok).length;
      if (list.length === accounts.length && polled.length === accounts.length) break;
      if (Date.now() > deadline) throw new Error('serve never finished its first polls');
      await new Promise((r) => setTimeout(r, 500));
    }
    return out;
  };
  const stopServe = async (child: ReturnType<typeof spawn>) => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('close', r)));
  };
  if (WARM) {
    // --warm: a first start (it makes the /metrics counter tables from the whole history and catches retention up),
    // stopped once polled; the measured start is the second, as after any restart.
    const first = await startServe();
    console.log(`warm-up start: first polls done ${((performance.now() - first.started) / 1000).toFixed(1)} s after start; RSS ${(sample(first.pid).rssKb / 1024).toFixed(1)} MiB`);
    await stopServe(first.child);
  }
  const served = await startServe();
  const { child, started, pid, ok } = served;
  try {
    const afterPolls = sample(pid);
    console.log(`first polls done ${((performance.now() - started) / 1000).toFixed(1)} s after start (${ok}/${accounts.length} ok); RSS ${(afterPolls.rssKb / 1024).toFixed(1)} MiB, CPU so far ${afterPolls.cpuS.toFixed(2)} s`);
    // Nothing talks to it from here on: no dashboard, no event stream; this process only reads /proc.
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    const begin = sample(pid);
    const requestsBefore = requests();
    const wallBegin = performance.now();
    const rss: number[] = [];
    const every = Math.max(1, Math.min(10, WINDOW_S / 20)) * 1000;
    while (performance.now() - wallBegin < WINDOW_S * 1000) {
      await new Promise((r) => setTimeout(r, every));
      rss.push(sample(pid).rssKb);
    }
    const end = sample(pid);
    const wallS = (performance.now() - wallBegin) / 1000;
    const cpuS = end.cpuS - begin.cpuS;
    const mib = (kb: number) => (kb / 1024).toFixed(1);
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    console.log(`idle window: ${wallS.toFixed(0)} s after a ${SETTLE_S} s settle; provider requests in it: ${requests() - requestsBefore}`);
    console.log(`  CPU: ${(cpuS * 1000).toFixed(0)} ms in ${wallS.toFixed(0)} s = ${((cpuS / wallS) * 100).toFixed(3)} %  target ≤ 0.05 % (resolution ${(1000 / CLK_TCK).toFixed(0)} ms)`);
    console.log(`  RSS: ${mib(end.rssKb)} MiB at the end (min ${mib(Math.min(...rss))}, max ${mib(Math.max(...rss))} over the window; peak since start ${mib(end.hwmKb)} MiB)  target ≤ 60 MB`);
    console.log(`       of which anonymous (heaps, SQLite cache) ${mib(end.anonKb)} MiB, file-backed (the node binary, libraries) ${mib(end.fileKb)} MiB`);
    // The binary's pages are shared with every other Node process on the machine: PSS charges this one its share.
    const pss = Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
    console.log(`       PSS (shared pages split between the processes using them): ${mib(pss)} MiB`);
    if (process.env.IDLE_BENCH_STDERR) console.log(served.stderr);
    if (process.env.IDLE_BENCH_HOLD) {
      console.log(`holding pid ${pid}`);
      await new Promise((r) => setTimeout(r, Number(process.env.IDLE_BENCH_HOLD) * 1000));
    }
    console.log(`  load average at the end: ${load} (${os.cpus().length} cores)`);
  } finally {
    await stopServe(child);
    await fleet.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (spawnSync(process.execPath, [BIN, '--version']).status !== 0) {
  console.log(`cannot run ${BIN}`);
  process.exit(1);
}
await main();
