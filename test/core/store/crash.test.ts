import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openStore, tempDbPath } from './helpers.ts';

const CHILD = path.join(import.meta.dirname, 'fixtures', 'crash-child.ts');
const COMMITTED = 40;

/** Starts the child, waits until it stops inside its big batch's transaction, notes the WAL's size, then SIGKILLs it. */
function killMidWrite(file: string): Promise<{ stdout: string; signal: NodeJS.Signals | null; walBytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, file, String(COMMITTED)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let walBytes = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (walBytes === 0 && stdout.includes('mid\n')) {
        walBytes = fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : -1;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === null) reject(new Error(`child exited on its own (code ${code}): ${stderr.slice(-1000)}`));
      else resolve({ stdout, signal, walBytes });
    });
  });
}

describe('crash safety', () => {
  it('keeps every committed snapshot and none of a transaction killed mid-write', async () => {
    const file = tempDbPath();
    const { stdout, signal, walBytes } = await killMidWrite(file);
    expect(signal).toBe('SIGKILL');
    expect(stdout).toContain('committed\n');
    expect(stdout).not.toContain('finished');
    // Past the committed polls' few pages: the open transaction had spilled frames into the WAL when it was killed.
    expect(walBytes).toBeGreaterThan(4 * 1024 * 1024);

    const store = openStore({}, file);
    expect(store.db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    const saved = store.snapshots('committed', 0, Number.MAX_SAFE_INTEGER);
    expect(saved).toHaveLength(COMMITTED);
    expect(saved.map((s) => s.notes[0])).toEqual(Array.from({ length: COMMITTED }, (_, i) => `poll ${i}`));
    expect(store.latest('committed')?.balance).toEqual({ micros: 1_000_000 + COMMITTED - 1, currency: 'USD' });
    // The last committed poll's revision of its hour bucket is what counts: requests = COMMITTED, for each of 2 models.
    expect(store.totals({ groupBy: 'account', from: 0, to: Number.MAX_SAFE_INTEGER })).toMatchObject([
      { group: 'committed', requests: 2 * COMMITTED, costMicros: 2 * COMMITTED },
    ]);
    expect(store.latest('doomed')).toBeNull();
    for (const table of ['snapshots', 'usage_buckets', 'usage_daily', 'balance_hourly', 'usage_coverage']) {
      expect(store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE account_id = 'doomed'`).get()).toEqual({ n: 0 });
    }
  });
});
