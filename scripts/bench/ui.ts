// Dashboard benchmark: first paint of the Usage view with a year of data, in Debian's headless Chromium against
// the real `spendbar serve`. Prints figures; asserts nothing.
//   node scripts/bench/ui.ts [--runs N] [--accounts N] [--models N] [--days N]
// "First paint" = from navigation start to the first animation frame after the trend chart holds its series
// (the page's own performance.now(), so browser start-up is not counted).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Snapshot, UsageBucket } from '../../shared/domain.ts';
import { SnapshotStore } from '../../electron/core/store/index.ts';
import { startDeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';

const ROOT = resolve(import.meta.dirname, '../..');
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

export async function runUiBench(opts: { runs?: number; accounts?: number; models?: number; days?: number } = {}): Promise<UiBenchResult> {
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
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${serve.url}/?view=usage`);
      await page.waitForFunction(() => {
        const el = document.querySelector('[data-testid="trend-chart"]');
        const series = el?.getAttribute('data-series');
        // The series are known before the lazily loaded chart draws them: wait for the canvas too.
        return series !== null && series !== undefined && series !== '[]' && el?.querySelector('canvas') !== null;
      }, undefined, { timeout: 30_000 });
      const ms = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
      // The first load warms the server's statement cache and the disk: measure the runs after it.
      if (i > 0) samples.push(ms);
      await context.close();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return { runs, usageRows, firstPaintP50Ms: pick(0.5), firstPaintP95Ms: pick(0.95), samples };
  } finally {
    await browser.close();
    serve?.child.kill('SIGTERM');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const r = await runUiBench({ runs: arg('runs', 7), accounts: arg('accounts', 5), models: arg('models', 10), days: arg('days', 365) });
  console.log(`Usage view first paint (headless Chromium, ${r.usageRows.toLocaleString('en-US')} hourly usage rows = a year × 5 accounts × 10 models):`);
  console.log(`  p50 ${r.firstPaintP50Ms.toFixed(0)} ms, p95 ${r.firstPaintP95Ms.toFixed(0)} ms over ${r.runs} loads (samples: ${r.samples.map((s) => s.toFixed(0)).join(', ')})`);
}
