// Per-model usage from New-API's request log, and polling within the gateway's shared rate limit.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUCKET_MS } from '../../../shared/domain.ts';
import { RequestBudget } from '../../../electron/core/request-budget.ts';
import { SnapshotStore } from '../../../electron/core/store/index.ts';
import { blankSnapshot } from '../../../electron/core/snapshots.ts';
import { KEY, BASE_KEY, notes, paths, poll, start } from './newapi-helpers.ts';

const HOUR = BUCKET_MS.hour;
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function store(): SnapshotStore {
  const dir = mkdtempSync(join(tmpdir(), 'spendbar-log-'));
  dirs.push(dir);
  return SnapshotStore.open(join(dir, 'spendbar.db'));
}

describe('newapi adapter: per-model usage from the request log', () => {
  it('sums the log into hourly buckets per model: requests, tokens, cached tokens and cost (refunds subtracted)', async () => {
    const fake = await start();
    fake.spend(KEY, 1_000, { model: 'gpt-4o', prompt: 900, completion: 60, cached: 512, at: H0 + 60_000 });
    fake.spend(KEY, 3_000, { model: 'gpt-4o', prompt: 100, completion: 40, at: H0 + 120_000 });
    fake.spend(KEY, 500_000, { model: 'claude-sonnet-4', prompt: 10, completion: 5, at: H0 + HOUR + 1 });
    fake.refund(KEY, 100_000, { model: 'claude-sonnet-4', at: H0 + HOUR + 2 });
    fake.logRow(KEY, { type: 5, quota: 0, model_name: 'gpt-4o', created_at: (H0 + 3000) / 1000 });
    const r = await poll(fake);
    expect(r.usage).toEqual([
      { start: H0, width: 'hour', model: 'gpt-4o', key: 'primary', requests: 2, inputTokens: 1000, outputTokens: 100, cachedTokens: 512, reasoningTokens: 0, cost: { micros: 8_000, currency: 'USD' } },
      { start: H0 + HOUR, width: 'hour', model: 'claude-sonnet-4', key: 'primary', requests: 1, inputTokens: 10, outputTokens: 5, cachedTokens: 0, reasoningTokens: 0, cost: { micros: 800_000, currency: 'USD' } },
    ]);
    expect(notes(r)).toContain('request log of this key: 5 request(s) back to');
    const log = fake.requests.find((q) => q.path === '/api/log/token');
    expect(log?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(log?.query.has('key')).toBe(false);
  });

  it('prices the log in the gateway currency (CNY display)', async () => {
    const fake = await start({ displayType: 'CNY', usdExchangeRate: 7 });
    fake.spend(KEY, 500_000, { model: 'gpt-4o', at: H0 });
    const r = await poll(fake);
    expect(r.usage[0]?.cost).toEqual({ micros: 7_000_000, currency: 'CNY' });
  });

  it('counts nothing from rows of a type it does not know, says so, and keeps the rest', async () => {
    const fake = await start();
    fake.spend(KEY, 5_000, { model: 'gpt-4o', at: H0 });
    fake.logRow(KEY, { type: 9, quota: 123_456, model_name: 'gpt-4o', created_at: H0 / 1000 });
    fake.logRow(KEY, { type: 0, quota: 1, model_name: 'gpt-4o', created_at: H0 / 1000 });
    const r = await poll(fake);
    expect(r.usage).toHaveLength(1);
    expect(r.usage[0]).toMatchObject({ requests: 1, cost: { micros: 10_000, currency: 'USD' } });
    expect(notes(r)).toContain('rows Spendbar does not know');
    expect(notes(r)).toContain('1 of type 9');
    expect(notes(r)).toContain('1 of type 0');
  });

  it('re-reading the same log yields the same buckets (the store upsert then changes nothing)', async () => {
    const fake = await start();
    for (let i = 0; i < 30; i++) fake.spend(KEY, 1_000 + i, { model: i % 2 ? 'a' : 'b', at: H0 + i * 600_000, prompt: 10, completion: 1 });
    const first = await poll(fake);
    const second = await poll(fake);
    expect(second.usage).toEqual(first.usage);
    const db = store();
    db.saveSnapshot({ ...blankSnapshot('gw', 'newapi', Date.now()), usage: first.usage });
    db.saveSnapshot({ ...blankSnapshot('gw', 'newapi', Date.now() + 1), usage: second.usage });
    const [total] = db.totals({ groupBy: 'account', from: H0 - HOUR, to: Date.now() + HOUR });
    expect(total?.requests).toBe(30);
    expect(total?.costMicros).toBe(Math.round(((30 * 1000 + (29 * 30) / 2) * 1_000_000) / 500_000));
    db.close();
  });

  it('never overwrites an hour the 1,000-row window cuts short with a smaller figure', async () => {
    const fake = await start();
    const db = store();
    const at = (h: number, i: number) => H0 + h * HOUR + i * 1000;
    for (let i = 0; i < 300; i++) fake.spend(KEY, 100, { model: 'm', at: at(0, i) });
    for (let i = 0; i < 400; i++) fake.spend(KEY, 100, { model: 'm', at: at(1, i) });
    for (let i = 0; i < 400; i++) fake.spend(KEY, 100, { model: 'm', at: at(2, i) });
    // First read: newest 1,000 = 400 + 400 + 200 of hour 0; nothing stored yet, so the part of hour 0 is kept.
    const first = await poll(fake);
    expect(first.usage.map((b) => b.requests)).toEqual([200, 400, 400]);
    expect(notes(first)).toContain('newest 1,000 requests');
    db.saveSnapshot({ ...blankSnapshot('gw', 'newapi', Date.now()), usage: first.usage });

    for (let i = 0; i < 300; i++) fake.spend(KEY, 100, { model: 'm', at: at(3, i) });
    // Second read: 300 + 400 + 300 of hour 1. Hour 1 is cut short: left out, its 400 stay stored.
    const second = await poll(fake, { usageSince: db.usageCoverage('gw') ?? undefined });
    expect(second.usage.map((b) => [b.start, b.requests])).toEqual([
      [H0 + 2 * HOUR, 400],
      [H0 + 3 * HOUR, 300],
    ]);
    db.saveSnapshot({ ...blankSnapshot('gw', 'newapi', Date.now() + 1), usage: second.usage });
    const series = db.series({ metric: 'requests', bucket: 'hour', groupBy: 'none', from: H0, to: H0 + 4 * HOUR });
    expect(series.series[0]?.points.map((p) => p.v)).toEqual([200, 400, 400, 300]);
    db.close();
  });

  it('reads the legacy log (before 2026-02) only with the opt-in: the key in ?key= and every row', async () => {
    const fake = await start({ logGeneration: 'legacy' });
    for (let i = 0; i < 1200; i++) fake.spend(KEY, 10, { model: i % 3 ? 'a' : 'b', at: H0 + i * 10_000 });
    const plain = await poll(fake);
    expect(plain.usage).toEqual([]);
    expect(notes(plain)).toContain('Send the key in the request-log URL');
    const r = await poll(fake, { options: { logKeyInUrl: 'yes' } });
    expect(r.usage.reduce((n, b) => n + b.requests, 0)).toBe(1200);
    const sent = fake.requests.filter((q) => q.path === '/api/log/token').at(-1);
    expect(sent?.query.get('key')).toBe(KEY);
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('also works with the opt-in on a current gateway (it reads the header and ignores the query)', async () => {
    const fake = await start();
    fake.spend(KEY, 10, { model: 'a', at: H0 });
    const r = await poll(fake, { options: { logKeyInUrl: 'yes' } });
    expect(r.usage).toHaveLength(1);
  });

  it('asks no log of One-API (it has none)', async () => {
    const fake = await start({ newApi: false, version: 'v0.6.10' });
    const r = await poll(fake);
    expect(paths(fake)).not.toContain('/api/log/token');
    expect(r.usage).toEqual([]);
  });

  it('keeps the poll when the log fails, saying why', async () => {
    const fake = await start();
    fake.fail({ path: '/api/log/token', response: { status: 200, body: { success: false, message: 'record not found' } } });
    const r = await poll(fake);
    expect(r.balance).not.toBeNull();
    expect(notes(r)).toContain('could not read this key');
    fake.clearFaults();
    fake.fail({ path: '/api/log/token', response: { status: 404, body: 'not found' } });
    expect(notes(await poll(fake))).toContain('no per-key request log');
  });
});

describe('newapi adapter: the shared CriticalRateLimit (20 per 20 minutes per IP)', () => {
  it('degrades to the billing pair on an empty 429 and waits a whole window before asking again', async () => {
    let t = Date.now();
    const now = () => t;
    const fake = await start({ critical: { limit: 20, windowS: 1200, retryAfter: false } }, now);
    const budget = new RequestBudget({ now });
    fake.fail({ path: '/api/log/token', times: 1, response: { status: 429, body: '' } });
    const r = await poll(fake, { budget, now });
    expect(r.balance).not.toBeNull();
    expect(notes(r)).toContain('rate limiting its request log (429)');
    const logs = () => fake.requests.filter((q) => q.path === '/api/log/token').length;
    expect(logs()).toBe(1);
    t += 11 * 60_000;
    await poll(fake, { budget, now });
    expect(logs()).toBe(1);
    t += 10 * 60_000;
    await poll(fake, { budget, now });
    expect(logs()).toBe(2);
  });

  it('honours Retry-After when the gateway sends one (New-API since 2026-07)', async () => {
    let t = Date.now();
    const now = () => t;
    const fake = await start({}, now);
    const budget = new RequestBudget({ now });
    fake.fail({ path: '/api/log/token', times: 1, response: { status: 429, headers: { 'retry-after': '60' }, body: '' } });
    await poll(fake, { budget, now });
    t += 11 * 60_000;
    await poll(fake, { budget, now });
    expect(fake.requests.filter((q) => q.path === '/api/log/token')).toHaveLength(2);
  });

  it('never gets a 429 with eight accounts on one gateway polled every 5 minutes for two hours', async () => {
    let t = Date.now();
    const now = () => t;
    const keys = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`sk-acct${i}-key`, { ...BASE_KEY, name: `k${i}` }]));
    const fake = await start({ keys, critical: { limit: 20, windowS: 1200, retryAfter: true } }, now);
    for (const k of Object.keys(keys)) fake.spend(k, 1_000, { model: 'm', at: t - HOUR });
    const budget = new RequestBudget({ now });
    const read = new Map<string, number>();
    for (let round = 0; round < 24; round++) {
      const readings = await Promise.all(Object.keys(keys).map((k, i) => poll(fake, { key: k, accountId: `a${i}`, budget, now })));
      readings.forEach((r, i) => {
        expect(r.balance).not.toBeNull();
        expect(notes(r)).not.toContain('429');
        if (r.usage.length) read.set(`a${i}`, (read.get(`a${i}`) ?? 0) + 1);
      });
      t += 5 * 60_000;
    }
    // Every account read its log at some point, and the gateway never had to refuse one.
    expect(read.size).toBe(8);
    // Two hours at 12 per 20 minutes: at most 6 windows' worth (plus the first).
    const critical = fake.requests.filter((q) => q.path === '/api/log/token' || q.path === '/api/usage/token/').length;
    expect(critical).toBeGreaterThan(12);
    expect(critical).toBeLessThanOrEqual(12 * 7);
    // One /api/status read per 10 minutes for all eight accounts, not one per poll.
    expect(fake.requests.filter((q) => q.path === '/api/status').length).toBeLessThanOrEqual(13);
  });
});
