// SurferCloud modes seen across regions and SDK versions: China-time day buckets, hourly buckets, a required Model,
// and the token-usage action removed in favour of the request logs.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridOf, surfercloudAdapter, widthOf } from '../../../electron/core/providers/surfercloud.ts';
import {
  DEMO_SURFER_KEY_ID,
  DEMO_SURFER_PRIVATE_KEY,
  DEMO_SURFER_PUBLIC_KEY,
  startSurferCloudFake,
  type SurferCloudFake,
  type SurferCloudFakeState,
} from '../../../electron/core/providers/fakes/surfercloud.ts';
import { ucloudSignature } from '../../../electron/core/providers/ucloud-signature.ts';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient } from '../../../electron/core/http.ts';
import { pollAccount } from '../../../electron/core/poll-account.ts';
import { getAdapter } from '../../../electron/core/providers/registry.ts';
import { SnapshotStore } from '../../../electron/core/store/index.ts';
import type { Account } from '../../../shared/domain.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1);

let fake: SurferCloudFake | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function account(options: Record<string, string | string[]> = {}, baseUrl?: string): Account {
  return { id: 'sc', provider: 'surfercloud', label: 'Surfer', pollIntervalSec: 300, options: { keyId: DEMO_SURFER_KEY_ID, ...options }, ...(baseUrl ? { baseUrl } : {}) };
}

async function start(state: Partial<SurferCloudFakeState>, now: () => number): Promise<SurferCloudFake> {
  fake = await startSurferCloudFake({ now, state: { usage: [], ...state } });
  return fake;
}

const credentials = { publicKey: DEMO_SURFER_PUBLIC_KEY, privateKey: DEMO_SURFER_PRIVATE_KEY };

function read(f: SurferCloudFake, now: number, opts: { usageSince?: number; options?: Record<string, string | string[]> } = {}) {
  return surfercloudAdapter.fetch({
    account: account(opts.options),
    baseUrl: f.url,
    credentials,
    http: defaultHttpClient,
    timeoutMs: 5_000,
    now: () => now,
    ...(opts.usageSince !== undefined ? { usageSince: opts.usageSince } : {}),
  });
}

function openStore(): SnapshotStore {
  const dir = mkdtempSync(join(tmpdir(), 'spendbar-surfer-'));
  dirs.push(dir);
  return SnapshotStore.open(join(dir, 'spendbar.db'), { timeZone: 'Asia/Shanghai' });
}

/** Usage every hour of a month; polls every `everyH` hours into a real store, as the engine does (usageSince from coverage). */
async function month(state: Partial<SurferCloudFakeState>, everyH: number) {
  let now = T0;
  const f = await start(state, () => now);
  const store = openStore();
  let expectedIn = 0;
  let expectedReq = 0;
  for (let h = 0; h < 30 * 24; h++) {
    now = T0 + h * HOUR + 20 * 60_000;
    const tokens = 100 + (h % 7) * 13;
    f.record(T0 + h * HOUR + 60_000, 'deepseek-ai/DeepSeek-V3', { in: tokens, out: 10, requests: 1 });
    expectedIn += tokens;
    expectedReq += 1;
    if (h % everyH !== everyH - 1) continue;
    const snap = await pollAccount(account({}, f.url), { adapters: getAdapter, credentials, http: defaultHttpClient, now: () => now, usageSince: store.usageCoverage('sc') ?? undefined });
    expect(snap.error).toBeNull();
    store.saveSnapshot(snap);
  }
  // After the month, one more poll a day later (the last bucket is complete by then).
  now += DAY;
  const last = await pollAccount(account({}, f.url), { adapters: getAdapter, credentials, http: defaultHttpClient, now: () => now, usageSince: store.usageCoverage('sc') ?? undefined });
  store.saveSnapshot(last);
  const [total] = store.totals({ groupBy: 'account', from: T0 - 2 * DAY, to: now + DAY });
  return { total, expectedIn, expectedReq, store, last };
}

