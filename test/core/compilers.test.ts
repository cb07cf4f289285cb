import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilerSwitch, HOT_WORK_THRESHOLD, optimizingCompilers, SCRAPE_WEIGHT } from '../../electron/core/compilers.ts';
import { SERVE_NODE_FLAGS } from '../../bin/runtime.js';
import { call, startHarness } from './proxy/harness.ts';

const OFF = ['--no-maglev', '--no-turbofan', '--no-sparkplug'];
const ON = ['--maglev', '--turbofan', '--sparkplug'];

describe('optimizing compilers on demand', () => {
  it('turns the compilers on once, when the noted work reaches the threshold', () => {
    const set: string[] = [];
    const s = compilerSwitch({ execArgv: ['--max-semi-space-size=1', ...OFF], setFlags: (f) => set.push(f) });
    expect(s.on).toBe(false);
    for (let i = 0; i < HOT_WORK_THRESHOLD - 1; i++) s.note();
    expect(set).toEqual([]);
    expect(s.on).toBe(false);
    s.note();
    expect(set).toEqual(ON);
    expect(s.on).toBe(true);
    s.note(SCRAPE_WEIGHT);
    expect(set).toHaveLength(3);
    expect(s.work).toBe(HOT_WORK_THRESHOLD + SCRAPE_WEIGHT);
  });

  it('turns on only what was turned off, and nothing in a process started with the defaults', () => {
    const set: string[] = [];
    const defaults = compilerSwitch({ execArgv: [], setFlags: (f) => set.push(f), threshold: 1 });
    expect(defaults.on).toBe(true);
    defaults.note(100);
    // The last of a flag and its opposite wins, as in V8.
    const onAgain = compilerSwitch({ execArgv: ['--no-turbofan', '--turbofan', '--no-maglev'], setFlags: (f) => set.push(f), threshold: 1 });
    expect(onAgain.on).toBe(false);
    onAgain.note();
    expect(set).toEqual(['--maglev']);
  });

  it('turnOn turns them on at once, whatever was noted', () => {
    const set: string[] = [];
    const s = compilerSwitch({ execArgv: OFF, setFlags: (f) => set.push(f) });
    s.note(3);
    s.turnOn();
    expect(s.on).toBe(true);
    expect(set).toEqual(ON);
    s.turnOn();
    expect(set).toHaveLength(3);
  });

  it('a scrape weighs as much as several proxied requests', () => {
    const set: string[] = [];
    const s = compilerSwitch({ execArgv: OFF, setFlags: (f) => set.push(f) });
    for (let i = 0; i < Math.ceil(HOT_WORK_THRESHOLD / SCRAPE_WEIGHT) - 1; i++) s.note(SCRAPE_WEIGHT);
    expect(s.on).toBe(false);
    s.note(SCRAPE_WEIGHT);
    expect(s.on).toBe(true);
  });

  it('a flag V8 refuses is logged, never thrown into the request that noted the work', () => {
    const s = compilerSwitch({ execArgv: OFF, threshold: 1, setFlags: () => { throw new Error('refused'); } });
    expect(() => s.note()).not.toThrow();
    expect(s.on).toBe(true);
  });

  it('`spendbar serve` starts with the compilers off', () => {
    expect(SERVE_NODE_FLAGS).toEqual(expect.arrayContaining(OFF));
  });

  it('in a real Node started with them off, a hot function is optimized only after the switch', () => {
    // V8's %GetOptimizationStatus: bit 4 is "optimized" (Maglev or TurboFan), bit 15 "baseline" (Sparkplug).
    const module = pathToFileURL(join(import.meta.dirname, '../../electron/core/compilers.ts')).href;
    const script = `
      const { optimizingCompilers, HOT_WORK_THRESHOLD } = await import(${JSON.stringify(module)});
      const status = new Function('f', 'return %GetOptimizationStatus(f)');
      const make = () => new Function('n', 'let s = 0; for (let i = 0; i < n; i++) s += (i * 31) % 7; return s');
      const heat = (f) => { for (let k = 0; k < 300; k++) f(20000); };
      const before = make(); heat(before);
      const wasOn = optimizingCompilers.on;
      for (let i = 0; i < HOT_WORK_THRESHOLD; i++) optimizingCompilers.note();
      const after = make(); heat(after);
      console.log(JSON.stringify({ wasOn, on: optimizingCompilers.on, before: (status(before) & (16 | 32768)) !== 0, after: (status(after) & 16) !== 0 }));
    `;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', ...OFF, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ wasOn: false, on: true, before: false, after: true });
  }, 60_000);

  it('the proxy notes each request and the server each /metrics scrape', async () => {
    const h = await startHarness();
    try {
      const before = optimizingCompilers.work;
      const res = await call(h, '/oa/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(200);
      expect(optimizingCompilers.work).toBe(before + 1);
      const scrape = await fetch(`${h.server.url}/metrics`);
      expect(scrape.status).toBe(200);
      expect(optimizingCompilers.work).toBe(before + 1 + SCRAPE_WEIGHT);
    } finally {
      await h.close();
    }
  });
});
