// Shared fixtures for the store tests: temp-dir databases and snapshot builders.
import { blankSnapshot } from '../../../electron/core/snapshots.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Snapshot, UsageBucket } from '../../../shared/domain.ts';
import { SnapshotStore, type StoreOptions } from '../../../electron/core/store/index.ts';
export { seeded as rng } from '../../../electron/core/providers/fakes/report.ts';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const dirs: string[] = [];
const stores: SnapshotStore[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'spendbar-store-'));
  dirs.push(d);
  return d;
}

export function tempDbPath(): string {
  return path.join(tempDir(), 'spendbar.db');
}

/** Opens a store on a fresh file in a temp dir; closed and removed after the test. */
export function openStore(opts: StoreOptions = {}, file = tempDbPath()): SnapshotStore {
  const s = SnapshotStore.open(file, opts);
  stores.push(s);
  return s;
}

export function track(store: SnapshotStore): SnapshotStore {
  stores.push(store);
  return store;
}

export function bucket(start: number, over: Partial<UsageBucket> = {}): UsageBucket {
  return {
    start,
    width: 'hour',
    model: 'gpt-x',
    key: '',
    requests: 1,
    inputTokens: 100,
    outputTokens: 50,
    cachedTokens: 10,
    reasoningTokens: 5,
    cost: { micros: 1000, currency: 'USD' },
    ...over,
  };
}

export function okSnapshot(accountId: string, time: number, over: Partial<Snapshot> = {}): Snapshot {
  const balance = over.balance === undefined ? { micros: 50_000_000, currency: 'USD' } : over.balance;
  return blankSnapshot(accountId, 'openrouter', time, { balance, balances: balance ? [balance] : [], ...over });
}

export function failedSnapshot(accountId: string, time: number): Snapshot {
  return blankSnapshot(accountId, 'openrouter', time, {
    ok: false,
    error: { kind: 'server', message: 'OpenRouter answered 503: try again later.', status: 503 },
  });
}

