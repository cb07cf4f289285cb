// Metering proxy benchmark: direct to a loopback LLM fake vs through the proxy, in the same run. Prints figures;
// asserts nothing.   node scripts/bench/proxy.ts [--quick]
//   1. 50 concurrent non-streaming requests in a closed loop (each client sends its next request when the last one
//      is answered): proxied minus direct at p50 and p99, with the proxy's CPU per request and, for scale, a bare
//      Node piping proxy measured the same way. A throughput figure: every request waits behind the 49 others.
//   1b. 50 in flight again against providers that take 1 s and 100 ms to answer: the proxy not saturated, so the
//      added latency is each request's own (how published gateway overheads are measured)
//   2. the same requests over 50 keep-alive connections, offered at fixed rates the proxy can carry (open loop):
//      each request's own added latency at a steady rate (serve's flags, and V8's defaults)
//   3. time to first byte of a stream, proxied minus direct (median of sequential streams)
//   4. 500 concurrent streams: the proxy process's RSS growth, per-chunk delay (arrival − send, proxied vs direct),
//      and the proxy's event-loop delay and longest GC pause meanwhile
// The proxy runs in a child process (scripts/bench/proxy-child.ts) with a real core: every request is recorded. It
// runs with the V8 flags and malloc settings `spendbar serve` runs with (bin/runtime.js); the 500 streams are also
// run through a second proxy with V8's defaults, as the desktop app's main process has them.
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SERVE_MALLOC_ENV, serveNodeFlags } from '../../bin/runtime.js';
import { ask, chunkClock } from './proxy-io.ts';

const quick = process.argv.includes('--quick');
/**
 * How long the providers of section 1b take to answer: about what a short non-streaming completion takes (1 s), and
 * a tenth of it, which puts ten times the load on the proxy.
 */
const PROVIDER_MS = [1000, 100] as const;
const TOKEN = 'spendbar-proxy-bench-token-000000000000';
const BODY = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello in five words.' }] });
const STREAM_BODY = JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Count to twenty.' }] });

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
const sortNum = (a: number[]) => [...a].sort((x, y) => x - y);
const ms = (n: number) => `${n.toFixed(3)} ms`;

/** Requests sent again because a kept-alive connection was closed by the server just as it was reused. */
let resent = 0;

function post(url: string, body: string, agent: Agent, onChunk?: (chunk: Buffer, t: number) => void): Promise<{ total: number; ttfb: number; status: number }> {
  return send(url, body, agent, onChunk).catch((err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
    // The race Node's docs describe for keep-alive clients: the server times an idle connection out as the client
    // picks it for the next request. Send once more, on a new connection, as an HTTP client would; count it.
    if (err.code !== 'ECONNRESET' || !err.reusedSocket) throw err;
    resent++;
    return send(url, body, agent, onChunk);
  });
}

function send(url: string, body: string, agent: Agent, onChunk?: (chunk: Buffer, t: number) => void): Promise<{ total: number; ttfb: number; status: number }> {
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
    req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

async function pool(n: number, concurrency: number, job: (i: number) => Promise<void>, staggerMs = 0): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async (_, k) => {
    // Clients that start apart stay apart when every answer takes as long (section 1b).
    if (staggerMs) await new Promise((resolve) => setTimeout(resolve, k * staggerMs));
    while (next < n) await job(next++);
  }));
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' / ');

interface Loop {
  maxMs: number;
  p99Ms: number;
  gcMaxMs: number;
  gcTotalMs: number;
  gcCount: number;
}

