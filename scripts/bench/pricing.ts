// Price-table benchmark: CPU and young-generation collections per priced request (priceUsage, the call the metering
// proxy makes for every request without a provider-reported cost). Prints figures; asserts nothing.
//   node --max-semi-space-size=1 scripts/bench/pricing.ts [--calls N] [--only MODEL]
// Run with the flag `spendbar serve` runs with, so the scavenge count is the one the proxy sees.
// Models: a plain-priced one (gpt-4o, the fast path) and a tiered one (the library's calcPrice on every call).
import { readFileSync } from 'node:fs';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { priceUsage } from '../../electron/core/pricing/index.ts';

const { values } = parseArgs({ options: { calls: { type: 'string' }, only: { type: 'string' } } });
const CALLS = Math.max(1000, Number(values.calls ?? 20_000));
const WARMUP = 2000;

let scavenges = 0;
const obs = new PerformanceObserver((list) => {
  // kind 1 = NODE_PERFORMANCE_GC_MINOR (a scavenge).
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) if (e.detail?.kind === 1) scavenges++;
});
obs.observe({ entryTypes: ['gc'] });

const usage = { inputTokens: 1200, outputTokens: 300, cachedTokens: 200, cacheWriteTokens: 0 };

async function bench(provider: string, model: string): Promise<void> {
  const first = await priceUsage(provider, model, usage, Date.now());
  await new Promise((r) => setTimeout(r, 50));
  scavenges = 0;
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += (await priceUsage(provider, model, usage, Date.now()))?.cost.micros ?? 0;
  const t0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) sink += (await priceUsage(provider, model, usage, Date.now()))?.cost.micros ?? 0;
  const t = process.cpuUsage(t0);
  await new Promise((r) => setTimeout(r, 50)); // let the observer see the last entries
  const us = (t.user + t.system) / CALLS;
  console.log(
    `${provider} ${model} (${first?.pricedAs ?? 'unpriced'}, ${first?.cost.micros ?? '-'} µUSD): ${us.toFixed(2)} µs CPU/call, ` +
      `${scavenges} scavenges per ${WARMUP + CALLS} calls  [sink ${sink % 10}]`,
  );
}

console.log(`loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}; semi-space flag: ${process.execArgv.join(' ') || '(none)'}`);
const cases: [string, string][] = [
  ['openai', 'gpt-4o'],
  ['newapi', 'claude-sonnet-4-20250514'],
  ['google', 'gemini-2.5-pro'],
];
for (const [provider, model] of cases) if (!values.only || values.only === model) await bench(provider, model);
obs.disconnect();
console.log(`loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
