// Estimate benchmark: time to count 1 MB of text (target ≤ 200 ms) for each method, and the idle memory of
// `spendbar serve` before and after the estimate was ever used. Prints figures; asserts nothing.
//   node scripts/bench/estimate.ts [--runs N] [--no-serve] [--baseline DIR]
// --baseline DIR: also the idle memory of a checkout without the estimate (e.g. `git archive <commit> | tar -x -C DIR`
// with node_modules linked in), for the "does not grow because the feature exists" comparison.
// The texts are generated from a seeded generator (no repetition that a tokenizer's cache could exploit): English-like
// prose from a word list, Chinese from the 2,500 most common characters' block, TypeScript-like code, and JSON.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chineseText, codeText, englishText, jsonText, rng } from './texts.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { runs: { type: 'string' }, 'no-serve': { type: 'boolean' }, baseline: { type: 'string' } } });
const RUNS = Math.max(1, Number(values.runs ?? 5));
const MB = 1_000_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Wall and CPU (user + system) milliseconds of one synchronous or async call. */
async function timed(run: () => unknown): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  const d = process.cpuUsage(cpu0);
  return { wall, cpu: (d.user + d.system) / 1000 };
}

function cell(times: { wall: number; cpu: number }[]): string {
  const first = times[0] as { wall: number; cpu: number };
  const rest = times.length > 1 ? times.slice(1) : times;
  return `${first.wall.toFixed(0)}/${first.cpu.toFixed(0)} · ${median(rest.map((t) => t.wall)).toFixed(0)}/${median(rest.map((t) => t.cpu)).toFixed(0)}`.padStart(24);
}