async function main(): Promise<void> {
  // The host may be shared: the load average says how much of it the processes below got.
  console.log(`load average at start (1 / 5 / 15 min): ${load()}`);
  // Processes: this one (the client), the fakes, the proxies, the bare proxy. Chunk text of the timed fake = its send time.
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
  // `spendbar serve`'s V8 flags and malloc settings (bin/runtime.js; $SPENDBAR_NODE_FLAGS replaces the flags), or V8's
  // defaults (the desktop app's main process). --expose-gc either way: the RSS baseline is taken after a collection.
  const serveFlags = [...new Set([...serveNodeFlags(), '--expose-gc'])];
  const startProxy = async (upstream: string, serve: boolean) => {
    const c = fork(join(import.meta.dirname, 'proxy-child.ts'), [upstream], {
      execArgv: [...(serve ? serveFlags : ['--expose-gc']), ...prof],
      env: serve ? { ...SERVE_MALLOC_ENV, ...process.env } : process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const { url } = await new Promise<{ url: string }>((resolve) => c.once('message', (m) => resolve(m as { url: string })));
    // The RSS sampler asks while other questions are still open.
    c.setMaxListeners(0);
    return { c, url };
  };
  console.log(`proxy processes run with \`spendbar serve\`'s flags: ${serveFlags.join(' ')} ${Object.entries(SERVE_MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const { c: child, url } = await startProxy(fast.url, true);
  const { c: streamChild, url: streamUrl } = await startProxy(streamFake.url, true);
  const { c: defaultsChild, url: defaultsUrl } = await startProxy(streamFake.url, false);
  // The open loop also through a proxy with V8's defaults (the desktop app's main process runs the same proxy so).
  const { c: desktopChild, url: desktopUrl } = await startProxy(fast.url, false);
  const bareChild = start('bare-proxy-child.ts', [fast.url]);
  const bare = `${await bareChild.ready}/proxy/bench/v1/chat/completions`;
  // Providers that take PROVIDER_MS to answer, as real ones do, each with its own proxy and bare proxy (section 1b).
  const slow = await Promise.all(PROVIDER_MS.map(async (delayMs) => {
    const fake = start('llm-child.ts', [`slow:${delayMs}`]);
    const fakeUrl = await fake.ready;
    const { c: proxy, url: proxyUrl } = await startProxy(fakeUrl, true);
    const bareProxy = start('bare-proxy-child.ts', [fakeUrl]);
    const bareUrl = `${await bareProxy.ready}/proxy/bench/v1/chat/completions`;
    return { delayMs, fake: fake.c, fakeUrl, proxy, proxyUrl, bareProxy: bareProxy.c, bareUrl };
  }));
  const bareStreamChild = start('bare-proxy-child.ts', [streamFake.url]);
  const bareStreams = `${await bareStreamChild.ready}/proxy/bench/v1/chat/completions`;
  const agent = new Agent({ keepAlive: true, maxSockets: 600 });
  const direct = `${fast.url}/v1/chat/completions`;
  const proxied = `${url}/proxy/bench/v1/chat/completions`;
  const cpuOf = async (c: ChildProcess) => (await ask<{ micros: number }>(c, 'cpu')).micros;
  type Way = 'direct' | 'proxied' | 'bare';
  // Closed-loop rounds, the three ways alternating so all see the same machine: 50 clients, each sending its next
  // request when the last is answered (started `staggerMs` apart). Latencies, CPU µs of each way's process, wall ms.
  const closedLoop = async (ways: readonly (readonly [Way, string, ChildProcess])[], rounds: number, perRound: number, via: Agent, staggerMs = 0) => {
    const lat: Record<Way, number[]> = { direct: [], proxied: [], bare: [] };
    const cpu: Record<Way, number> = { direct: 0, proxied: 0, bare: 0 };
    const wall: Record<Way, number> = { direct: 0, proxied: 0, bare: 0 };
    for (let r = 0; r < rounds; r++) {
      for (const [name, target, proc] of ways) {
        const cpu0 = await cpuOf(proc);
        const t0 = performance.now();
        await pool(perRound, 50, async () => {
          const res = await post(target, BODY, via);
          if (res.status !== 200) throw new Error(`${name} answered ${res.status}`);
          lat[name].push(res.total);
        }, staggerMs);
        wall[name] += performance.now() - t0;
        cpu[name] += (await cpuOf(proc)) - cpu0;
      }
    }
    return { lat, cpu, wall };
  };
  const desktop = `${desktopUrl}/proxy/bench/v1/chat/completions`;
  const cpuChild = { direct: fastChild.c, proxied: child, desktop: desktopChild, bare: bareChild.c } as const;

  // 1. 50 concurrent non-streaming requests in a closed loop, rounds alternating direct, proxied and the bare proxy so
  // all three see the same machine.
  const rounds = quick ? 4 : 10;
  const perRound = quick ? 500 : 1000;
  for (const target of [direct, proxied, bare]) await pool(200, 50, async () => void (await post(target, BODY, agent)));
  // `spendbar serve` starts with V8's optimizing compilers off; traffic turns them on (electron/core/compilers.ts).
  console.log(`optimizing compilers in the serve-flag proxy after the warm-up: ${(await ask<{ on: boolean }>(child, 'compilers')).on ? 'on' : 'off'}`);
  const { lat, cpu, wall } = await closedLoop([['direct', direct, cpuChild.direct], ['proxied', proxied, cpuChild.proxied], ['bare', bare, cpuChild.bare]], rounds, perRound, agent);
  const d = sortNum(lat.direct);
  const p = sortNum(lat.proxied);
  const b = sortNum(lat.bare);
  const perSec = (name: keyof typeof wall) => `${Math.round((lat[name].length / wall[name]) * 1000)}/s`;
  console.log(`non-streaming, closed loop: 50 requests always in flight, ${p.length} requests each way`);
  console.log(`  direct   p50 ${ms(pct(d, 50))}  p99 ${ms(pct(d, 99))}  (${perSec('direct')})`);
  console.log(`  proxied  p50 ${ms(pct(p, 50))}  p99 ${ms(pct(p, 99))}  (${perSec('proxied')}); added p50 ${ms(pct(p, 50) - pct(d, 50))}  p99 ${ms(pct(p, 99) - pct(d, 99))}`);
  console.log(`  bare     p50 ${ms(pct(b, 50))}  p99 ${ms(pct(b, 99))}  (${perSec('bare')}); added p50 ${ms(pct(b, 50) - pct(d, 50))}  p99 ${ms(pct(b, 99) - pct(d, 99))}   (a bare Node proxy: piping, nothing metered)`);
  console.log(`  CPU per request (user + system): proxy ${(cpu.proxied / p.length).toFixed(0)} µs (recording included), bare Node proxy ${(cpu.bare / b.length).toFixed(0)} µs, the fake provider ${(cpu.direct / d.length).toFixed(0)} µs`);
  console.log(`  (a saturating loop: each request waits behind the 49 others, so "added" here ≈ 50 × the proxy's CPU per request;`);
  console.log(`  it measures throughput, not a request's own latency: that is the open-loop figure below)`);

  // 1b. 50 always in flight again, against a provider that takes a while to answer (as real ones do, and as
  // published gateway overheads are measured, against a fake endpoint with latency): 50 / delay requests a second,
  // so the proxy is not saturated and each request's added time is its own, not a queue behind the others. The 50
  // clients start delay / 50 apart (started together they would stay in step, 50 arriving at once).
  for (const p of slow) {
    const targets = [
      ['direct', `${p.fakeUrl}/v1/chat/completions`, p.fake],
      ['proxied', `${p.proxyUrl}/proxy/bench/v1/chat/completions`, p.proxy],
      ['bare', p.bareUrl, p.bareProxy],
    ] as const;
    // Each way: rounds × requests, about 20 s at 1 s a request, 8 s at 100 ms.
    const [rounds1b, per1b] = p.delayMs >= 1000 ? (quick ? [1, 250] : [2, 500]) : quick ? [2, 500] : [4, 1000];
    const slowAgent = new Agent({ keepAlive: true, maxSockets: 50 });
    // The warm-up also turns the compilers on in this proxy, as traffic does in serve.
    for (const [, target] of targets) await pool(100, 50, async () => void (await post(target, BODY, slowAgent)));
    const compilersOn = (await ask<{ on: boolean }>(p.proxy, 'compilers')).on;
    const { lat: slowLat, cpu: slowBusy, wall: slowSpan } = await closedLoop(targets, rounds1b, per1b, slowAgent, p.delayMs / 50);
    slowAgent.destroy();
    const [sd, sp, sb] = [sortNum(slowLat.direct), sortNum(slowLat.proxied), sortNum(slowLat.bare)];
    const rate = Math.round((sp.length / slowSpan.proxied) * 1000);
    const share = (name: keyof typeof slowBusy) => `${((slowBusy[name] / 1000 / slowSpan[name]) * 100).toFixed(0)} %`;
    const perRequest = (name: keyof typeof slowBusy) => `${(slowBusy[name] / slowLat[name].length).toFixed(0)} µs`;
    console.log(`non-streaming, closed loop against a provider that answers in ${p.delayMs} ms: 50 requests always in flight (${rate}/s through the proxy), ${sp.length} requests each way; the proxy's optimizing compilers ${compilersOn ? 'on' : 'off'}`);
    console.log(`  direct p50 ${ms(pct(sd, 50))} p99 ${ms(pct(sd, 99))}; proxied p50 ${ms(pct(sp, 50))} p99 ${ms(pct(sp, 99))}; bare p50 ${ms(pct(sb, 50))} p99 ${ms(pct(sb, 99))}`);
    console.log(`  added by the proxy p50 ${ms(pct(sp, 50) - pct(sd, 50))} p99 ${ms(pct(sp, 99) - pct(sd, 99))}   (target ≤ 0.5 ms / ≤ 2 ms); by the bare proxy p50 ${ms(pct(sb, 50) - pct(sd, 50))} p99 ${ms(pct(sb, 99) - pct(sd, 99))}`);
    console.log(`  the proxy busy ${share('proxied')} of one core, ${perRequest('proxied')} CPU per request (the bare proxy ${share('bare')}, ${perRequest('bare')})`);
  }

  // 2. The same requests over 50 keep-alive connections (opened first), offered at fixed rates (open loop): latency is
  // then each request's own, not the wait behind 49 others. Rates the proxy carries with room to spare on a quiet
  // 2-core host (its busy share is printed); direct, proxied and bare alternate in rounds.
  const perOpen = quick ? 400 : 1000;
  for (const rate of [200, 1000]) {
    const openAgent = new Agent({ keepAlive: true, maxSockets: 50 });
    const openLat = { direct: [] as number[], proxied: [] as number[], desktop: [] as number[], bare: [] as number[] };
    const busy = { direct: 0, proxied: 0, desktop: 0, bare: 0 };
    const span = { direct: 0, proxied: 0, desktop: 0, bare: 0 };
    for (const target of [direct, proxied, desktop, bare]) await pool(100, 50, async () => void (await post(target, BODY, openAgent)));
    let loop: Loop | null = null;
    for (let r = 0; r < 2; r++) {
      for (const [name, target] of [['direct', direct], ['proxied', proxied], ['desktop', desktop], ['bare', bare]] as const) {
        if (name === 'proxied' && r === 0) await ask(child, 'loop-start');
        const cpu0 = await cpuOf(cpuChild[name]);
        const t0 = performance.now();
        const pending: Promise<void>[] = [];
        for (let i = 0; i < perOpen; i++) {
          const wait = t0 + (i * 1000) / rate - performance.now();
          if (wait >= 1) await new Promise((res) => setTimeout(res, wait));
          pending.push(post(target, BODY, openAgent).then((res) => void openLat[name].push(res.total)));
        }
        await Promise.all(pending);
        span[name] += performance.now() - t0;
        busy[name] += (await cpuOf(cpuChild[name])) - cpu0;
        if (name === 'proxied' && r === 0) loop = await ask<Loop>(child, 'loop');
      }
    }
    openAgent.destroy();
    const od = sortNum(openLat.direct);
    const op = sortNum(openLat.proxied);
    const ob = sortNum(openLat.bare);
    const oq = sortNum(openLat.desktop);
    const share = (name: keyof typeof busy) => `${((busy[name] / 1000 / span[name]) * 100).toFixed(0)} %`;
    console.log(`non-streaming, open loop: offered at ${rate} requests/s over 50 keep-alive connections, ${op.length} requests each way`);
    console.log(`  direct p50 ${ms(pct(od, 50))} p99 ${ms(pct(od, 99))}; proxied p50 ${ms(pct(op, 50))} p99 ${ms(pct(op, 99))}; bare p50 ${ms(pct(ob, 50))} p99 ${ms(pct(ob, 99))}`);
    console.log(`  added by the proxy p50 ${ms(pct(op, 50) - pct(od, 50))} p99 ${ms(pct(op, 99) - pct(od, 99))}   (target ≤ 0.5 ms / ≤ 2 ms); by the bare proxy p50 ${ms(pct(ob, 50) - pct(od, 50))} p99 ${ms(pct(ob, 99) - pct(od, 99))}; the proxy busy ${share('proxied')} of one core (bare ${share('bare')})`);
    console.log(`  with V8's defaults (as in the desktop app): added p50 ${ms(pct(oq, 50) - pct(od, 50))} p99 ${ms(pct(oq, 99) - pct(od, 99))}; busy ${share('desktop')} of one core`);
    if (loop) console.log(`  proxy, first ${perOpen} requests: event-loop delay p99 ${loop.p99Ms.toFixed(1)} ms, max ${loop.maxMs.toFixed(1)} ms; GC ${loop.gcCount} pauses, ${loop.gcTotalMs.toFixed(0)} ms in all, longest ${loop.gcMaxMs.toFixed(1)} ms`);
  }

  // 3. Time to first byte of a stream, sequential.
  const n2 = quick ? 100 : 300;
  const ttfb = { direct: [] as number[], proxied: [] as number[], bare: [] as number[] };
  for (let i = 0; i < n2; i++) {
    for (const [name, target] of [['direct', direct], ['proxied', proxied], ['bare', bare]] as const) {
      const res = await post(target, STREAM_BODY, agent);
      ttfb[name].push(res.ttfb);
    }
  }
  const td = sortNum(ttfb.direct);
  const tp = sortNum(ttfb.proxied);
  console.log(`stream time to first byte, ${n2} sequential streams each way`);
  const tb = sortNum(ttfb.bare);
  console.log(`  direct p50 ${ms(pct(td, 50))}, proxied p50 ${ms(pct(tp, 50))}: ${ms(pct(tp, 50) - pct(td, 50))} later   (target ≤ 1 ms); the bare Node proxy ${ms(pct(tb, 50) - pct(td, 50))} later`);

  // 4. 500 concurrent streams of 20 chunks, 50 ms apart: direct, then through the proxy with serve's flags, then
  // through the one with V8's defaults.
  const streams = 500;
  console.log(`${streams} concurrent streams × 20 chunks (50 ms apart), one run after another`);
  const runStreams = async (target: string): Promise<{ lag: number[]; lost: number }> => {
    const lag: number[] = [];
    let lost = 0;
    await Promise.all(
      Array.from({ length: streams }, async () => {
        const clock = chunkClock(lag);
        await post(target, STREAM_BODY, agent, (chunk, t) => clock.take(chunk, t));
        if (clock.seen !== 20) lost += 20 - clock.seen;
      }),
    );
    return { lag: sortNum(lag), lost };
  };
  const lagText = (l: number[]) => `p50 ${ms(pct(l, 50))} p99 ${ms(pct(l, 99))} max ${ms(l.at(-1) ?? 0)}, ${l.filter((x) => x > 50).length} over 50 ms (one chunk interval)`;
  const directStreams = await runStreams(`${streamFake.url}/v1/chat/completions`);
  console.log(`  direct: chunk arrival after send ${lagText(directStreams.lag)}; ${directStreams.lost} lost`);
  // For scale: the bare Node proxy forwards the same streams (no framing, no usage read, nothing recorded).
  await pool(20, 10, async () => void (await post(bareStreams, STREAM_BODY, agent)));
  const bareCpu0 = await cpuOf(bareStreamChild.c);
  const bareRun = await runStreams(bareStreams);
  const bareStreamCpu = (await cpuOf(bareStreamChild.c)) - bareCpu0;
  console.log(`  bare Node proxy: chunk arrival after send ${lagText(bareRun.lag)}; ${bareRun.lost} lost; CPU per streamed event ${(bareStreamCpu / (streams * 22)).toFixed(0)} µs`);
  for (const [label, c, base] of [["serve's flags", streamChild, streamUrl], ["V8's defaults (as in the desktop app)", defaultsChild, defaultsUrl]] as const) {
    const target = `${base}/proxy/bench/v1/chat/completions`;
    // Warm the stream proxy (price table, code paths) so the figures below are steady-state ones.
    await pool(20, 10, async () => void (await post(target, STREAM_BODY, agent)));
    const rssBefore = (await ask<{ rss: number }>(c, 'rss')).rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => void ask<{ rss: number }>(c, 'rss-sample').then((m) => (rssPeak = Math.max(rssPeak, m.rss))), 200);
    const cpu0 = await cpuOf(c);
    await ask(c, 'loop-start');
    const run = await runStreams(target);
    const loop = await ask<Loop>(c, 'loop');
    const streamCpu = (await cpuOf(c)) - cpu0;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, (await ask<{ rss: number }>(c, 'rss-sample')).rss);
    console.log(`  proxied, ${label}: chunk arrival after send ${lagText(run.lag)}; ${run.lost} lost`);
    console.log(`    proxy RSS ${(rssBefore / 2 ** 20).toFixed(1)} MiB before, peak ${(rssPeak / 2 ** 20).toFixed(1)} MiB: +${((rssPeak - rssBefore) / 2 ** 20).toFixed(1)} MiB   (target ≤ 50 MB)`);
    console.log(`    proxy CPU per streamed event (20 chunks + usage + [DONE] per stream): ${(streamCpu / (streams * 22)).toFixed(0)} µs (${(streamCpu / 1e6).toFixed(2)} s for ${streams} streams)`);
    console.log(`    proxy event loop: delay p99 ${loop.p99Ms.toFixed(1)} ms, max ${loop.maxMs.toFixed(1)} ms; GC ${loop.gcCount} pauses, ${loop.gcTotalMs.toFixed(0)} ms in all, longest ${loop.gcMaxMs.toFixed(1)} ms`);
  }

  console.log(`requests sent again after a kept-alive connection was closed as it was reused: ${resent}`);
  console.log(`load average at end (1 / 5 / 15 min): ${load()}`);

  for (const c of [child, streamChild, defaultsChild, desktopChild, ...slow.map((p) => p.proxy)]) {
    c.send({ type: 'stop' });
    await new Promise((r) => c.once('exit', r));
  }
  agent.destroy();
  for (const c of [fastChild.c, timedChild.c, bareChild.c, bareStreamChild.c, ...slow.flatMap((p) => [p.fake, p.bareProxy])]) {
    c.send({ type: 'stop' });
    await new Promise((r) => c.once('exit', r));
  }
}

await main();
