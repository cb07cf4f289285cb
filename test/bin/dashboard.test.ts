// Every way of starting `spendbar serve` shows the dashboard: bin/spendbar.js builds it (and the headless bundle)
// before serving when it is missing or older than its sources, and an installed copy without Vite serves what it
// shipped with.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dashboardIndex, ensureBuilt } from '../../bin/dashboard.js';
import { headlessBundle } from '../../bin/freshness.js';

/** A package root with sources, and optionally Vite and earlier build outputs. */
function packageRoot(opts: { vite: boolean; built?: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'spendbar-dash-'));
  for (const dir of ['renderer', 'shared', 'electron/core', 'scripts']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'renderer', 'App.tsx'), 'x');
  writeFileSync(join(root, 'shared', 'domain.ts'), 'x');
  writeFileSync(join(root, 'electron', 'core', 'engine.ts'), 'x');
  writeFileSync(join(root, 'vite.config.ts'), 'x');
  for (const f of ['renderer/App.tsx', 'shared/domain.ts', 'electron/core/engine.ts', 'vite.config.ts']) utimesSync(join(root, f), 1000, 1000);
  if (opts.vite) {
    mkdirSync(join(root, 'node_modules', 'vite', 'bin'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'vite', 'bin', 'vite.js'), '');
  }
  if (opts.built) writeOutputs(root);
  return root;
}

function writeOutputs(root: string): void {
  mkdirSync(join(root, 'dist', 'renderer'), { recursive: true });
  mkdirSync(join(root, 'dist', 'headless'), { recursive: true });
  writeFileSync(dashboardIndex(root), '<!doctype html>');
  writeFileSync(headlessBundle(root), '');
}

/** A stand-in for the real builds: records each call and writes the outputs they would. */
function recordingRun(root: string, fail: 'dashboard' | 'headless' | null = null) {
  const calls: string[][] = [];
  const run = (_exec: string, args: string[]) => {
    calls.push(args);
    const isDashboard = args.some((a) => a.endsWith('vite.js'));
    if (fail === (isDashboard ? 'dashboard' : 'headless')) return 'exit status 1';
    if (isDashboard) {
      mkdirSync(join(root, 'dist', 'renderer'), { recursive: true });
      writeFileSync(dashboardIndex(root), '<!doctype html>');
    } else {
      mkdirSync(join(root, 'dist', 'headless'), { recursive: true });
      writeFileSync(headlessBundle(root), '');
    }
    return null;
  };
  return { calls, run };
}

const quiet = { log: () => {} };

describe('building the dashboard before serve', () => {
  it('builds the dashboard and the headless bundle on a fresh checkout, then not again while fresh', () => {
    const root = packageRoot({ vite: true });
    const { calls, run } = recordingRun(root);
    const lines: string[] = [];
    expect(ensureBuilt(root, { run, log: (l) => lines.push(l) })).toEqual({ dashboard: 'built', headless: 'built' });
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual([join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn']);
    expect(calls[1]).toEqual([join(root, 'scripts', 'build-headless.js')]);
    expect(lines.join('\n')).toContain('Building the dashboard');
    expect(ensureBuilt(root, { run, ...quiet })).toEqual({ dashboard: 'fresh', headless: 'fresh' });
    expect(calls).toHaveLength(2);
  });

  it('rebuilds only what a changed source feeds', () => {
    const root = packageRoot({ vite: true, built: true });
    const { calls, run } = recordingRun(root);
    expect(ensureBuilt(root, { run, ...quiet })).toEqual({ dashboard: 'fresh', headless: 'fresh' });
    const future = Date.now() / 1000 + 60;
    utimesSync(join(root, 'renderer', 'App.tsx'), future, future);
    expect(ensureBuilt(root, { run, ...quiet }).dashboard).toBe('built');
    expect(calls).toHaveLength(1);
    utimesSync(join(root, 'renderer', 'App.tsx'), 1000, 1000);
    utimesSync(join(root, 'electron', 'core', 'engine.ts'), future, future);
    expect(ensureBuilt(root, { run, ...quiet })).toEqual({ dashboard: 'fresh', headless: 'built' });
    expect(calls).toHaveLength(2);
  });

  it('an installed copy without Vite serves what it shipped, and says when it shipped nothing', () => {
    const shipped = packageRoot({ vite: false, built: true });
    const { calls, run } = recordingRun(shipped);
    expect(ensureBuilt(shipped, { run, ...quiet })).toEqual({ dashboard: 'shipped', headless: 'fresh' });
    const bare = packageRoot({ vite: false });
    expect(ensureBuilt(bare, { run, ...quiet })).toEqual({ dashboard: 'missing', headless: 'sources' });
    expect(calls).toHaveLength(0);
  });

  it('a failed dashboard build is an error to show; a failed bundle falls back to the sources', () => {
    const root = packageRoot({ vite: true });
    const failing = recordingRun(root, 'dashboard');
    const r = ensureBuilt(root, { run: failing.run, ...quiet });
    expect(r.dashboard).toBe('missing');
    expect(r.error).toContain('building the dashboard failed (exit status 1)');
    const root2 = packageRoot({ vite: true });
    const lines: string[] = [];
    const bundleFails = recordingRun(root2, 'headless');
    expect(ensureBuilt(root2, { run: bundleFails.run, log: (l) => lines.push(l) })).toEqual({ dashboard: 'built', headless: 'sources' });
    expect(lines.join('\n')).toContain('running it from the sources');
  });

  it('waits out a lock left by a build that died long ago', () => {
    const root = packageRoot({ vite: true });
    const lock = join(root, 'dist', '.build-lock');
    mkdirSync(lock, { recursive: true });
    const old = Date.now() / 1000 - 3600;
    utimesSync(lock, old, old);
    const { run } = recordingRun(root);
    expect(ensureBuilt(root, { run, ...quiet }).dashboard).toBe('built');
  });
});