async function counting(): Promise<void> {
  const { counter } = await import(pathToFileURL(join(root, 'electron/core/estimate/tokenizer.ts')).href);
  const { textFeatures } = await import(pathToFileURL(join(root, 'electron/core/estimate/features.ts')).href);
  const { estimateTokens } = await import(pathToFileURL(join(root, 'electron/core/estimate/heuristic.ts')).href);
  const { estimate } = await import(pathToFileURL(join(root, 'electron/core/estimate/estimate.ts')).href);
  const r = rng(14);
  const texts: [string, string][] = [
    ['English', englishText(MB, r)],
    ['Chinese', chineseText(MB, r)],
    ['code', codeText(MB, r)],
    ['JSON', jsonText(MB, r)],
  ];
  for (const enc of ['o200k_base', 'cl100k_base']) {
    const rss0 = process.memoryUsage().rss;
    const t = await timed(() => counter(enc));
    console.log(`load ${enc}: ${t.wall.toFixed(0)} ms wall, ${t.cpu.toFixed(0)} ms CPU, +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)} MiB RSS`);
  }
  console.log(`\ncounting 1 MB, ms as wall/CPU: first (cold) run · median of the next ${RUNS - 1}:`);
  console.log(`  ${'text'.padEnd(8)} ${'o200k_base'.padStart(24)} ${'cl100k_base'.padStart(24)} ${'char-class estimate'.padStart(24)} ${'estimate(), 7 models'.padStart(24)}`);
  const counts: number[][] = [];
  for (const [name, text] of texts) {
    const o = await counter('o200k_base');
    const c = await counter('cl100k_base');
    const got: number[] = [];
    const cells: string[] = [];
    for (const run of [() => o(text), () => c(text), () => estimateTokens(textFeatures(text), 'deepseek')]) {
      const times = [];
      for (let i = 0; i < RUNS; i++) times.push(await timed(() => got.push(run())));
      cells.push(cell(times));
    }
    counts.push(got);
    const models = ['gpt-4o-mini', 'gpt-4.1', 'gpt-5-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash', 'deepseek-chat'].map((model) => ({ model }));
    const times = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) times.push(await timed(() => estimate({ input: text }, { models, modelsFrom: 'caller' })));
    cells.push(cell(times));
    console.log(`  ${name.padEnd(8)} ${cells.join(' ')}`);
  }
  // The exact counts must equal those of gpt-tokenizer's own encoder (the same vocabularies, another implementation).
  const same: string[] = [];
  for (const enc of ['o200k_base', 'cl100k_base'] as const) {
    const ref = (await import(`gpt-tokenizer/encoding/${enc}`)) as { countTokens(t: string, o: object): number };
    texts.forEach(([name, text], i) => {
      const want = ref.countTokens(text, { disallowedSpecial: new Set() });
      const have = counts[i]?.[enc === 'o200k_base' ? 0 : RUNS] as number;
      same.push(`${name} ${enc} ${have.toLocaleString('en-US')}${have === want ? '' : ` ≠ ${want}`}`);
    });
  }
  console.log(`\nexact counts equal gpt-tokenizer's encoder: ${same.every((x) => !x.includes('≠')) ? 'yes' : 'NO'} (${same.join('; ')})`);
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `spendbar serve` in a child: RSS idle, then after one estimate, with a log of which estimate modules it loaded. */
/** Idle RSS of `spendbar serve` from another checkout (no estimate in it), measured the same way. */
async function baselineMemory(dir: string): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'spendbar-bench-baseline-'));
  const child = spawn(process.execPath, [join(dir, 'bin/spendbar.js'), 'serve', '--port', '0', '--data-dir', data], { cwd: dir, env: { ...process.env, SPENDBAR_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const started = Date.now();
    while (!/serving on/.test(out) && Date.now() - started < 60_000) await sleep(100);
    await sleep(5000);
    console.log(`  baseline without the estimate (${dir}), idle: ${rssMiB(child.pid as number).toFixed(0)} MiB`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    rmSync(data, { recursive: true, force: true });
  }
}

async function serveMemory(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spendbar-bench-estimate-'));
  const log = join(dir, 'loaded.txt');
  const hook = join(dir, 'hook.mjs');
  writeFileSync(log, '');
  // Records every module the process loads that belongs to the estimate (or its tokenizer, or the price table).
  writeFileSync(hook, `import { registerHooks } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nregisterHooks({ load(url, context, next) { if (/gpt-tokenizer|genai-prices|\\/estimate\\/|dist\\/headless\\//.test(url)) appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); } });\n`);
  const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, join(root, 'bin/spendbar.js'), 'serve', '--port', '0', '--data-dir', join(dir, 'data')], {
    cwd: root,
    env: { ...process.env, SPENDBAR_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => appendFileSync(join(dir, 'stderr.txt'), d));
  try {
    const started = Date.now();
    while (!/serving on (http:\/\/\S+)/.test(out)) {
      if (Date.now() - started > 60_000) throw new Error(`spendbar serve did not start: ${out}`);
      await sleep(100);
    }
    const url = (/serving on (http:\/\/\S+)/.exec(out) as RegExpExecArray)[1] as string;
    const bundle = readFileSync(log, 'utf8').includes('dist/headless/spendbar.mjs');
    const estimateModules = (text: string) => text.split('\n').filter((u) => u && !u.endsWith('dist/headless/spendbar.mjs'));
    await sleep(5000);
    const idle = rssMiB(child.pid as number);
    const before = estimateModules(readFileSync(log, 'utf8'));
    const res = await fetch(`${url}/api/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: englishText(20_000, rng(3)) }) });
    const body = (await res.json()) as { rows?: { model: string }[] };
    const peak = rssMiB(child.pid as number);
    await sleep(5000);
    const after = rssMiB(child.pid as number);
    const loaded = estimateModules(readFileSync(log, 'utf8'));
    console.log(`\nspendbar serve (${bundle ? 'bundled build, dist/headless' : 'TypeScript sources'}, no accounts), resident memory:`);
    console.log(`  idle, estimate never used:            ${idle.toFixed(0)} MiB   (estimate modules loaded: ${before.length})`);
    console.log(`  right after one estimate (${body.rows?.length ?? 0} models):  ${peak.toFixed(0)} MiB`);
    console.log(`  idle again 5 s later:                 ${after.toFixed(0)} MiB   (modules loaded: ${loaded.length}: ${[...new Set(loaded.map((u) => (/node_modules\/((@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? u.replace(/^.*\/(electron\/core|dist\/headless)\//, ''))))].join(', ')})`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await counting();
if (!values['no-serve']) {
  await serveMemory();
  if (values.baseline) await baselineMemory(values.baseline);
}
