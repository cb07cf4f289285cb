// `spendbar serve --demo` runs in a folder of its own: it must never create, migrate or lock the user's real store.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/spendbar.js');

/** Starts serve, waits for its address, returns everything it printed, and stops it. */
function serveOnce(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, SPENDBAR_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`serve did not start:\n${out}`));
    }, 90_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Spendbar is serving on/.test(out) && /data: /.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', () => {
      clearTimeout(timer);
      done(out);
    });
  });
}

describe('serve --demo', () => {
  it('leaves the real data dir untouched when no accounts are configured', async () => {
    const real = mkdtempSync(join(tmpdir(), 'spendbar-real-'));
    const out = await serveOnce(['--demo'], { SPENDBAR_DATA_DIR: real });
    expect(out).toContain('demo: fake providers');
    expect(out).not.toContain(`data: ${real}`);
    expect(readdirSync(real)).toEqual([]);
  }, 120_000);

  it('is ignored, with a message, when the config file has accounts', async () => {
    const real = mkdtempSync(join(tmpdir(), 'spendbar-real-'));
    const config = join(real, 'config.json');
    writeFileSync(config, JSON.stringify({ accounts: [{ id: 'ds', provider: 'deepseek', label: 'DeepSeek', apiKeyEnv: 'SPENDBAR_TEST_UNSET_KEY' }] }));
    const out = await serveOnce(['--demo', '--config', config], { SPENDBAR_DATA_DIR: real });
    expect(out).toContain('--demo ignored: accounts are configured');
    expect(out).toContain(`data: ${real}`);
    expect(existsSync(join(real, 'spendbar.db'))).toBe(true);
  }, 120_000);
});
