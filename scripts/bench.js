#!/usr/bin/env node
// `npm run bench`: prints the benchmark figures (no assertions). Each part runs in its own process so its memory
// figures are its own.  npm run bench -- --quick   runs a 30-day store bench instead of a year (and fewer refreshes).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headlessBundle, headlessSources, isFresh } from '../bin/freshness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`Spendbar benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}\n`);

function run(label, args) {
  console.log(`## ${label}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) console.log(`(${label} failed with exit code ${r.status})`);
  console.log('');
}

run('store', ['scripts/bench/store.ts', ...(quick ? ['--days', '30'] : [])]);
run('/metrics: 50 accounts × 20 models', ['scripts/bench/metrics.ts', ...(quick ? ['--days', '30', '--scrapes', '100'] : [])]);
run('metering proxy', ['scripts/bench/proxy.ts', ...(quick ? ['--quick'] : [])]);
run('price table (per priced request)', ['--max-semi-space-size=1', 'scripts/bench/pricing.ts']);
run('estimate', ['scripts/bench/estimate.ts', ...(quick ? ['--runs', '3'] : [])]);
run('estimate accuracy (test corpus)', ['scripts/estimate/accuracy.ts']);
// The command benches run `spendbar` as users do: from the headless bundle, rebuilt here when a source is newer.
if (!isFresh(headlessBundle(root), headlessSources(root))) {
  console.log('(building the headless bundle first)');
  spawnSync(process.execPath, [join(root, 'scripts/build-headless.js')], { cwd: root, stdio: 'inherit' });
}
if (process.platform === 'linux') run('idle: serve with 20 accounts and a year of data', ['scripts/bench/idle.ts', ...(quick ? ['--quick'] : [])]);
else console.log('## idle\nskipped: reads RSS and CPU time from /proc (Linux only)\n');
run('scale: 1,000 accounts', ['scripts/bench/scale.ts', ...(quick ? ['--refreshes', '5'] : [])]);
if (process.platform === 'linux') run('memory under attack', ['scripts/bench/attacks.ts']);
else console.log('## memory under attack\nskipped: reads RSS from /proc (Linux only)\n');
if (!existsSync(join(root, 'dist/renderer/index.html'))) {
  console.log('## dashboard\n(building the dashboard first)');
  spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
if (existsSync('/usr/bin/chromium') || process.env.SPENDBAR_CHROMIUM) run('dashboard', ['scripts/bench/ui.ts']);
else console.log('## dashboard\nskipped: no Chromium at /usr/bin/chromium (apt-get install -y chromium)');
