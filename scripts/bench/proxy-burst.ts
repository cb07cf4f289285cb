// By hand (not in `npm run bench`): the 500-stream burst of the proxy bench, through two proxies that differ only in
// how many new requests start per event-loop turn ($SPENDBAR_BENCH_STARTS_PER_TURN of proxy-child.ts), in alternating
// rounds so both see the same host. Both run with `spendbar serve`'s flags.
//   node scripts/bench/proxy-burst.ts [--rounds 3] [--streams 500] [--a 16] [--b off]
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { SERVE_MALLOC_ENV, serveNodeFlags } from '../../bin/runtime.js';
import { chunkClock } from './proxy-io.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? String(args[i + 1]) : fallback;
};
const ROUNDS = Number(opt('rounds', '3'));
const STREAMS = Number(opt('streams', '500'));
const TOKEN = 'spendbar-proxy-bench-token-000000000000';
const BODY = JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Count to twenty.' }] });

const start = (script: string, argv: string[], execArgv: string[] = [], env = process.env) => {
  const c = fork(join(import.meta.dirname, script), argv, { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { c, ready: new Promise<string>((resolve) => c.once('message', (m) => resolve((m as { url: string }).url))) };
};
const fake = start('llm-child.ts', ['timed']);
const upstream = await fake.ready;
const proxyWith = async (perTurn: string) => {
  const p = start('proxy-child.ts', [upstream], serveNodeFlags(), { ...SERVE_MALLOC_ENV, ...process.env, SPENDBAR_BENCH_STARTS_PER_TURN: perTurn });
  return { perTurn, c: p.c, url: `${await p.ready}/proxy/bench/v1/chat/completions` };
};
const proxies = [await proxyWith(opt('a', '16')), await proxyWith(opt('b', 'off'))];
const agent = new Agent({ keepAlive: true, maxSockets: STREAMS + 100 });

const errors: string[] = [];
/** One stream: its chunks' lateness (arrival − the send time the fake wrote into it, ms) into `lag`; resolves with chunks lost. */
function stream(url: string, lag: number[]): Promise<number> {
  return new Promise((resolve) => {
    const clock = chunkClock(lag);
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': Buffer.byteLength(BODY) } }, (res) => {
      res.on('data', (c: Buffer) => clock.take(c, performance.now()));
      res.on('end', () => resolve(20 - clock.seen));
      res.on('error', () => resolve(20 - clock.seen));
    });
    // A reset counts its missing chunks as lost (and is said below), rather than end the run.
    req.on('error', (err) => {
      errors.push(err.message);
      resolve(20 - clock.seen);
    });
    req.end(BODY);
  });
}

const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
for (const p of proxies) await Promise.all(Array.from({ length: 20 }, () => stream(p.url, [])));
console.log(`${STREAMS} concurrent streams × 20 chunks 50 ms apart, ${ROUNDS} rounds alternating; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const sums = new Map<string, { over: number; max: number; p99: number[] }>();
for (let r = 0; r < ROUNDS; r++) {
  for (const p of r % 2 ? [...proxies].reverse() : proxies) {
    const lag: number[] = [];
    const lost = (await Promise.all(Array.from({ length: STREAMS }, () => stream(p.url, lag)))).reduce((a, b) => a + b, 0);
    lag.sort((a, b) => a - b);
    const over = lag.filter((x) => x > 50).length;
    const failed = errors.splice(0);
    console.log(`  starts per turn ${p.perTurn.padEnd(4)}: p50 ${pct(lag, 50).toFixed(1)} p99 ${pct(lag, 99).toFixed(1)} max ${(lag.at(-1) ?? 0).toFixed(1)} ms, ${over} of ${lag.length} over 50 ms, ${lost} lost${failed.length ? ` (${failed.length} requests failed: ${[...new Set(failed)].join(', ')})` : ''}   (load ${loadavg()[0]!.toFixed(2)})`);
    const s = sums.get(p.perTurn) ?? { over: 0, max: 0, p99: [] };
    s.over += over;
    s.max = Math.max(s.max, lag.at(-1) ?? 0);
    s.p99.push(pct(lag, 99));
    sums.set(p.perTurn, s);
  }
}
for (const [k, s] of sums) console.log(`starts per turn ${k}: ${s.over} chunks over 50 ms in ${ROUNDS} rounds, worst ${s.max.toFixed(1)} ms, p99 per round ${s.p99.map((x) => x.toFixed(1)).join(' / ')}`);
agent.destroy();
for (const p of proxies) p.c.send({ type: 'stop' });
fake.c.send({ type: 'stop' });
