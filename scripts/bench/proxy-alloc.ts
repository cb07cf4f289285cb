// Where the metering proxy allocates per request, by hand (not part of `npm run bench`): the proxy child of the proxy
// bench under `spendbar serve`'s flags, N non-streaming (or --stream) requests through it at a fixed rate, with V8's
// sampling heap profiler on (garbage included). Prints the bytes allocated per request by the functions that
// allocate most (self), and in all.   node scripts/bench/proxy-alloc.ts [--requests 2000] [--stream] [--top 30]
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { SERVE_MALLOC_ENV, serveNodeFlags } from '../../bin/runtime.js';
import { ask } from './proxy-io.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = arg('requests', 2000);
const TOP = arg('top', 30);
const STREAM = args.includes('--stream');
// --cpu-prof DIR: no heap profile; a CPU profile of the proxy instead (read it with scripts/bench/stalls.ts).
const CPU_DIR = args.includes('--cpu-prof') ? String(args[args.indexOf('--cpu-prof') + 1]) : null;
const TOKEN = 'spendbar-proxy-bench-token-000000000000';
const BODY = JSON.stringify({ model: 'gpt-4o', stream: STREAM, messages: [{ role: 'user', content: 'Say hello in five words.' }] });

interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }

function post(url: string, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': Buffer.byteLength(BODY) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

const start = (script: string, argv: string[], execArgv: string[] = [], env = process.env) => {
  const c = fork(join(import.meta.dirname, script), argv, { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { c, ready: new Promise<string>((resolve) => c.once('message', (m) => resolve((m as { url: string }).url))) };
};
const fake = start('llm-child.ts', ['fast']);
const proxy = start('proxy-child.ts', [await fake.ready], [...serveNodeFlags(), ...(CPU_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_DIR}`, '--cpu-prof-interval=100'] : [])], { ...SERVE_MALLOC_ENV, ...process.env });
const url = `${await proxy.ready}/proxy/bench/v1/chat/completions`;
const agent = new Agent({ keepAlive: true, maxSockets: 50 });
for (let i = 0; i < 300; i++) await post(url, agent); // warm: JIT, connections, price table
if (!CPU_DIR) await ask(proxy.c, 'heap-start');
const t0 = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < N; i++) {
  const wait = t0 + i * 5 - performance.now();
  if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
  pending.push(post(url, agent));
}
await Promise.all(pending);
const { profile } = CPU_DIR ? { profile: { head: { callFrame: { functionName: '', url: '', lineNumber: 0 }, selfSize: 0, children: [] } as Node } } : await ask<{ profile: { head: Node } }>(proxy.c, 'heap-stop');
const bySite = new Map<string, number>();
let total = 0;
const walk = (n: Node) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(electron|node_modules|scripts)\//, '$1/')}:${f.lineNumber + 1}` : '(native)';
  const key = `${f.functionName || '(anonymous)'} ${where}`;
  bySite.set(key, (bySite.get(key) ?? 0) + n.selfSize);
  total += n.selfSize;
  n.children.forEach(walk);
};
walk(profile.head);
console.log(`${N} ${STREAM ? 'streaming' : 'non-streaming'} requests: ${(total / N / 1024).toFixed(1)} KiB allocated per request (sampled)`);
for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${(v / N).toFixed(0).padStart(7)} B  ${k}`);
agent.destroy();
proxy.c.send({ type: 'stop' });
fake.c.kill();
