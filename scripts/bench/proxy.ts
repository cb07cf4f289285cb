// Metering proxy benchmark: direct to a loopback LLM fake vs through the proxy, in the same run. Prints figures;
// asserts nothing.   node scripts/bench/proxy.ts [--quick]
//   1. added latency at 50 concurrent non-streaming requests (p50, p99 of proxied minus direct), with the proxy's CPU
//      per request; then the same offered at a fixed rate (open loop)
//   2. time to first byte of a stream, proxied minus direct (median of sequential streams)
//   3. 500 concurrent streams: the proxy process's RSS growth, and per-chunk delay (arrival − send, proxied vs direct)
// The proxy runs in a child process (scripts/bench/proxy-child.ts) with a real core: every request is recorded.
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const quick = process.argv.includes('--quick');
const TOKEN = 'spendbar-proxy-bench-token-000000000000';
const BODY = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello in five words.' }] });
const STREAM_BODY = JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Count to twenty.' }] });

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
const sortNum = (a: number[]) => [...a].sort((x, y) => x - y);
const ms = (n: number) => `${n.toFixed(3)} ms`;

function post(url: string, body: string, agent: Agent, onChunk?: (chunk: Buffer, t: number) => void): Promise<{ total: number; ttfb: number; status: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttfb = -1;
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', (c: Buffer) => {
        const t = performance.now();
        if (ttfb < 0) ttfb = t - t0;
        onChunk?.(c, t);
      });
      res.on('end', () => resolve({ total: performance.now() - t0, ttfb, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function pool(n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await job(next++);
  }));
}

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string } & T) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send({ type });
  });
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' / ');

