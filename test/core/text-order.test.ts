import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareText } from '../../electron/core/text-order.ts';

describe('compareText, the order the core sorts names in', () => {
  it('orders letters ignoring case, then by code unit, and is a total order', () => {
    const names = ['bench', 'Bench', 'app', 'Zed', 'zed', 'model-10', 'model-2', '', 'USD', 'CNY', 'cny'];
    expect([...names].sort(compareText)).toEqual(['', 'app', 'Bench', 'bench', 'CNY', 'cny', 'model-10', 'model-2', 'USD', 'Zed', 'zed']);
    for (const a of names) {
      expect(compareText(a, a)).toBe(0);
      for (const b of names) expect(Math.sign(compareText(a, b)) + Math.sign(compareText(b, a))).toBe(0);
    }
  });

  it('never makes an ICU collator (String#localeCompare would)', () => {
    const module = pathToFileURL(join(import.meta.dirname, '../../electron/core/text-order.ts')).href;
    const script = `
      String.prototype.localeCompare = () => { throw new Error('localeCompare called'); };
      globalThis.Intl = new Proxy({}, { get() { throw new Error('Intl used'); } });
      const { compareText } = await import(${JSON.stringify(module)});
      console.log(JSON.stringify(['b', 'A', 'é', 'a'].sort(compareText)));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['A', 'a', 'b', 'é']);
  });
});
