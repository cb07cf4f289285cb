// `spendbar estimate` as a user runs it from a shell: files, standard input, --json, and every kind of bad input.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EstimateResult } from '../../../shared/estimate.ts';
import { counter } from '../../../electron/core/estimate/tokenizer.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/spendbar.js');
const CORPUS = resolve(import.meta.dirname, 'fixtures/corpus');
const dir = mkdtempSync(join(tmpdir(), 'spendbar-estimate-cli-'));

function run(args: string[], stdin?: string | Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, 'estimate', '--data-dir', join(dir, 'data'), ...args], { env: { ...process.env, SPENDBAR_CONFIG: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('spendbar estimate', { timeout: 60_000 }, () => {
  it('prints a table for a messages file: tokens, method, cost range, window, price source, how counted', async () => {
    const r = await run(['--model', 'gpt-4o', '--model', 'claude-sonnet-4-5,qwen-max', join(CORPUS, 'messages.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OpenAI messages, 4 messages/);
    expect(r.stdout).toMatch(/max output 800 tokens \(the request's max tokens\)/);
    expect(r.stdout).toMatch(/Prices: @pydantic\/genai-prices 0\.1\.8, published 2026-09-23, list prices in USD/);
    expect(r.stdout).toMatch(/gpt-4o\s+165\s+exact\s+800\s+\$0\.\d+ … \$0\.\d+\s+128,000 \(fits\)/);
    expect(r.stdout).toMatch(/qwen-max\s+\d+\s+estimated\s+800\s+unpriced/);
    expect(r.stdout).toMatch(/How counted:\n(.*\n)*\s+Claude: estimated: character-class rates fitted to the legacy Claude tokenizer/);
  });

  it('reads standard input with "-" and prints JSON with --json', async () => {
    const r = await run(['--json', '--model', 'gpt-4o-mini', '--max-output', '50', '-'], 'How many tokens is this?');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as EstimateResult;
    expect(result).toMatchObject({ format: 'text', maxOutput: 50, maxOutputFrom: 'caller', modelsFrom: 'caller' });
    expect(result.rows[0]).toMatchObject({ model: 'gpt-4o-mini', status: 'ok', inputTokens: (await counter('o200k_base'))('How many tokens is this?'), method: 'exact' });
  });

  it('uses the default list with no accounts, and exits 2 naming an unknown model', async () => {
    const d = await run([join(CORPUS, 'english.txt')]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/Models: a default list \(no usage in the last 30 days\)/);
    const u = await run(['--model', 'gtp-4o', join(CORPUS, 'english.txt')]);
    expect(u.code).toBe(2);
    expect(u.stdout).toMatch(/gtp-4o: Unknown model 'gtp-4o'.*Did you mean 'gpt-4o'/);
  });

  it('refuses bad input with a clear message and exit 1', async () => {
    const bin = join(dir, 'image.png');
    writeFileSync(bin, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const latin1 = join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72]));
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'a'.repeat(1_048_577));
    const cases: [string[], string | undefined, RegExp][] = [
      [[bin], undefined, /looks binary/],
      [[latin1], undefined, /not UTF-8 text/],
      [[big], undefined, /larger than 1 MiB/],
      [['-'], '{"messages": [{"role": "user", "content": 1}]}', /messages\[0\]\.content must be a string/],
      [['--max-output', 'lots', join(dir, 'missing.txt')], undefined, /--max-output must be a whole number/],
    ];
    const results = await Promise.all(cases.map(([args, stdin]) => run(args, stdin)));
    results.forEach((r, i) => {
      const [args, , message] = cases[i] as (typeof cases)[number];
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  });
});
