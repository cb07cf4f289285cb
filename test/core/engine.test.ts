// The core's own promises, on a real store and real loopback fakes: a finished poll costs work for its account only,
// a fault of ours is not blamed on the provider, and a refresh answers at once.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createCore, type EngineCore } from '../../electron/core/engine.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';
import type { ConfigAccount } from '../../electron/core/accounts.ts';
import type { SpendbarEvent } from '../../shared/api.ts';

const key = (i: number) => `sk-${(0x1000000 + i).toString(16)}a${'7c3e9b1d'.repeat(3)}`;

let ds: DeepSeekFake | undefined;
let core: EngineCore | undefined;
afterEach(async () => {
  await core?.stop();
  await ds?.close();
  core = undefined;
  ds = undefined;
});

async function world(accounts: number): Promise<{ core: EngineCore; ds: DeepSeekFake; dataDir: string; events: SpendbarEvent[] }> {
  const keys = Object.fromEntries(Array.from({ length: accounts }, (_, i) => [key(i), { isAvailable: true, balances: [{ currency: 'USD', total: 10 + i, granted: 0, toppedUp: 10 + i }] }]));
  ds = await startDeepSeekFake({ state: { keys } });
  const configAccounts: ConfigAccount[] = Array.from({ length: accounts }, (_, i) => ({
    account: { id: `a${i}`, provider: 'deepseek', label: `A${i}`, baseUrl: ds!.url, pollIntervalSec: 300, source: 'config' },
    credentials: { apiKey: key(i) },
  }));
  const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-engine-'));
  core = await createCore({ dataDir, mode: 'serve', settings: createMemorySettingsStore(), secrets: createMemorySecretStore(), configAccounts });
  const events: SpendbarEvent[] = [];
  core.api.subscribe((e) => events.push(e));
  return { core, ds, dataDir, events };
}

describe('status changes are sent as deltas', () => {
  it('a finished poll pushes the status of that account only', async () => {
    const w = await world(30);
    await w.core.pollAll();
    w.events.length = 0;
    await w.core.api.refresh('a7');
    const statusEvents = w.events.filter((e) => e.type === 'status' || e.type === 'status-delta');
    expect(statusEvents.length).toBeGreaterThanOrEqual(2);
    for (const e of statusEvents) {
      expect(e.type).toBe('status-delta');
      expect(e.type === 'status-delta' && e.statuses.map((s) => s.accountId)).toEqual(['a7']);
    }
    const last = statusEvents.at(-1);
    expect(last?.type === 'status-delta' && last.statuses[0]).toMatchObject({ polling: false, latest: { ok: true, balance: { micros: 17_000_000 } } });
    // The snapshot event carries figures, not usage buckets.
    expect(w.events.find((e) => e.type === 'snapshot')).toMatchObject({ snapshot: { accountId: 'a7', usage: [] } });
  });

  it('a refresh of every account answers at once, with the accounts shown as polling', async () => {
    const w = await world(20);
    const statuses = await w.core.api.refresh();
    expect(statuses).toHaveLength(20);
    expect(statuses.every((s) => s.polling)).toBe(true);
    await waitFor(async () => (await w.core.api.getStatus()).every((s) => !s.polling && s.latest?.ok));
  });
});

describe('limits', () => {
  it('refuses a 1,001st account and a 501st alert rule with a message that says so', async () => {
    const w = await world(1000);
    await expect(
      w.core.api.saveAccount({ provider: 'deepseek', label: 'One more', baseUrl: w.ds.url, credentials: { apiKey: key(0) } }),
    ).rejects.toThrow(/at most 1000 accounts/);
    expect(await w.core.api.listAccounts()).toHaveLength(1000);
    const rules = Array.from({ length: 501 }, (_, i) => ({ id: `r${i}`, type: 'balance-below', account: 'a0', amount: 1, currency: 'USD' }));
    await expect(w.core.api.saveAlerts({ rules })).rejects.toThrow(/at most 500 alert rules/);
    expect((await w.core.api.saveAlerts({ rules: rules.slice(0, 500) })).rules).toHaveLength(500);
  });
});

describe('faults of our own', () => {
  it('a store that refuses the write after a good poll is not recorded as the provider failing', async () => {
    const w = await world(1);
    await w.core.pollAll();
    // A real SQLite failure on the next write: what a full disk or a broken file does to the insert.
    const other = new DatabaseSync(join(w.dataDir, 'spendbar.db'));
    other.exec("CREATE TRIGGER refuse BEFORE INSERT ON snapshots BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
    other.close();
    const before = w.ds.requests.length;
    const [status] = await w.core.api.refresh('a0');
    expect(w.ds.requests.length).toBe(before + 1);
    expect(status).toMatchObject({ consecutiveFailures: 0, latest: { ok: true, error: null, balance: { micros: 10_000_000 } } });
    expect(status?.latest?.notes.join(' ')).toMatch(/could not save these figures on this computer \(database or disk is full\)/);
  });

  it('keeps the database readable by its owner only', async () => {
    const w = await world(1);
    if (process.platform !== 'win32') expect(statSync(join(w.dataDir, 'spendbar.db')).mode & 0o077).toBe(0);
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
