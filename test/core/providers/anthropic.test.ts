import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient } from '../../../electron/core/http.ts';
import { NOTE_NO_USAGE, WEB_SEARCH_MODEL, anthropicAdapter, anthropicNames } from '../../../electron/core/providers/anthropic.ts';
import { startAnthropicFake, type AnthropicFake, type AnthropicFakeState } from '../../../electron/core/providers/fakes/anthropic.ts';
import { FAULTS } from '../../../electron/core/providers/fakes/server.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 10, 18);
const ADMIN = 'sk-ant-admin01-test-000000000001';
const NORMAL = 'sk-ant-api03-test-0000000000002';
const WORKSPACE = 'sk-ant-api03-wrk-00000000000003';

function fixture(): Partial<AnthropicFakeState> {
  return {
    adminKeys: [ADMIN],
    apiKeys: [NORMAL],
    workspaceKeys: [WORKSPACE],
    normalKeyStatus: 401,
    keys: [{ id: 'apikey_01', name: 'support-bot', workspaceId: 'wrkspc_01' }],
    workspaces: [{ id: 'wrkspc_01', name: 'Prod' }],
    prices: { 'claude-sonnet-4': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3, label: 'Claude Sonnet 4' } },
    webSearchPrice: 0.01,
    usage: [
      { time: TODAY - DAY + 14 * HOUR, model: 'claude-sonnet-4', apiKeyId: 'apikey_01', workspaceId: 'wrkspc_01', uncached: 1000, cacheWrite5m: 200, cacheWrite1h: 0, cacheRead: 3000, output: 500, webSearches: 2 },
      { time: TODAY + 10 * HOUR, model: 'claude-sonnet-4', apiKeyId: null, workspaceId: null, uncached: 100, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 50, webSearches: 0 },
    ],
    paging: {},
    namesFail: null,
  };
}

let fake: AnthropicFake | undefined;
beforeEach(() => anthropicNames.clear());
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(over: Partial<AnthropicFakeState> = {}): Promise<AnthropicFake> {
  fake = await startAnthropicFake({ state: { ...fixture(), ...over }, now: () => NOW });
  return fake;
}

