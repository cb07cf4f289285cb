// The benches' fleet of accounts: `perKind` each of New API, OpenRouter, DeepSeek and SurferCloud, against the
// loopback fakes in the bench's own process (so what the bench measures in the `spendbar` child is the child's).
import { startNewApiFake } from '../../electron/core/providers/fakes/newapi.ts';
import { startOpenRouterFake } from '../../electron/core/providers/fakes/openrouter.ts';
import { startDeepSeekFake } from '../../electron/core/providers/fakes/deepseek.ts';
import { startSurferCloudFake } from '../../electron/core/providers/fakes/surfercloud.ts';

const DAY = 86_400_000;

const hex = (i: number, salt: number) => ((i + 1) * 2654435761 + salt).toString(16).padStart(8, '0').slice(-8);
/** A made-up key per kind and index (never a real key's shape: the leak checks stay quiet). */
export const keyFor = (kind: string, i: number) => `sk-bench-${kind}-${hex(i, 1)}${hex(i, 2)}${hex(i, 3)}`;

/** A config-file account entry. */
export type FleetAccount = Record<string, unknown> & { id: string; provider: string };

export interface Fleet {
  /** gw-0, or-0, ds-0, sc-0, gw-1, …: `total` of them (default 4 × perKind). */
  accounts: FleetAccount[];
  /** Provider requests the fakes answered so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startFleet(opts: { perKind: number; total?: number; routerModels: string[]; pollIntervalSec?: number }): Promise<Fleet> {
  const idx = Array.from({ length: opts.perKind }, (_, i) => i);
  const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
  const gw = await startNewApiFake({
    state: { keys: Object.fromEntries(idx.map((i) => [keyFor('gw', i), { name: `k${i}`, granted: 10_000_000, used: 1_000 * i, unlimited: false, expiresAt: 0 }])) },
  });
  const or = await startOpenRouterFake({
    state: {
      keys: Object.fromEntries(
        idx.map((i) => [keyFor('or', i), { label: `k${i}`, limit: null, limitReset: null, usage: 1, usageDaily: 0.1, usageWeekly: 0.5, usageMonthly: 1, isManagementKey: true, isFreeTier: false, expiresAt: null }]),
      ),
      totalCredits: 100,
      totalUsage: 1,
      activity: opts.routerModels.map((model, m) => ({
        date: yesterday, model, endpoint_id: `e${m}`, provider_name: 'P', usage: 0.5, requests: 10, prompt_tokens: 1000, completion_tokens: 500, reasoning_tokens: 0,
      })),
    },
  });
  const ds = await startDeepSeekFake({
    state: { keys: Object.fromEntries(idx.map((i) => [keyFor('ds', i), { isAvailable: true, balances: [{ currency: 'CNY', total: 50 + i, granted: 0, toppedUp: 50 + i }] }])) },
  });
  const sc = await startSurferCloudFake({ state: { pairs: Object.fromEntries(idx.map((i) => [`bench-public-${i}`, keyFor('sc', i)])), usage: [], maxWindowS: 10 * 86_400 } });
  for (let d = 1; d <= 3; d++) sc.record(Date.now() - d * DAY, 'deepseek-ai/DeepSeek-V3', { in: 1000, out: 200, requests: 5 }, 'uk-bench');
  const fakes = [gw, or, ds, sc];
  const interval = opts.pollIntervalSec === undefined ? {} : { pollIntervalSec: opts.pollIntervalSec };
  const accounts: FleetAccount[] = [];
  for (const n of idx) {
    accounts.push({ id: `gw-${n}`, provider: 'newapi', label: `Gateway ${n}`, baseUrl: gw.url, apiKey: keyFor('gw', n), ...interval });
    accounts.push({ id: `or-${n}`, provider: 'openrouter', label: `Router ${n}`, baseUrl: or.url, apiKey: keyFor('or', n), ...interval });
    accounts.push({ id: `ds-${n}`, provider: 'deepseek', label: `DeepSeek ${n}`, baseUrl: ds.url, apiKey: keyFor('ds', n), ...interval });
    accounts.push({
      id: `sc-${n}`, provider: 'surfercloud', label: `Surfer ${n}`, baseUrl: sc.url, publicKey: `bench-public-${n}`, privateKey: keyFor('sc', n), keyId: 'uk-bench', models: ['deepseek-ai/DeepSeek-V3'], ...interval,
    });
  }
  return {
    accounts: accounts.slice(0, opts.total ?? accounts.length),
    requests: () => fakes.reduce((n, f) => n + f.requests.length, 0),
    close: async () => {
      await Promise.all(fakes.map((f) => f.close()));
    },
  };
}
