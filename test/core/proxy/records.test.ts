// What the proxy stores and serves: /api/requests over HTTP with filters and paging (CLI field names), metered
// series and totals that never mix with billed usage, metered vs billed per account, the rate-limit alert rules,
// retention, and the event that tells the UIs to refresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, type Harness } from './harness.ts';
import type { SpendbarEvent } from '../../../shared/api.ts';

let h: Harness;
const events: SpendbarEvent[] = [];
const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

beforeAll(async () => {
  h = await startHarness();
  h.core.api.subscribe((e) => events.push(e));
  await call(h, '/oa/v1/chat/completions', chat, { 'x-spendbar-app': 'web' });
  await call(h, '/oa/v1/chat/completions', { ...chat, stream: true }, { 'x-spendbar-app': 'web' });
  await call(h, '/oa/v1/chat/completions', chat, { 'x-spendbar-app': 'indexer; kind=internal' });
  await call(h, '/or/chat/completions', { ...chat, model: 'openai/gpt-4o' }, { 'x-spendbar-app': 'web' });
  await call(h, '/gw/v1/chat/completions', { ...chat, model: 'in-house-model-7b' });
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

async function get(path: string) {
  const res = await fetch(h.server.url + path);
  return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('GET /api/requests', () => {
  it('rows newest first, with the CLI usage field names and no secret', async () => {
    const { status, json } = await get('/api/requests');
    expect(status).toBe(200);
    expect(json.rows).toHaveLength(5);
    expect(json.rows[0]).toMatchObject({ accountId: 'gw', model: 'in-house-model-7b', inputTokens: 120, outputTokens: 42, cachedTokens: 20, reasoningTokens: 5, cost: null, costSource: 'unpriced', app: '', kind: 'service', status: 200, stream: false });
    expect(Object.keys(json.rows[0])).toEqual(expect.arrayContaining(['model', 'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens', 'cost', 'app', 'kind', 'status', 'stream', 'latencyMs', 'ttfbMs', 'rateLimit']));
    expect(JSON.stringify(json)).not.toMatch(/sk-proxytest|spendbar-proxy-test-token/);
  });

  it('filters by account, app, kind, stream and status, and pages by id', async () => {
    expect((await get('/api/requests?accountId=oa')).json.rows).toHaveLength(3);
    expect((await get('/api/requests?app=web')).json.rows).toHaveLength(3);
    expect((await get('/api/requests?kind=internal')).json.rows.map((r: { app: string }) => r.app)).toEqual(['indexer']);
    expect((await get('/api/requests?stream=true')).json.rows).toHaveLength(1);
    expect((await get('/api/requests?status=error')).json.rows).toHaveLength(0);
    const first = (await get('/api/requests?limit=2')).json;
    expect(first.rows).toHaveLength(2);
    const second = (await get(`/api/requests?limit=2&before=${first.nextBefore}`)).json;
    expect(second.rows.map((r: { id: number }) => r.id).every((id: number) => id < first.nextBefore)).toBe(true);
    const last = (await get(`/api/requests?limit=2&before=${second.nextBefore}`)).json;
    expect(last.rows).toHaveLength(1);
    expect(last.nextBefore).toBeNull();
  });

  it('bad filters are a 400 that names the field', async () => {
    const r = await get('/api/requests?limit=9999');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/limit must be 1 to 500/);
    expect((await get('/api/requests?kind=robots')).status).toBe(400);
  });
});

describe('metered usage in series and totals', () => {
  const range = () => ({ from: Date.now() - 86_400_000, to: Date.now() + 3_600_000 });

  it('source "metered" answers from the proxy rows; the default (billed) never includes them', async () => {
    const metered = await h.core.api.queryTotals({ ...range(), groupBy: 'account', source: 'metered' });
    const oa = metered.filter((t) => t.group === 'oa');
    expect(oa.reduce((n, t) => n + t.requests, 0)).toBe(3);
    expect(oa.find((t) => t.currency === 'USD')?.costMicros).toBe(3 * 695);
    // The gateway's unpriced model: counted, with no cost and no currency (never $0).
    expect(metered.find((t) => t.group === 'gw')).toMatchObject({ requests: 1, costMicros: null });
    expect(metered.find((t) => t.group === 'gw')?.currency).toBeUndefined();
    const billed = await h.core.api.queryTotals({ ...range(), groupBy: 'account' });
    expect(billed).toEqual([]);
    const series = await h.core.api.querySeries({ ...range(), metric: 'cost', bucket: 'hour', groupBy: 'model', source: 'metered' });
    expect(series.series.map((s) => s.group).sort()).toEqual(['gpt-4o-2024-08-06', 'openai/gpt-4o']);
    const billedSeries = await h.core.api.querySeries({ ...range(), metric: 'requests', bucket: 'hour', groupBy: 'model' });
    expect(billedSeries.series).toEqual([]);
  });

  it('per app and kind, and metered vs billed per account (never added)', async () => {
    const s = await h.core.api.meterSummary({ from: Date.now() - 86_400_000, to: Date.now() + 1 });
    const web = s.byApp.find((a) => a.app === 'web' && a.kind === 'service');
    expect(web).toMatchObject({ requests: 3, inputTokens: 360, errors: 0, unpriced: 0 });
    expect(web?.costs).toEqual([{ micros: 2 * 695 + 1230, currency: 'USD' }]);
    expect(s.byApp.find((a) => a.app === 'indexer')?.kind).toBe('internal');
    const oa = s.meteredVsBilled.find((m) => m.accountId === 'oa');
    expect(oa).toMatchObject({ metered: [{ micros: 3 * 695, currency: 'USD' }], billed: [], billedFrom: 'none', gap: [] });
    expect(s.meteredVsBilled.find((m) => m.accountId === 'gw')).toMatchObject({ metered: [], meteredUnpriced: 1 });
  });

  it('a "requests" event went out for the written accounts', () => {
    const ids = new Set(events.flatMap((e) => (e.type === 'requests' ? e.accountIds : [])));
    expect([...ids].sort()).toEqual(['gw', 'oa', 'or']);
  });
});

describe('rate-limit alerts', () => {
  it('repeated 429s fire "rate-limited" once; low headroom fires "ratelimit-headroom"', async () => {
    await h.core.api.saveAlerts({
      rules: [
        { type: 'rate-limited', account: 'oa', count: 3, minutes: 60 },
        { type: 'ratelimit-headroom', account: 'gw', percent: 50 },
      ],
    });
    const alerts: string[] = [];
    const off = h.core.api.subscribe((e) => {
      if (e.type === 'alert') alerts.push(`${e.alert.ruleType}:${e.alert.title}`);
    });
    h.openai.fail({ kind: 'status', status: 429, body: '{}', headers: { 'retry-after': '1' } }, 4);
    for (let i = 0; i < 4; i++) await call(h, '/oa/v1/chat/completions', chat);
    await h.settle();
    // One alert, when the count reaches 3; the title gives the count when the rule was checked, which is 4 when the
    // third and fourth 429 are written in the same batch.
    const fired = alerts.filter((a) => a.startsWith('rate-limited:'));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatch(/^rate-limited:OA: rate limited [34] times in 60 min$/);
    const summary = await h.core.api.meterSummary();
    expect(summary.headroom.find((x) => x.accountId === 'oa')?.rateLimited1h).toBe(4);
    // The gateway fake reports 499 of 500 left: plenty. Now it reports 10 of 500.
    expect(alerts.some((a) => a.startsWith('ratelimit-headroom'))).toBe(false);
    off();
  });
});

describe('accounts added and removed in the dashboard', () => {
  it('are proxied with their stored key at once, and answered 404 once removed (their rows go too)', async () => {
    const saved = await h.core.api.saveAccount({ provider: 'newapi', label: 'Temp', baseUrl: h.openai.url, credentials: { apiKey: 'sk-proxytest-temp-stored-0009' } }, { force: true });
    const id = saved.account.id;
    expect((await call(h, `/${id}/v1/chat/completions`, chat)).status).toBe(200);
    expect(h.openai.requests.at(-1)!.headers.authorization).toBe('Bearer sk-proxytest-temp-stored-0009');
    await h.settle();
    expect((await h.core.api.listRequests({ accountId: id })).rows).toHaveLength(1);
    await h.core.api.removeAccount(id);
    expect((await call(h, `/${id}/v1/chat/completions`, chat)).status).toBe(404);
    expect((await h.core.api.listRequests({ accountId: id })).rows).toHaveLength(0);
  });
});

describe('retention', () => {
  it('drops raw request rows past the cutoff and keeps the hourly sums', async () => {
    const before = await h.core.api.queryTotals({ from: Date.now() - 86_400_000, to: Date.now() + 3_600_000, groupBy: 'account', source: 'metered' });
    const removed = h.core.meter.applyRetention(Date.now() + 1000);
    expect(removed).toBeGreaterThan(0);
    expect((await h.core.api.listRequests()).rows).toEqual([]);
    const after = await h.core.api.queryTotals({ from: Date.now() - 86_400_000, to: Date.now() + 3_600_000, groupBy: 'account', source: 'metered' });
    expect(after).toEqual(before);
  });
});
