// The core with several accounts on one gateway: they share its /api/status and its rate-limited routes, per-model
// usage from the request log is stored without double counting, and spend windows come from it.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type EngineCore } from '../../electron/core/engine.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startNewApiFake, type NewApiFake } from '../../electron/core/providers/fakes/newapi.ts';
import type { ConfigAccount } from '../../electron/core/accounts.ts';
import { DERIVED_MODEL } from '../../electron/core/derived-usage.ts';

const HOUR = 3_600_000;
let core: EngineCore | undefined;
let fake: NewApiFake | undefined;
let dir = '';
afterEach(async () => {
  await core?.stop();
  await fake?.close();
  core = undefined;
  fake = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const keys = ['sk-engineKeyA', 'sk-engineKeyB', 'sk-engineKeyC'];

function account(i: number, url: string): ConfigAccount {
  const id = `gw${i}`;
  return {
    account: { id, provider: 'newapi', label: id, baseUrl: url, pollIntervalSec: 300, source: 'config', credentials: { apiKey: { set: true, masked: 'sk-…', from: 'inline' } } },
    credentials: { apiKey: keys[i]! },
  };
}

describe('the core with several accounts on one gateway', () => {
  it('reads /api/status once for all of them, stores per-model log usage once however often it is re-read, and sums windows from it', async () => {
    let t = Date.UTC(2026, 10, 24, 12, 0, 0);
    const now = () => t;
    fake = await startNewApiFake({
      now,
      state: { keys: Object.fromEntries(keys.map((k, i) => [k, { name: `key${i}`, granted: 10_000_000, used: 0, unlimited: false, expiresAt: 0 }])) },
    });
    for (const k of keys) {
      fake.spend(k, 500_000, { model: 'gpt-4o', prompt: 100, completion: 10, at: t - 2 * HOUR });
      fake.spend(k, 250_000, { model: 'deepseek-chat', prompt: 50, completion: 5, at: t - HOUR });
    }
    dir = mkdtempSync(join(tmpdir(), 'spendbar-engine-gw-'));
    core = await createCore({
      dataDir: dir,
      mode: 'serve',
      settings: createMemorySettingsStore(),
      configPreferences: { timeZone: 'UTC' },
      secrets: createMemorySecretStore(),
      configAccounts: keys.map((_, i) => account(i, fake!.url)),
      now,
    });
    const first = await core.pollAll();
    expect(first.every((s) => s.ok)).toBe(true);
    expect(fake.requests.filter((r) => r.path === '/api/status')).toHaveLength(1);
    for (const s of first) {
      expect(s.usage.map((b) => [b.model, b.cost?.micros])).toEqual([
        ['gpt-4o', 1_000_000],
        ['deepseek-chat', 500_000],
      ]);
      expect(s.spent.today).toEqual({ micros: 1_500_000, currency: 'USD' });
    }

    // Re-polled 11 minutes later (the log is read again): the same rows, stored once.
    t += 11 * 60_000;
    fake.spend(keys[0]!, 100_000, { model: 'gpt-4o', at: t - 60_000 });
    const second = await core.pollAll();
    const gw0 = second.find((s) => s.accountId === 'gw0')!;
    expect(gw0.spent.today).toEqual({ micros: 1_700_000, currency: 'USD' });
    const totals = await core.api.queryTotals({ groupBy: 'account', from: t - 24 * HOUR, to: t + HOUR });
    expect(totals.map((r) => [r.group, r.costMicros, r.requests])).toEqual([
      ['gw0', 1_700_000, 3],
      ['gw1', 1_500_000, 2],
      ['gw2', 1_500_000, 2],
    ]);

    // A poll that skips the log (read 1 minute ago) derives nothing from the balance drop: the next read carries it.
    t += 60_000;
    fake.spend(keys[1]!, 200_000, { model: 'gpt-4o', at: t - 1000 });
    const third = await core.pollAll();
    expect(third.find((s) => s.accountId === 'gw1')?.usage).toEqual([]);
    const models = await core.api.queryTotals({ groupBy: 'model', from: t - 24 * HOUR, to: t + HOUR, accountIds: ['gw1'] });
    expect(models.map((r) => r.group)).not.toContain(DERIVED_MODEL);
    // Three accounts, three polls over 12 minutes: /api/status read once per 10 minutes for all of them, and at most
    // 12 rate-limited requests.
    expect(fake.requests.filter((r) => r.path === '/api/status')).toHaveLength(2);
    expect(fake.requests.filter((r) => r.path === '/api/log/token').length).toBeLessThanOrEqual(12);
  });
});