async function main(): Promise<void> {
  // The host may be shared: the load average says how much of it the three processes below got.
  console.log(`load average at start (1 / 5 / 15 min): ${load()}`);
  // Three processes: this one (the client), the fake, the proxy. Chunk text of the timed fake = its send time.
  const start = (script: string, args: string[], execArgv: string[] = []) => {
    const c = fork(join(import.meta.dirname, script), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return { c, ready: new Promise<string>((resolve) => c.once('message', (m) => resolve((m as { url: string }).url))) };
  };
  const fastChild = start('llm-child.ts', ['fast']);
  const timedChild = start('llm-child.ts', ['timed']);
  const fast = { url: await fastChild.ready };
  const streamFake = { url: await timedChild.ready };
  // SPENDBAR_BENCH_PROF=<dir>: a CPU profile of each proxy process (node --cpu-prof), to see where its time goes.
  const prof = process.env.SPENDBAR_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SPENDBAR_BENCH_PROF}`] : [];
  const child = fork(join(import.meta.dirname, 'proxy-child.ts'), [fast.url], { execArgv: ['--expose-gc', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string })));
  const streamChild = fork(join(import.meta.dirname, 'proxy-child.ts'), [streamFake.url], { execArgv: ['--expose-gc', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url: streamUrl } = await new Promise<{ url: string }>((resolve) => streamChild.once('message', (m) => resolve(m as { url: string })));
  const bareChild = start('bare-proxy-child.ts', [fast.url]);
  const bare = `${await bareChild.ready}/proxy/bench/v1/chat/completions`;
  // The RSS sampler asks while other questions are still open.
  child.setMaxListeners(0);
  streamChild.setMaxListeners(0);
  const agent = new Agent({ keepAlive: true, maxSockets: 600 });
  const direct = `${fast.url}/v1/chat/completions`;
  const proxied = `${url}/proxy/bench/v1/chat/completions`;

  // 1. 50 concurrent non-streaming requests, rounds alternating direct and proxied so both see the same machine.
  const rounds = quick ? 4 : 10;
  const perRound = quick ? 500 : 1000;
  for (const target of [direct, proxied]) await pool(200, 50, async () => void (await post(target, BODY, agent)));
  const lat = { direct: [] as number[], proxied: [] as number[] };
  let proxyCpu = 0;
  let fakeCpu = 0;
  let bareCpu = 0;
  let bareCount = 0;
  await pool(200, 50, async () => void (await post(bare, BODY, agent)));
  for (let r = 0; r < rounds; r++) {
    for (const [name, target] of [['direct', direct], ['proxied', proxied], ['bare', bare]] as const) {
      const cpu0 = name === 'proxied' ? (await ask<{ micros: number }>(child, 'cpu')).micros : 0;
      const fake0 = name === 'direct' ? (await ask<{ micros: number }>(fastChild.c, 'cpu')).micros : 0;
      const bare0 = name === 'bare' ? (await ask<{ micros: number }>(bareChild.c, 'cpu')).micros : 0;
      await pool(perRound, 50, async () => {
        const res = await post(target, BODY, agent);
        if (res.status !== 200) throw new Error(`${name} answered ${res.status}`);
        if (name === 'bare') bareCount++;
        else lat[name].push(res.total);
      });
      if (name === 'proxied') proxyCpu += (await ask<{ micros: number }>(child, 'cpu')).micros - cpu0;
      else if (name === 'direct') fakeCpu += (await ask<{ micros: number }>(fastChild.c, 'cpu')).micros - fake0;
      else bareCpu += (await ask<{ micros: number }>(bareChild.c, 'cpu')).micros - bare0;
    }
  }
  const d = sortNum(lat.direct);
  const p = sortNum(lat.proxied);
  console.log(`non-streaming, 50 concurrent, ${p.length} requests each way`);
  console.log(`  direct   p50 ${ms(pct(d, 50))}  p99 ${ms(pct(d, 99))}`);
  console.log(`  proxied  p50 ${ms(pct(p, 50))}  p99 ${ms(pct(p, 99))}`);
  console.log(`  added    p50 ${ms(pct(p, 50) - pct(d, 50))}  p99 ${ms(pct(p, 99) - pct(d, 99))}   (target ≤ 0.5 ms / ≤ 2 ms)`);
  console.log(`  proxy CPU per request (user + system, recording included): ${(proxyCpu / p.length).toFixed(0)} µs; for scale: the fake provider (a bare Node HTTP server answering it) ${(fakeCpu / d.length).toFixed(0)} µs, a bare Node proxy (piping, nothing metered) ${(bareCpu / bareCount).toFixed(0)} µs`);

  // 1b. The same requests offered at a fixed rate over up to 50 connections (open loop): latency is then each request's
  // own, not the wait behind 49 others that a saturating closed loop measures (where added latency ≈ 50 × the
  // proxy's CPU per request).
  // Low enough that neither path saturates on a shared 2-core host, where each process may get a fifth of a core.
  const rate = 200;
  const perOpen = quick ? 400 : 1000;
  const openAgent = new Agent({ keepAlive: true, maxSockets: 50 });
  const openLat = { direct: [] as number[], proxied: [] as number[] };
  for (let r = 0; r < 2; r++) {
    for (const [name, target] of [['direct', direct], ['proxied', proxied]] as const) {
      const start = performance.now();
      const pending: Promise<void>[] = [];
      for (let i = 0; i < perOpen; i++) {
        const wait = start + (i * 1000) / rate - performance.now();
        if (wait >= 1) await new Promise((res) => setTimeout(res, wait));
        pending.push(post(target, BODY, openAgent).then((res) => void openLat[name].push(res.total)));
      }
      await Promise.all(pending);
    }
  }
  openAgent.destroy();
  const od = sortNum(openLat.direct);
  const op = sortNum(openLat.proxied);
  console.log(`non-streaming, offered at ${rate} requests/s over up to 50 connections, ${op.length} requests each way`);
  console.log(`  direct p50 ${ms(pct(od, 50))} p99 ${ms(pct(od, 99))}; proxied p50 ${ms(pct(op, 50))} p99 ${ms(pct(op, 99))}; added p50 ${ms(pct(op, 50) - pct(od, 50))} p99 ${ms(pct(op, 99) - pct(od, 99))}`);

  // 2. Time to first byte of a stream, sequential.
  const n2 = quick ? 100 : 300;
  const ttfb = { direct: [] as number[], proxied: [] as number[] };
  for (let i = 0; i < n2; i++) {
    for (const [name, target] of [['direct', direct], ['proxied', proxied]] as const) {
      const res = await post(target, STREAM_BODY, agent);
      ttfb[name].push(res.ttfb);
    }
  }
  const td = sortNum(ttfb.direct);
  const tp = sortNum(ttfb.proxied);
  console.log(`stream time to first byte, ${n2} sequential streams each way`);
  console.log(`  direct p50 ${ms(pct(td, 50))}, proxied p50 ${ms(pct(tp, 50))}: ${ms(pct(tp, 50) - pct(td, 50))} later   (target ≤ 1 ms)`);

  // 3. 500 concurrent streams of 20 chunks, 50 ms apart.
  const streams = 500;
  const chunkLag = { direct: [] as number[], proxied: [] as number[] };
  const lost = { direct: 0, proxied: 0 };
  // Warm the stream proxy (price table, code paths) so the figures below are steady-state ones.
  await pool(20, 10, async () => void (await post(`${streamUrl}/proxy/bench/v1/chat/completions`, STREAM_BODY, agent)));
  const rssBefore = (await ask<{ rss: number }>(streamChild, 'rss')).rss;
  let streamCpu = 0;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => void ask<{ rss: number }>(streamChild, 'rss-sample').then((m) => (rssPeak = Math.max(rssPeak, m.rss))), 200);
  for (const [name, target] of [['direct', `${streamFake.url}/v1/chat/completions`], ['proxied', `${streamUrl}/proxy/bench/v1/chat/completions`]] as const) {
    const cpu0 = name === 'proxied' ? (await ask<{ micros: number }>(streamChild, 'cpu')).micros : 0;
    await Promise.all(
      Array.from({ length: streams }, async () => {
        let seen = 0;
        let rest = '';
        await post(target, STREAM_BODY, agent, (chunk, t) => {
          rest += chunk.toString('utf8');
          const events = rest.split('\n\n');
          rest = events.pop() ?? '';
          for (const e of events) {
            const m = /"content":"(\d+(?:\.\d+)?)"/.exec(e);
            if (!m) continue;
            seen++;
            chunkLag[name].push(performance.timeOrigin + t - Number(m[1]));
          }
        });
        if (seen !== 20) lost[name] += 20 - seen;
      }),
    );
    if (name === 'proxied') streamCpu = (await ask<{ micros: number }>(streamChild, 'cpu')).micros - cpu0;
  }
  clearInterval(sampler);
  const cd = sortNum(chunkLag.direct);
  const cp = sortNum(chunkLag.proxied);
  console.log(`${streams} concurrent streams × 20 chunks (50 ms apart), proxied after direct`);
  console.log(`  chunk arrival after send: direct p50 ${ms(pct(cd, 50))} p99 ${ms(pct(cd, 99))} max ${ms(cd.at(-1) ?? 0)}; proxied p50 ${ms(pct(cp, 50))} p99 ${ms(pct(cp, 99))} max ${ms(cp.at(-1) ?? 0)}`);
  console.log(`  chunks lost: direct ${lost.direct}, proxied ${lost.proxied}; chunks held back by the proxy over 50 ms (one chunk interval): ${cp.filter((x) => x > 50).length}`);
  console.log(`  proxy CPU per streamed event (20 chunks + usage + [DONE] per stream): ${(streamCpu / (streams * 22)).toFixed(0)} µs (${(streamCpu / 1e6).toFixed(2)} s for ${streams} streams)`);
  console.log(`  proxy process RSS: ${(rssBefore / 2 ** 20).toFixed(1)} MiB before, peak ${(rssPeak / 2 ** 20).toFixed(1)} MiB: +${((rssPeak - rssBefore) / 2 ** 20).toFixed(1)} MiB   (target ≤ 50 MB)`);

  console.log(`load average at end (1 / 5 / 15 min): ${load()}`);

  for (const c of [child, streamChild]) {
    c.send({ type: 'stop' });
    await new Promise((r) => c.once('exit', r));
  }
  agent.destroy();
  for (const c of [fastChild.c, timedChild.c, bareChild.c]) {
    c.send({ type: 'stop' });
    await new Promise((r) => c.once('exit', r));
  }
}

await main();
