// Builds what `spendbar serve` shows, when it is missing or older than its sources: the dashboard (dist/renderer)
// and the headless bundle (dist/headless). bin/spendbar.js calls this before every `serve`, so `npm run serve`,
// `spendbar serve` and an installed `spendbar` all show the dashboard on first start without a build step.
// An installed copy without Vite serves the dist/ it shipped with.
import { join } from 'node:path';
import { builtin } from './builtin.js';
import { headlessBundle, headlessSources, isFresh } from './freshness.js';

const { existsSync, mkdirSync, rmSync, statSync } = builtin('node:fs');

export function dashboardIndex(root) {
  return join(root, 'dist', 'renderer', 'index.html');
}

export function dashboardSources(root) {
  return [join(root, 'renderer'), join(root, 'shared'), join(root, 'vite.config.ts')];
}

const LOCK_STALE_MS = 10 * 60_000;
const LOCK_WAIT_MS = 5 * 60_000;

/**
 * Two `spendbar serve` started at once must not both empty and rebuild dist/: the second waits for the first.
 * @param {string} root
 * @param {() => void} work
 */
function withBuildLock(root, work) {
  const lock = join(root, 'dist', '.build-lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      let age;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released between the two calls
      }
      if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`another build has held ${lock} for ${Math.round(age / 1000)} s; remove it if no build is running`, { cause: err });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function defaultRun(execPath, args, cwd) {
  // The build's own output goes to stderr: stdout is where `spendbar serve` prints its address.
  const r = builtin('node:child_process').spawnSync(execPath, args, { cwd, stdio: ['ignore', 2, 2] });
  return r.status === 0 ? null : `exit status ${r.status ?? r.signal}`;
}

/**
 * @param {string} root the package root
 * @param {{ log?: (line: string) => void, run?: (execPath: string, args: string[], cwd: string) => string | null }} [opts]
 * @returns {{ dashboard: 'fresh' | 'built' | 'shipped' | 'missing', headless: 'fresh' | 'built' | 'sources', error?: string }}
 */
export function ensureBuilt(root, opts = {}) {
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  const run = opts.run ?? defaultRun;
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = { dashboard: 'fresh', headless: 'fresh' };
  if (!existsSync(vite)) {
    // An installed package without its dev tools: it runs what it shipped.
    result.dashboard = existsSync(dashboardIndex(root)) ? 'shipped' : 'missing';
    result.headless = existsSync(headlessBundle(root)) ? 'fresh' : 'sources';
    return result;
  }
  const dashboardStale = () => !isFresh(dashboardIndex(root), dashboardSources(root));
  const headlessStale = () => !isFresh(headlessBundle(root), headlessSources(root).filter((d) => existsSync(d)));
  if (!dashboardStale() && !headlessStale()) return result;
  withBuildLock(root, () => {
    if (dashboardStale()) {
      log('Building the dashboard (first start, or its sources changed; takes a few seconds)…');
      const failed = run(process.execPath, [vite, 'build', '--logLevel', 'warn'], root);
      if (failed) {
        result.dashboard = existsSync(dashboardIndex(root)) ? 'shipped' : 'missing';
        result.error = `building the dashboard failed (${failed}); see the messages above.`;
        return;
      }
      result.dashboard = 'built';
    }
    if (headlessStale()) {
      // Without the bundle bin/spendbar.js runs the TypeScript sources: slower to start, same behaviour.
      const failed = run(process.execPath, [join(root, 'scripts', 'build-headless.js')], root);
      result.headless = failed ? 'sources' : 'built';
      if (failed) log(`Could not bundle the headless service (${failed}); running it from the sources.`);
    }
  });
  return result;
}