function ctx(f: AnthropicFake, apiKey = ADMIN, over: Partial<FetchContext> = {}): FetchContext {
  return { account: { id: 'an', provider: 'anthropic', label: 'Anthropic', pollIntervalSec: 300 }, baseUrl: f.url, credentials: { apiKey }, http: defaultHttpClient, timeoutMs: 5000, now: () => NOW, ...over };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

const usd = (micros: number) => ({ micros, currency: 'USD' });
const costPage = (results: unknown[]) => ({ body: { data: [{ starting_at: '2026-11-18T00:00:00Z', ending_at: '2026-11-19T00:00:00Z', results }], has_more: false, next_page: null } });

describe('anthropic adapter', () => {
  it('reads costs from cents, windows, and hourly usage split into uncached, cache writes and reads', async () => {
    const f = await start();
    const r = await anthropicAdapter.fetch(ctx(f));
    // Yesterday: 1000×$3 + 200×$3.75 + 3000×$0.30 + 500×$15 per M = $0.01215, plus 2 web searches × $0.01.
    // Today: 100×$3 + 50×$15 per M = $0.00105.
    expect(r.spent).toEqual({ today: usd(1_050), week: usd(33_200), month: usd(33_200) });
    expect(r.estimated).toBe(false);
    expect(r.notes).toEqual([]);
    expect(r.usage.filter((u) => u.width === 'hour')).toEqual([
      { start: TODAY - DAY + 14 * HOUR, width: 'hour', model: 'claude-sonnet-4', key: 'support-bot · Prod', requests: 0, inputTokens: 4200, outputTokens: 500, cachedTokens: 3000, reasoningTokens: 0, cost: null },
      { start: TODAY - DAY + 14 * HOUR, width: 'hour', model: WEB_SEARCH_MODEL, key: 'support-bot · Prod', requests: 2, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: null },
      { start: TODAY + 10 * HOUR, width: 'hour', model: 'claude-sonnet-4', key: 'Console · Default workspace', requests: 0, inputTokens: 100, outputTokens: 50, cachedTokens: 0, reasoningTokens: 0, cost: null },
    ]);
    expect(r.usage.filter((u) => u.width === 'day').map((u) => [u.start, u.model, u.key, u.cost?.micros])).toEqual([
      [TODAY - DAY, 'claude-sonnet-4', '(all keys) · Prod', 12_150],
      [TODAY - DAY, WEB_SEARCH_MODEL, '(all keys) · Prod', 20_000],
      [TODAY, 'claude-sonnet-4', '(all keys) · Default workspace', 1_050],
    ]);
  });

  it('sends the admin headers, bracketed arrays and limits within the documented maxima', async () => {
    const f = await start();
    await anthropicAdapter.fetch(ctx(f));
    const usage = f.requests.filter((q) => q.path === '/v1/organizations/usage_report/messages');
    expect(usage[0]!.query.getAll('group_by[]')).toEqual(['model', 'api_key_id', 'workspace_id']);
    expect(usage[0]!.query.get('bucket_width')).toBe('1h');
    expect(usage[0]!.query.get('starting_at')).toBe('2026-10-19T00:00:00Z');
    expect(usage).toHaveLength(5);
    const cost = f.requests.find((q) => q.path === '/v1/organizations/cost_report')!;
    expect(cost.query.getAll('group_by[]')).toEqual(['workspace_id', 'description']);
    expect(Number(cost.query.get('limit'))).toBeLessThanOrEqual(31);
    expect(f.requests.every((q) => q.headers['x-api-key'] === ADMIN && q.headers['anthropic-version'] === '2023-06-01')).toBe(true);
  });

  it('converts cents exactly and refuses amounts that are not decimal strings of cents', async () => {
    const f = await start();
    f.fail({ path: '/v1/organizations/cost_report', times: 1, response: costPage([{ currency: 'USD', amount: '123.78912', model: 'claude-opus-4', description: 'x', cost_type: 'tokens', workspace_id: null }]) });
    const r = await anthropicAdapter.fetch(ctx(f));
    expect(r.spent.today).toEqual(usd(1_237_891));
    for (const amount of [1.5, '12,5', null]) {
      f.fail({ path: '/v1/organizations/cost_report', times: 1, response: costPage([{ currency: 'USD', amount }]) });
      const err = await failure(anthropicAdapter.fetch(ctx(f)));
      expect(err.kind).toBe('bad-response');
      expect(err.message).toMatch(/cents/);
    }
  });

  it('stops endless pagination with a note', async () => {
    const f = await start({ paging: { endless: true } });
    const r = await anthropicAdapter.fetch(ctx(f));
    expect(f.requests.filter((q) => q.path === '/v1/organizations/cost_report')).toHaveLength(25);
    expect(r.notes.some((n) => /stopped there/.test(n))).toBe(true);
  });

  it('handles an organization with no usage, and names that cannot be read', async () => {
    const f = await start({ usage: [], namesFail: 403 });
    const r = await anthropicAdapter.fetch(ctx(f));
    expect(r.usage).toEqual([]);
    expect(r.spent.month).toEqual(usd(0));
    expect(r.notes).toContain(NOTE_NO_USAGE);
    expect(r.notes.some((n) => /names could not be read/.test(n))).toBe(true);
  });

  it('keeps ids when names fail', async () => {
    const f = await start({ namesFail: 500 });
    const r = await anthropicAdapter.fetch(ctx(f));
    expect(r.usage.find((u) => u.width === 'hour')?.key).toBe('apikey_01 · wrkspc_01');
  });
});

describe('anthropic bad input', () => {
  it.each([
    ['a normal API key (401)', NORMAL, 401],
    ['a normal API key (403)', NORMAL, 403],
    ['a workspace key', WORKSPACE, 401],
  ])('tells %s which key is needed and where to create it', async (_what, key, status) => {
    const f = await start({ normalKeyStatus: status as 401 | 403 });
    const err = await failure(anthropicAdapter.fetch(ctx(f, key)));
    expect(['auth', 'forbidden']).toContain(err.kind);
    expect(err.message).toMatch(/Admin API key \(sk-ant-admin01-…\)/);
    expect(err.message).toContain('https://console.anthropic.com/settings/admin-keys');
    expect(err.message).not.toContain(key);
  });

  it('passes on rate limits and server errors', async () => {
    const f = await start();
    f.fail({ path: '/v1/organizations/usage_report/messages', times: 1, response: { status: 429, headers: { 'retry-after': '30' }, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limited' } } } });
    const limited = await failure(anthropicAdapter.fetch(ctx(f)));
    expect(limited.kind).toBe('rate-limited');
    expect(limited.retryAfterMs).toBe(30_000);
    f.fail({ path: '/v1/organizations/cost_report', times: 1, response: { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } } });
    expect((await failure(anthropicAdapter.fetch(ctx(f)))).kind).toBe('server');
    f.fail({ path: '/v1/organizations/cost_report', times: 1, response: FAULTS.html(200) });
    expect((await failure(anthropicAdapter.fetch(ctx(f)))).kind).toBe('bad-response');
  });

  it('the fake refuses bare group_by and limits over the maxima', async () => {
    const f = await start();
    const h = { 'x-api-key': ADMIN, 'anthropic-version': '2023-06-01' };
    expect((await fetch(`${f.url}/v1/organizations/cost_report?starting_at=2026-11-01T00:00:00Z&group_by=description`, { headers: h })).status).toBe(400);
    expect((await fetch(`${f.url}/v1/organizations/cost_report?starting_at=2026-11-01T00:00:00Z&limit=32`, { headers: h })).status).toBe(400);
  });
});
