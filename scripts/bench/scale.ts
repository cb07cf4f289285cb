// Scale benchmark: a thousand accounts (a quarter each of New API, OpenRouter, DeepSeek and SurferCloud) against
// the loopback fakes, run through the real `spendbar` command. Prints figures; asserts nothing.
//   node scripts/bench/scale.ts [--accounts 1000] [--refreshes 20] [--root DIR] [--fakes-only CONFIG]
// - `poll --once` wall time (the whole command: start, every poll, store, alerts, output), fresh and warm database.
// - `spendbar serve`: how long POST /api/refresh takes to answer, while the polls it started run and when idle;
//   GET /api/status at that size; event-stream bytes per finished poll.
// The fakes run in this process and the command in its own, so the figures are the command's.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleet } from './fleet.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const ACCOUNTS = Number(arg('accounts', '1000'));
const REFRESHES = Number(arg('refreshes', '20'));
const ROOT = path.resolve(arg('root', path.join(here, '..', '..')));
const FAKES_ONLY = arg('fakes-only', '');
const BIN = path.join(ROOT, 'bin', 'spendbar.js');


async function main(): Promise<void> {
  const quarter = Math.ceil(ACCOUNTS / 4);
  const fleet = await startFleet({ perKind: quarter, total: ACCOUNTS, routerModels: ['openai/gpt-4.1', 'anthropic/claude-sonnet-4', 'google/gemini-2.5-pro'] });
  const accounts = fleet.accounts;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spendbar-scale-'));
  const config = FAKES_ONLY || path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ accounts }));
  fs.chmodSync(config, 0o600);
  if (FAKES_ONLY) {
    // For profiling by hand: the fakes keep answering; the config names them. Stop with Ctrl-C.
    console.log(`fakes ready; config at ${config}`);
    return;
  }
  const dataDir = path.join(dir, 'data');
  console.log(`${ACCOUNTS} accounts (${quarter} each of newapi, openrouter, deepseek, surfercloud), default concurrency`);

  for (const label of ['fresh database', 'warm database']) {
    const started = performance.now();
    const r = await runCommand(['poll', '--once', '--json', '--config', config, '--data-dir', dataDir]);
    const seconds = (performance.now() - started) / 1000;
    let ok = 0;
    try {
      ok = (JSON.parse(r.stdout) as { ok: boolean }[]).filter((x) => x.ok).length;
    } catch {
      /* counted as 0 */
    }
    console.log(`poll --once, ${label}: ${seconds.toFixed(2)} s wall (${ok}/${ACCOUNTS} ok, exit ${r.code})  target ≤ 5 s`);
    if (ok !== ACCOUNTS) console.log(`  stderr: ${r.stderr.slice(-500)}`);
  }
  console.log(`provider requests for both runs: ${fleet.requests()}`);

  await serveFigures(config, dataDir);
  await fleet.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

function runCommand(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPENDBAR_DATA_DIR: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function call(base: string, method: string, route: string, body?: unknown): Promise<{ ms: number; bytes: number; json: unknown }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(base + route, { method, headers: method === 'GET' ? {} : { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ ms: performance.now() - started, bytes: text.length, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

async function serveFigures(config: string, dataDir: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', config, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPENDBAR_DATA_DIR: '' } });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.on('close', (code) => reject(new Error(`serve exited (${code})`)));
  });
  try {
    // Event-stream bytes while everything is polled once.
    let eventBytes = 0;
    let finished = 0;
    const events = request(`${base}/api/events`, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        eventBytes += c.length;
        buf += c.toString();
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.startsWith('data: {"type":"snapshot"')) finished++;
        }
      });
    });
    events.end();
    await waitUntilIdle(base);
    const busy: number[] = [];
    const idle: number[] = [];
    eventBytes = 0;
    finished = 0;
    const cycleStart = performance.now();
    const first = await call(base, 'POST', '/api/refresh', {});
    busy.push(first.ms);
    // Refreshes while the thousand polls it started are running: each answers without waiting for them.
    for (let i = 1; i < REFRESHES; i++) busy.push((await call(base, 'POST', '/api/refresh', {})).ms);
    await waitUntilIdle(base);
    const cycleSeconds = (performance.now() - cycleStart) / 1000;
    const perPoll = finished > 0 ? eventBytes / finished : NaN;
    for (let i = 0; i < REFRESHES; i++) {
      idle.push((await call(base, 'POST', '/api/refresh', { accountId: 'ds-0' })).ms);
    }
    const status: number[] = [];
    let statusBytes = 0;
    for (let i = 0; i < 10; i++) {
      const r = await call(base, 'GET', '/api/status');
      status.push(r.ms);
      statusBytes = r.bytes;
    }
    events.destroy();
    console.log(`serve: POST /api/refresh (all ${ACCOUNTS}) answers in p50 ${p(busy, 0.5).toFixed(1)} ms, max ${Math.max(...busy).toFixed(1)} ms while its polls run  target ≤ 100 ms`);
    console.log(`serve: a full refresh of ${ACCOUNTS} accounts finished in ${cycleSeconds.toFixed(2)} s`);
    console.log(`serve: POST /api/refresh {accountId} (one poll, answered when done) p50 ${p(idle, 0.5).toFixed(1)} ms, max ${Math.max(...idle).toFixed(1)} ms`);
    console.log(`serve: GET /api/status at ${ACCOUNTS} accounts p50 ${p(status, 0.5).toFixed(1)} ms (${(statusBytes / 1024).toFixed(0)} KiB)`);
    console.log(`serve: event stream ${(perPoll / 1024).toFixed(1)} KiB per finished poll (${finished} polls, ${(eventBytes / 1024 / 1024).toFixed(1)} MiB)`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
}

async function waitUntilIdle(base: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const r = await call(base, 'GET', '/api/status');
    const list = r.json as { polling: boolean; latest: unknown }[];
    if (list.length === ACCOUNTS && list.every((s) => !s.polling && s.latest)) return;
    if (Date.now() > deadline) throw new Error('serve never finished polling');
    await new Promise((res) => setTimeout(res, 250));
  }
}

if (spawnSync(process.execPath, [BIN, '--version']).status !== 0) {
  console.log(`cannot run ${BIN}`);
  process.exit(1);
}
await main();
