// Memory under attack: the resident memory of a real `spendbar serve` before, during and after
//   1. event-stream clients that connect and stop reading, while every account is refreshed again and again, and
//   2. a provider that answers with an endless chunked reply (50 MB and 200 MB offered).
// Prints figures; asserts nothing (not a test: the numbers depend on the machine).
//   node scripts/bench/attacks.ts [--clients 100] [--accounts 100] [--refreshes 10] [--settle 10] [--root DIR]
// --root runs another checkout's `spendbar` (e.g. an older commit) against the same attacks, for comparison.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const CLIENTS = Number(arg('clients', '100'));
const ACCOUNTS = Number(arg('accounts', '100'));
const REFRESHES = Number(arg('refreshes', '10'));
const ROOT = path.resolve(arg('root', path.join(here, '..', '..')));
const BIN = path.join(ROOT, 'bin', 'spendbar.js');
const MB = 1024 * 1024;
/** How long to wait after an attack before reading RSS again (V8 gives memory back lazily). */
const SETTLE_S = Number(arg('settle', '10'));

const keyFor = (i: number) => `sk-attack-${(i + 1).toString(16).padStart(4, '0')}9f3c7a1e5b2d8f4a6c0e`;

/** Resident memory of a process, from /proc (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Samples RSS every 100 ms until stopped; returns the peak. */
function sampler(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const t = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      /* the process is gone */
    }
  }, 100);
  return {
    stop() {
      clearInterval(t);
      return peak;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startServe(config: string, dataDir: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', config, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SPENDBAR_DATA_DIR: '' },
  });
  child.stderr?.resume();
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.on('close', (code) => reject(new Error(`serve exited (${code})`)));
  });
  return { child, base };
}

function call(base: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(base + route, { method, headers: method === 'GET' ? {} : { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function idle(base: string, accounts: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const list = (await call(base, 'GET', '/api/status')).json as { polling: boolean; latest: unknown }[];
    if (Array.isArray(list) && list.length === accounts && list.every((s) => !s.polling && s.latest)) return;
    if (Date.now() > deadline) throw new Error('serve never finished polling');
    await sleep(100);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
}

async function stalledClients(): Promise<void> {
  const ds = await startDeepSeekFake({
    state: { keys: Object.fromEntries(Array.from({ length: ACCOUNTS }, (_, i) => [keyFor(i), { isAvailable: true, balances: [{ currency: 'USD', total: 10 + i, granted: 0, toppedUp: 10 + i }] }])) },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spendbar-attack-'));
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ accounts: Array.from({ length: ACCOUNTS }, (_, i) => ({ id: `a${i}`, provider: 'deepseek', label: `A${i}`, baseUrl: ds.url, apiKey: keyFor(i) })) }));
  fs.chmodSync(config, 0o600);
  const { child, base } = await startServe(config, path.join(dir, 'data'));
  const pid = child.pid as number;
  try {
    await idle(base, ACCOUNTS);
    await sleep(2_000);
    const baseline = rssMb(pid);
    // The same refreshes without the attack first: what the polls alone do to memory.
    const control = sampler(pid);
    for (let r = 0; r < REFRESHES; r++) {
      await call(base, 'POST', '/api/refresh', {});
      await idle(base, ACCOUNTS);
    }
    const controlPeak = control.stop();
    await sleep(2_000);
    const beforeAttack = rssMb(pid);
    const port = Number(new URL(base).port);
    const sockets: Socket[] = [];
    const answers = { ok: 0, refused: 0 };
    for (let i = 0; i < CLIENTS; i++) {
      const s = connect(port, '127.0.0.1');
      sockets.push(s);
      s.on('error', () => undefined);
      const line = await new Promise<string>((resolve) => {
        s.once('data', (d: Buffer) => resolve(d.toString().split('\r\n')[0] ?? ''));
        s.once('close', () => resolve('closed'));
        s.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      });
      if (line.includes(' 200 ')) answers.ok++;
      else answers.refused++;
      // From here on this client reads nothing, like a suspended tab or a hostile page.
      s.pause();
    }
    const peak = sampler(pid);
    const started = performance.now();
    for (let r = 0; r < REFRESHES; r++) {
      await call(base, 'POST', '/api/refresh', {});
      await idle(base, ACCOUNTS);
    }
    const seconds = (performance.now() - started) / 1000;
    const duringPeak = peak.stop();
    const withClients = rssMb(pid);
    for (const s of sockets) s.destroy();
    await sleep(SETTLE_S * 1000);
    const after = rssMb(pid);
    console.log(
      `stalled event-stream clients: ${CLIENTS} connected (${answers.ok} accepted, ${answers.refused} refused), ${REFRESHES} refreshes of ${ACCOUNTS} accounts in ${seconds.toFixed(1)} s`,
    );
    console.log(`  RSS at start ${baseline.toFixed(0)} MB; the refreshes alone: peak ${controlPeak.toFixed(0)} MB, then ${beforeAttack.toFixed(0)} MB`);
    console.log(`  under attack: peak ${duringPeak.toFixed(0)} MB, after (clients still connected) ${withClients.toFixed(0)} MB, ${SETTLE_S} s after they left ${after.toFixed(0)} MB`);
  } finally {
    await stop(child);
    await ds.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function flood(): Promise<void> {
  let offer = 0;
  const sent = { bytes: 0 };
  const hostile: Server = createServer((req, res: ServerResponse) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"is_available": true, "balance_infos": [');
    const chunk = Buffer.from(`${'{"currency":"USD","total_balance":"1.00"},'.repeat(1500)}`);
    sent.bytes = 0;
    const pump = () => {
      while (sent.bytes < offer) {
        sent.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end(']}');
    };
    res.on('error', () => undefined);
    res.on('close', () => undefined);
    pump();
  });
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spendbar-flood-'));
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ accounts: [{ id: 'flood', provider: 'deepseek', label: 'Hostile', baseUrl: url, apiKey: keyFor(0) }] }));
  fs.chmodSync(config, 0o600);
  offer = 0;
  const { child, base } = await startServe(config, path.join(dir, 'data'));
  const pid = child.pid as number;
  try {
    await idle(base, 1);
    await sleep(2_000);
    for (const size of [50, 200]) {
      offer = size * MB;
      const before = rssMb(pid);
      const peak = sampler(pid);
      const started = performance.now();
      const r = await call(base, 'POST', '/api/refresh', { accountId: 'flood' });
      const seconds = (performance.now() - started) / 1000;
      const during = peak.stop();
      await sleep(SETTLE_S * 1000);
      const after = rssMb(pid);
      const error = ((r.json as { latest?: { error?: { message?: string } } }[])[0]?.latest?.error?.message ?? '').slice(0, 160);
      console.log(`chunked provider reply, ${size} MB offered: ${(sent.bytes / MB).toFixed(1)} MB left the provider (socket buffers included) before Spendbar hung up, after ${seconds.toFixed(1)} s`);
      console.log(`  RSS before ${before.toFixed(0)} MB, peak ${during.toFixed(0)} MB, ${SETTLE_S} s after ${after.toFixed(0)} MB`);
      console.log(`  the account says: ${error}`);
    }
  } finally {
    await stop(child);
    await new Promise((r) => hostile.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.platform !== 'linux') {
  console.log('skipped: RSS is read from /proc (Linux only)');
} else {
  console.log(`spendbar at ${ROOT}`);
  await stalledClients();
  await flood();
}
