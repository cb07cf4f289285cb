// Dashboard benchmark: first paint of the Usage view with a year of data, in Debian's headless Chromium against
// the real `spendbar serve`. Prints figures; asserts nothing.
//   node scripts/bench/ui.ts [--runs N] [--accounts N] [--models N] [--days N] [--profile [--trace FILE]] [--baseline DIR]
// "First paint" = from navigation start to the first animation frame after the trend chart has drawn its series
// on its canvas (the page's own performance.now(), so browser start-up is not counted).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Snapshot, UsageBucket } from '../../shared/domain.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';
import { startDeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';

// `--baseline DIR`: serve another checkout's build (e.g. the commit before a change) with this same harness, to compare
// both on the same host in the same minutes. Its chart may not mark drawn canvases: then any canvas counts.
const BASELINE_AT = process.argv.indexOf('--baseline');
const ROOT = BASELINE_AT >= 0 ? resolve(process.argv[BASELINE_AT + 1]!) : resolve(import.meta.dirname, '../..');
const TRACE_AT = process.argv.indexOf('--trace');
const HOUR = 3_600_000;
const CHROMIUM = process.env.SPENDBAR_CHROMIUM ?? '/usr/bin/chromium';
const KEY = 'sk-bench-ui-key-0001';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export interface UiBenchResult {
  runs: number;
  usageRows: number;
  firstPaintP50Ms: number;
  firstPaintP95Ms: number;
  samples: number[];
  /** The same frame as seen from the page (no round trip to this harness), per load. */
  pageFrameSamples: number[];
  /** Median of each step of a load (ms from navigation start, or ms of CPU), to say where the time goes. */
  breakdown: Record<string, number>;
}

/** Where one load's time went: the page's own timings, the renderer's main-thread CPU, the server's CPU. */
interface LoadTimings {
  [step: string]: number;
}

// Resource timings of the page's API calls and scripts, by a short name; the slowest of each kind that matters.
function pageTimings(): Record<string, number> {
  const out: Record<string, number> = {};
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  if (nav) {
    out['html received'] = nav.responseEnd;
    out['DOMContentLoaded'] = nav.domContentLoadedEventEnd;
  }
  for (const e of performance.getEntriesByType('paint')) out[e.name] = e.startTime;
  // The page's own marks (performance.mark), if it sets any: the first of each name.
  for (const e of performance.getEntriesByType('mark')) out[`mark ${e.name}`] ??= e.startTime;
  for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    const path = new URL(e.name).pathname;
    const name = path.startsWith('/assets/') ? path.replace(/^\/assets\/([A-Za-z]+).*$/, 'script $1') : path;
    if (path.endsWith('.css')) continue;
    // The series route is asked more than once (trend, balance): keep the last answer, and its size.
    const key = out[`${name} done`] !== undefined && !path.startsWith('/assets/') ? `${name} #2` : name;
    out[`${key} done`] = e.responseEnd;
    if (!path.startsWith('/assets/')) {
      out[`${key} asked`] = e.startTime;
      out[`${key} kB`] = e.encodedBodySize / 1024;
    }
  }
  return out;
}