describe('surfercloud: buckets kept where they start', () => {
  it('labels the grid from the data', () => {
    const china = Date.UTC(2025, 0, 1) / 1000 - 8 * 3600;
    expect(gridOf([china, china + 86_400, china + 2 * 86_400])).toBe('day');
    expect(gridOf([china])).toBe('day');
    expect(gridOf([Date.UTC(2025, 0, 1) / 1000])).toBe('day');
    expect(gridOf([china + 3600, china + 7200])).toBe('hour');
    expect(gridOf([china + 3600])).toBe('hour');
    expect(gridOf([Date.UTC(2025, 0, 1) / 1000 - 5.5 * 3600])).toBe('day'); // an India-time midnight
  });

  it.each(['partial', 'timestamp'] as const)('keeps China-time day buckets at 16:00 UTC and loses no token over a month of polls (%s windows)', async (windows) => {
    const { total, expectedIn, expectedReq, store, last } = await month({ grid: 'china-day', windows }, 5);
    expect(total?.inputTokens).toBe(expectedIn);
    expect(total?.requests).toBe(expectedReq);
    const starts = (store.db.prepare(`SELECT DISTINCT start, width FROM usage_buckets WHERE requests > 0`).all() as { start: number; width: string }[]);
    expect(starts.every((s) => s.width === 'day' && (s.start / 1000 + 8 * 3600) % 86_400 === 0)).toBe(true);
    // Per local (China) day, each day shows exactly its own 24 hours.
    const daily = store.series({ metric: 'requests', bucket: 'day', groupBy: 'none', from: T0 - 8 * HOUR + DAY, to: T0 - 8 * HOUR + 5 * DAY, timeZone: 'Asia/Shanghai' });
    expect(daily.series[0]?.points.map((p) => p.v)).toEqual([24, 24, 24, 24]);
    expect(last.ok).toBe(true);
    store.close();
  });

  it('keeps hourly buckets at their hours, and loses nothing over a month', async () => {
    const { total, expectedIn, expectedReq, store } = await month({ grid: 'hour' }, 3);
    expect(total?.inputTokens).toBe(expectedIn);
    expect(total?.requests).toBe(expectedReq);
    // One bucket per hour of the month, each labelled by its own timestamp (never two labels for one start).
    const rows = store.db.prepare(`SELECT start, width FROM usage_buckets WHERE requests > 0`).all() as { start: number; width: string }[];
    expect(new Set(rows.map((r) => r.start)).size).toBe(rows.length);
    expect(rows.every((r) => r.start % HOUR === 0)).toBe(true);
    expect(rows.filter((r) => r.width === 'hour').length).toBe(30 * 22);
    store.close();
  });

  it('labels a bucket by its own timestamp, whatever else a read returned', () => {
    const day = Date.UTC(2025, 0, 1) / 1000;
    expect([widthOf(day), widthOf(day - 8 * 3600), widthOf(day + 3600), widthOf(day - 5.5 * 3600)]).toEqual(['day', 'day', 'hour', 'day']);
  });

  it('clears a day bucket of the removed report when the request logs take over its hours', async () => {
    const now = T0 + DAY + 3 * HOUR;
    const f = await start({ tokenUsageRemoved: true }, () => now);
    const chinaDay = T0 - 8 * HOUR + DAY;
    f.record(chinaDay + HOUR, 'm', { in: 10, requests: 1 });
    const r = await read(f, now, { usageSince: chinaDay, options: { region: 'cn-wlcb', zone: 'cn-wlcb-01' } });
    expect(r.usage.map((b) => [b.start, b.width, b.requests])).toEqual([
      [chinaDay, 'day', 0],
      [chinaDay + HOUR, 'hour', 1],
    ]);
  });

  it('clears what an older Spendbar filed under UTC midnight when the days start at China midnight', async () => {
    const now = T0 + 3 * DAY + 5 * HOUR;
    const f = await start({ grid: 'china-day' }, () => now);
    for (let h = 0; h < 3 * 24; h++) f.record(T0 + h * HOUR, 'm', { in: 10, requests: 1 });
    const r = await read(f, now, { usageSince: T0 + DAY });
    const zeroed = r.usage.filter((b) => b.requests === 0);
    expect(zeroed.length).toBeGreaterThan(0);
    expect(zeroed.every((b) => b.start % DAY === 0 && b.inputTokens === 0)).toBe(true);
    expect(r.usage.filter((b) => b.requests > 0).every((b) => (b.start + 8 * HOUR) % DAY === 0)).toBe(true);
  });
});

describe('surfercloud: a region that wants a Model on every request', () => {
  it('reads once per model the key is granted when the account lists none', async () => {
    const now = T0 + 2 * DAY;
    const f = await start(
      { requireModel: true, apiKeys: [{ KeyId: DEMO_SURFER_KEY_ID, Name: 'main', Key: 'sk-plain-secret-value-0000', GrantAllModels: false, GrantedModels: ['m1', 'm2'] }] },
      () => now,
    );
    f.record(T0 + HOUR, 'm1', { in: 10, out: 1, requests: 1 });
    f.record(T0 + HOUR, 'm2', { in: 20, out: 2, requests: 2 });
    const r = await read(f, now);
    expect(r.usage.map((b) => [b.model, b.requests])).toEqual([
      ['m1', 1],
      ['m2', 2],
    ]);
    const actions = f.requests.map((q) => JSON.parse(q.body.startsWith('{') ? q.body : '{}').Model ?? new URLSearchParams(q.body).get('Action'));
    expect(actions).toContain('ListUMInferAPIKey');
    expect(actions.filter((a) => a === 'm1').length).toBeGreaterThan(0);
    expect(r.notes.join(' ')).toContain('2 model(s) this key is granted');
    // The key list carries the plaintext key: it never reaches the reading.
    expect(JSON.stringify(r)).not.toContain('sk-plain-secret-value-0000');
  });

  it('asks for the models when the key may use all of them', async () => {
    const now = T0 + DAY;
    const f = await start({ requireModel: true }, () => now);
    const err = await read(f, now).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('config');
    expect((err as ProviderError).message).toContain('Models option');
  });

  it('reads the listed models without asking for grants', async () => {
    const now = T0 + DAY;
    const f = await start({ requireModel: true }, () => now);
    f.record(T0 + HOUR, 'm1', { in: 10, requests: 1 });
    const r = await read(f, now, { options: { models: ['m1'] } });
    expect(r.usage).toHaveLength(1);
    expect(f.requests.every((q) => !q.body.includes('ListUMInferAPIKey'))).toBe(true);
  });
});

describe('surfercloud: GetUMInferTokenUsage removed (SDK 0.22.97): the request logs', () => {
  it('says what to set when the region and zone are missing', async () => {
    const now = T0 + DAY;
    const f = await start({ tokenUsageRemoved: true }, () => now);
    const err = (await read(f, now).then(() => undefined, (e: unknown) => e)) as ProviderError;
    expect(err.kind).toBe('config');
    expect(err.message).toMatch(/Region and Zone/);
  });

  it('sums the request logs into hourly buckets, paging by Offset and Limit, in milliseconds', async () => {
    const now = T0 + 2 * DAY + 30 * 60_000;
    const f = await start({ tokenUsageRemoved: true }, () => now);
    f.record(T0 + 3 * HOUR, 'm1', { in: 25_000, out: 2_500, requests: 250, cached: 1_000 });
    f.record(T0 + DAY + 7 * HOUR, 'm2', { in: 70, out: 7, requests: 7 });
    f.record(T0 + DAY + 7 * HOUR, 'm2', { in: 5, requests: 1 }, 'someone-else');
    const r = await read(f, now, { options: { region: 'cn-wlcb', zone: 'cn-wlcb-01' } });
    expect(r.usage).toEqual([
      { start: T0 + 3 * HOUR, width: 'hour', model: 'm1', key: DEMO_SURFER_KEY_ID, requests: 250, inputTokens: 25_000, outputTokens: 2_500, cachedTokens: 1_000, reasoningTokens: 0, cost: null },
      { start: T0 + DAY + 7 * HOUR, width: 'hour', model: 'm2', key: DEMO_SURFER_KEY_ID, requests: 7, inputTokens: 70, outputTokens: 7, cachedTokens: 0, reasoningTokens: 0, cost: null },
    ]);
    const logCalls = f.requests.map((q) => new URLSearchParams(q.body)).filter((p) => p.get('Action') === 'ListUMInferRequestLogs');
    expect(logCalls.some((p) => p.get('Offset') === '200')).toBe(true);
    expect(logCalls.every((p) => p.get('ApiKeyIds.0') === DEMO_SURFER_KEY_ID && p.get('Region') === 'cn-wlcb' && p.get('Zone') === 'cn-wlcb-01')).toBe(true);
    expect(Number(logCalls[0]?.get('StartTime'))).toBeGreaterThan(1e12);
    expect(r.notes.join(' ')).toContain('request logs');
  });

  it('resumes at the newest stored hour and reads it whole again', async () => {
    const now = T0 + DAY + 10 * HOUR;
    const f = await start({ tokenUsageRemoved: true }, () => now);
    f.record(T0 + 9 * HOUR, 'm', { in: 10, requests: 1 });
    f.record(T0 + DAY + 9 * HOUR, 'm', { in: 30, requests: 3 });
    const r = await read(f, now, { usageSince: T0 + DAY + 9 * HOUR, options: { region: 'cn-wlcb', zone: 'cn-wlcb-01', models: ['m'] } });
    expect(r.usage.map((b) => [b.start, b.requests])).toEqual([[T0 + DAY + 9 * HOUR, 3]]);
    const first = f.requests.map((q) => new URLSearchParams(q.body)).find((p) => p.get('Action') === 'ListUMInferRequestLogs');
    expect(first?.get('StartTime')).toBe(String(T0 + DAY + 9 * HOUR));
    expect(first?.get('ModelNames.0')).toBe('m');
  });

  it('answers arrays sent as one JSON array string too (ucloud-cli style)', async () => {
    const now = T0 + DAY;
    const f = await start({ tokenUsageRemoved: true }, () => now);
    f.record(T0 + HOUR, 'm1', { in: 10, requests: 1 });
    f.record(T0 + HOUR, 'm2', { in: 10, requests: 1 });
    const params = { Action: 'ListUMInferRequestLogs', Region: 'cn-wlcb', Zone: 'cn-wlcb-01', StartTime: T0, EndTime: now, Limit: 100, ModelNames: '["m1"]', PublicKey: DEMO_SURFER_PUBLIC_KEY };
    const body = new URLSearchParams(Object.entries({ ...params, Signature: ucloudSignature(params, DEMO_SURFER_PRIVATE_KEY) }).map(([k, v]) => [k, String(v)]));
    const res = await defaultHttpClient({ method: 'POST', url: f.url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString(), timeoutMs: 5_000 });
    const json = JSON.parse(res.text) as { Data: { Items: { ModelName: string }[] } };
    expect(json.Data.Items.map((i) => i.ModelName)).toEqual(['m1']);
  });
});