function cpuMsOf(pid: number): number {
  // utime + stime in clock ticks (100 per second on Linux).
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** `--profile`: the renderer main thread's time by kind of work (what each task spent its time on), up to the paint. */
function printTrace(trace: { traceEvents: TraceEvent[] }): void {
  const ev = trace.traceEvents;
  const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return;
  const mine = ev.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const byName = new Map<string, number>();
  // Each event's own time: its duration minus that of the events nested in it.
  const stack: { end: number; name: string; child: number }[] = [];
  const close = (until: number) => {
    while (stack.length && stack.at(-1)!.end <= until) {
      const top = stack.pop()!;
      byName.set(top.name, (byName.get(top.name) ?? 0) + top.child);
    }
  };
  for (const e of mine) {
    close(e.ts);
    const parent = stack.at(-1);
    if (parent) parent.child -= e.dur!;
    stack.push({ end: e.ts + e.dur!, name: e.name, child: e.dur! });
  }
  close(Infinity);
  const rows = [...byName].filter(([, us]) => us > 2000).sort((a, b) => b[1] - a[1]);
  console.log(`  main thread by kind of work (own time, ms):\n${rows.map(([n, us]) => `    ${(us / 1000).toFixed(1).padStart(7)}  ${n}`).join('\n')}`);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** `--profile`: the renderer's JavaScript by self time and by total time (sampled CPU profile of the last load). */
function printProfile(p: CpuProfile): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(name(id), (self.get(name(id)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = name(at);
      if (!seen.has(n)) total.set(n, (total.get(n) ?? 0) + dt);
      seen.add(n);
    }
  });
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, ms]) => `    ${ms.toFixed(1).padStart(7)} ms  ${n}`).join('\n');
  console.log(`  profile of the last load, self time:\n${top(self, 25)}\n  total time:\n${top(total, 40)}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** A year of hourly usage for each account and model, written straight into the store. */
function fillStore(dataDir: string, accounts: number, models: number, days: number, now: number): number {
  mkdirSync(dataDir, { recursive: true });
  const store = SnapshotStore.open(join(dataDir, 'spendbar.db'), { timeZone: 'UTC' });
  let rows = 0;
  const end = Math.floor(now / HOUR) * HOUR;
  const batch: Snapshot[] = [];
  for (let a = 0; a < accounts; a++) {
    for (let h = days * 24; h >= 1; h--) {
      const start = end - h * HOUR;
      const usage: UsageBucket[] = [];
      for (let m = 0; m < models; m++) {
        const n = 1 + ((h * 7 + m * 13 + a) % 40);
        usage.push({ start, width: 'hour', model: `model-${m}`, key: `key-${m % 3}`, requests: n, inputTokens: n * 900, outputTokens: n * 250, cachedTokens: n * 100, reasoningTokens: 0, cost: { micros: n * 1800, currency: 'USD' } });
      }
      rows += usage.length;
      const balance = { micros: 500_000_000 - h * 20_000, currency: 'USD' };
      batch.push({ accountId: `acc-${a}`, provider: 'deepseek', time: start + HOUR - 60_000, ok: true, error: null, balance, balances: [balance], spent: {}, quota: null, usage, estimated: false, notes: [] });
      if (batch.length >= 500) store.saveSnapshots(batch.splice(0));
    }
  }
  store.saveSnapshots(batch);
  store.close();
  return rows;
}

function startServe(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/spendbar.js'), 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BENCH_UI_KEY: KEY } });
  let out = '';
  return new Promise((resolveServe, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Spendbar is serving on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolveServe({ url, child });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`spendbar serve exited ${code}: ${out}`)));
  });
}

export async function runUiBench(opts: { runs?: number; accounts?: number; models?: number; days?: number; profile?: boolean } = {}): Promise<UiBenchResult> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  if (!existsSync(join(ROOT, 'dist/renderer/index.html'))) throw new Error('the dashboard is not built: run `npm run build` first');
  const runs = opts.runs ?? 7;
  const accounts = opts.accounts ?? 5;
  const dir = mkdtempSync(join(tmpdir(), 'spendbar-bench-ui-'));
  const fake = await startDeepSeekFake({ state: { keys: { [KEY]: { isAvailable: true, balances: [{ currency: 'USD', total: 480, granted: 0, toppedUp: 480 }] } } } });
  let serve: { url: string; child: ChildProcess } | undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const usageRows = fillStore(join(dir, 'data'), accounts, opts.models ?? 10, opts.days ?? 365, Date.now());
    const config = { accounts: Array.from({ length: accounts }, (_, a) => ({ id: `acc-${a}`, provider: 'deepseek', label: `Account ${a}`, baseUrl: fake.url, apiKeyEnv: 'BENCH_UI_KEY' })) };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config), { mode: 0o600 });
    serve = await startServe(['--config', join(dir, 'config.json'), '--data-dir', join(dir, 'data')]);
    const samples: number[] = [];
    const pageFrameSamples: number[] = [];
    const loads: LoadTimings[] = [];
    const anyCanvas = BASELINE_AT >= 0;
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const serverCpu0 = cpuMsOf(serve.child.pid!);
      const profile = opts.profile && i === runs;
      if (profile) {
        await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-devtools.timeline', 'blink.user_timing'] });
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      // Long main-thread tasks (≥ 50 ms) of the load, to see what holds the first frame back.
      await page.addInitScript(() => {
        const w = window as unknown as { longTasks: [number, number][] };
        w.longTasks = [];
        new PerformanceObserver((l) => l.getEntries().forEach((e) => w.longTasks.push([e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
      });
      // The first animation frame that shows a drawn trend chart, seen from the page itself: the headline figure adds
      // the round trips to this harness (waitForFunction's answer, then one more frame asked for by evaluate).
      await page.addInitScript(() => {
        const w = window as unknown as { chartFrame?: number };
        const look = () => {
          if (document.querySelector('[data-testid="trend-chart"] canvas[data-drawn]')) w.chartFrame = performance.now();
          else requestAnimationFrame(look);
        };
        requestAnimationFrame(look);
      });
      await page.goto(`${serve.url}/?view=usage`);
      await page.waitForFunction((anyCanvas) => {
        const el = document.querySelector('[data-testid="trend-chart"]');
        const series = el?.getAttribute('data-series');
        // The series are known before the lazily loaded chart draws them: wait for a canvas Chart.js has drawn on.
        return series !== null && series !== undefined && series !== '[]' && el?.querySelector(anyCanvas ? 'canvas' : 'canvas[data-drawn]') !== null;
      }, anyCanvas, { timeout: 30_000 });
      const ms = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
      const serverCpu = cpuMsOf(serve.child.pid!) - serverCpu0;
      if (profile) {
        const trace = (await browser.stopTracing()).toString();
        // `--trace FILE`: the last load's Chrome trace (for Perfetto) in FILE and its CPU profile in FILE.cpuprofile.
        if (TRACE_AT >= 0) writeFileSync(resolve(process.argv[TRACE_AT + 1]!), trace);
        printTrace(JSON.parse(trace) as { traceEvents: TraceEvent[] });
        const tasks = await page.evaluate(() => (window as unknown as { longTasks: [number, number][] }).longTasks);
        console.log(`  long tasks of the last load (start+duration ms): ${tasks.map(([t, d]) => `${t.toFixed(0)}+${d.toFixed(0)}`).join(', ')}`);
      }
      if (profile) {
        const { profile: cpu } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
        if (TRACE_AT >= 0) writeFileSync(resolve(`${process.argv[TRACE_AT + 1]!}.cpuprofile`), JSON.stringify(cpu));
        printProfile(cpu);
      }
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const metric = (n: string) => (metrics.find((m) => m.name === n)?.value ?? NaN) * 1000;
      // The first load warms the server's statement cache and the disk: measure the runs after it.
      if (i > 0) {
        const pageFrame = await page.evaluate(() => (window as unknown as { chartFrame?: number }).chartFrame ?? NaN);
        samples.push(ms);
        pageFrameSamples.push(pageFrame);
        loads.push({
          ...(await page.evaluate(pageTimings)),
          'first paint with the chart': ms,
          'frame with the chart, seen in the page': pageFrame,
          'renderer CPU: script ms': metric('ScriptDuration'),
          'renderer CPU: layout + style ms': metric('LayoutDuration') + metric('RecalcStyleDuration'),
          'renderer CPU: all tasks ms': metric('TaskDuration'),
          'server CPU ms': serverCpu,
        });
      }
      await context.close();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    const breakdown: Record<string, number> = {};
    for (const step of new Set(loads.flatMap((l) => Object.keys(l)))) breakdown[step] = median(loads.map((l) => l[step]).filter((v): v is number => v !== undefined));
    return { runs, usageRows, firstPaintP50Ms: pick(0.5), firstPaintP95Ms: pick(0.95), samples, pageFrameSamples, breakdown };
  } finally {
    await browser.close();
    serve?.child.kill('SIGTERM');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const r = await runUiBench({ runs: arg('runs', 7), accounts: arg('accounts', 5), models: arg('models', 10), days: arg('days', 365), profile: process.argv.includes('--profile') });
  console.log(`Usage view first paint (headless Chromium, ${r.usageRows.toLocaleString('en-US')} hourly usage rows = a year × 5 accounts × 10 models):`);
  console.log(`  p50 ${r.firstPaintP50Ms.toFixed(0)} ms, p95 ${r.firstPaintP95Ms.toFixed(0)} ms over ${r.runs} loads (samples: ${r.samples.map((s) => s.toFixed(0)).join(', ')})`);
  console.log(`  the frame seen in the page (without the harness's round trip): p50 ${median(r.pageFrameSamples).toFixed(0)} ms (samples: ${r.pageFrameSamples.map((s) => s.toFixed(0)).join(', ')})`);
  console.log(`  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  console.log('  where a load\'s time goes (medians; "done" = ms from navigation start):');
  const steps = Object.entries(r.breakdown).sort((a, b) => (a[0].endsWith('ms') || a[0].endsWith('kB') ? 1 : 0) - (b[0].endsWith('ms') || b[0].endsWith('kB') ? 1 : 0) || a[1] - b[1]);
  for (const [step, v] of steps) console.log(`    ${step.padEnd(36)} ${v.toFixed(step.endsWith('kB') ? 1 : 0)}`);
}
