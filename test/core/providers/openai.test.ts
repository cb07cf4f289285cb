import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient } from '../../../electron/core/http.ts';
import { NOTE_NO_USAGE, lineItemModel, openaiAdapter, openaiNames } from '../../../electron/core/providers/openai.ts';
import { startOpenAiFake, type OpenAiFake, type OpenAiFakeState } from '../../../electron/core/providers/fakes/openai.ts';
import { FAULTS } from '../../../electron/core/providers/fakes/server.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';

// Wednesday 2026-11-18 15:30 UTC: the UTC week began Monday 16th.
const NOW = Date.UTC(2026, 10, 18, 15, 30);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 10, 18);
const ADMIN = 'sk-admin-test-0000000000000001';
const PROJECT = 'sk-proj-test-00000000000000002';

function fixture(): Partial<OpenAiFakeState> {
  return {
    adminKeys: [ADMIN],
    projectKeys: [PROJECT],
    projects: [{ id: 'proj_a', name: 'Alpha' }],
    keys: [{ id: 'key_ci', name: 'ci-bot', projectId: 'proj_a' }],
    prices: { 'gpt-4o': { input: 2.5, cached: 1.25, output: 10 }, 'gpt-4o-mini': { input: 0.15, cached: 0.075, output: 0.6 } },
    usage: [
      { time: TODAY - DAY + 10 * HOUR + 300_000, model: 'gpt-4o', projectId: 'proj_a', keyId: 'key_ci', requests: 3, input: 1000, cached: 400, output: 200 },
      { time: TODAY + 9 * HOUR + 600_000, model: 'gpt-4o', projectId: 'proj_a', keyId: 'key_ci', requests: 2, input: 500, cached: 0, output: 100 },
      { time: TODAY + 9 * HOUR + 2_400_000, model: 'gpt-4o-mini', projectId: 'proj_a', keyId: null, requests: 1, input: 100, cached: 0, output: 10 },
      // Two months back: outside the 31-day look-back.
      { time: TODAY - 60 * DAY, model: 'gpt-4o', projectId: 'proj_a', keyId: 'key_ci', requests: 9, input: 9, cached: 0, output: 9 },
    ],
    costs: [{ time: TODAY + 11 * HOUR, lineItem: 'web search tool calls', projectId: 'proj_a', keyId: null, usd: 0.03 }],
    paging: {},
    namesFail: null,
  };
}

let fake: OpenAiFake | undefined;
beforeEach(() => openaiNames.clear());
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(over: Partial<OpenAiFakeState> = {}): Promise<OpenAiFake> {
  fake = await startOpenAiFake({ state: { ...fixture(), ...over }, now: () => NOW });
  return fake;
}

function ctx(f: OpenAiFake, apiKey = ADMIN, over: Partial<FetchContext> = {}): FetchContext {
  return {
    account: { id: 'oa', provider: 'openai', label: 'OpenAI', pollIntervalSec: 300 },
    baseUrl: f.url, credentials: { apiKey }, http: defaultHttpClient, timeoutMs: 5000, now: () => NOW, ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

const usd = (micros: number) => ({ micros, currency: 'USD' });
const paths = (f: OpenAiFake, path: string) => f.requests.filter((r) => r.path === path);

describe('openai adapter', () => {
  it('reads exact costs, UTC spend windows and hourly usage per model and key, with names', async () => {
    const f = await start();
    const r = await openaiAdapter.fetch(ctx(f));
    // Yesterday: 600 uncached × $2.5/M + 400 cached × $1.25/M + 200 out × $10/M = $0.004.
    // Today: $0.00225 (gpt-4o) + $0.000021 (mini) + $0.03 web search.
    expect(r.spent).toEqual({ today: usd(32_271), week: usd(36_271), month: usd(36_271) });
    expect(r.balance).toBeNull();
    expect(r.estimated).toBe(false);
    expect(r.notes).toEqual([]);
    const hours = r.usage.filter((u) => u.width === 'hour');
    expect(hours).toEqual([
      { start: TODAY - DAY + 10 * HOUR, width: 'hour', model: 'gpt-4o', key: 'ci-bot · Alpha', requests: 3, inputTokens: 1000, outputTokens: 200, cachedTokens: 400, reasoningTokens: 0, cost: null },
      { start: TODAY + 9 * HOUR, width: 'hour', model: 'gpt-4o', key: 'ci-bot · Alpha', requests: 2, inputTokens: 500, outputTokens: 100, cachedTokens: 0, reasoningTokens: 0, cost: null },
      { start: TODAY + 9 * HOUR, width: 'hour', model: 'gpt-4o-mini', key: '(no key) · Alpha', requests: 1, inputTokens: 100, outputTokens: 10, cachedTokens: 0, reasoningTokens: 0, cost: null },
    ]);
    const days = r.usage.filter((u) => u.width === 'day').map((u) => [u.start, u.model, u.key, u.cost?.micros, u.inputTokens]);
    expect(days).toEqual([
      [TODAY - DAY, 'gpt-4o', 'ci-bot · Alpha', 4_000, 0],
      [TODAY, 'gpt-4o', 'ci-bot · Alpha', 2_250, 0],
      [TODAY, 'gpt-4o-mini', '(no key) · Alpha', 21, 0],
      [TODAY, 'web search tool calls', '(no key) · Alpha', 30_000, 0],
    ]);
    // Cost rows carry no tokens and usage rows no cost, so a model's totals add up without double counting.
    const tokens = r.usage.reduce((s, u) => s + u.inputTokens, 0);
    expect(tokens).toBe(1600);
  });

  it('asks with the documented parameters: repeated group_by, 1h usage ≤ 168 a page, 1d costs ≤ 180', async () => {
    const f = await start();
    await openaiAdapter.fetch(ctx(f));
    const usage = paths(f, '/v1/organization/usage/completions');
    const first = usage[0]!.query;
    expect(first.get('bucket_width')).toBe('1h');
    expect(first.getAll('group_by')).toEqual(['model', 'api_key_id', 'project_id']);
    expect(Number(first.get('limit'))).toBe(168);
    expect(Number(first.get('start_time')) * 1000).toBe(TODAY - 30 * DAY);
    // 31 days of hourly buckets = 744 → 5 pages, each continuing from the last cursor.
    expect(usage).toHaveLength(5);
    expect(usage.slice(1).every((q) => q.query.get('page'))).toBe(true);
    const costs = paths(f, '/v1/organization/costs');
    expect(costs[0]!.query.get('bucket_width')).toBe('1d');
    expect(costs[0]!.query.getAll('group_by')).toEqual(['line_item', 'project_id', 'api_key_id']);
    expect(Number(costs[0]!.query.get('limit'))).toBeLessThanOrEqual(180);
    expect(f.requests.every((q) => q.headers.authorization === `Bearer ${ADMIN}`)).toBe(true);
  });

  it('re-reads only recent usage on later polls, but always the whole month for the spend windows', async () => {
    const f = await start();
    const r = await openaiAdapter.fetch(ctx(f, ADMIN, { usageSince: TODAY + 9 * HOUR }));
    const usage = paths(f, '/v1/organization/usage/completions');
    expect(usage).toHaveLength(1);
    expect(Number(usage[0]!.query.get('start_time')) * 1000).toBe(TODAY + 9 * HOUR);
    expect(Number(paths(f, '/v1/organization/costs')[0]!.query.get('start_time')) * 1000).toBe(Date.UTC(2026, 10, 1));
    expect(r.spent.month).toEqual(usd(36_271));
    // Only yesterday's and today's cost buckets are stored again.
    expect(r.usage.filter((u) => u.width === 'day').every((u) => u.start >= TODAY - DAY)).toBe(true);
  });

  it('stops pagination that never ends, keeps what it read, and says so', async () => {
    const f = await start({ paging: { endless: true } });
    const r = await openaiAdapter.fetch(ctx(f));
    expect(paths(f, '/v1/organization/usage/completions').length).toBe(25);
    expect(r.notes.some((n) => /still had more pages of completions usage after 25/.test(n))).toBe(true);
    expect(r.usage.some((u) => u.width === 'hour')).toBe(true);
  });

  it('stops on a repeated cursor', async () => {
    const f = await start({ paging: { repeatCursor: true } });
    const r = await openaiAdapter.fetch(ctx(f));
    expect(paths(f, '/v1/organization/costs')).toHaveLength(2);
    expect(r.notes.some((n) => /same next-page cursor twice/.test(n))).toBe(true);
  });

  it('reports an organization with no usage as exact zero spend, with a note', async () => {
    const f = await start({ usage: [], costs: [] });
    const r = await openaiAdapter.fetch(ctx(f));
    expect(r.usage).toEqual([]);
    expect(r.spent).toEqual({ today: usd(0), week: usd(0), month: usd(0) });
    expect(r.notes).toContain(NOTE_NO_USAGE);
  });

  it('keeps ids when the name lookups fail', async () => {
    const f = await start({ namesFail: 500 });
    const r = await openaiAdapter.fetch(ctx(f));
    expect(r.usage.find((u) => u.width === 'hour')?.key).toBe('key_ci · proj_a');
    expect(r.notes.some((n) => /names could not be read, so ids are shown/.test(n))).toBe(true);
  });

  it('names ungrouped fields sensibly: null model and key', async () => {
    const f = await start();
    f.fail({
      path: '/v1/organization/usage/completions', times: 1, response: {
        body: { object: 'page', data: [
          { object: 'bucket', start_time: (TODAY + 8 * HOUR) / 1000, end_time: (TODAY + 9 * HOUR) / 1000, results: [] },
          { object: 'bucket', start_time: (TODAY + 9 * HOUR) / 1000, end_time: (TODAY + 10 * HOUR) / 1000, results: [{ input_tokens: 5, output_tokens: 1, num_model_requests: 1, model: null, api_key_id: null, project_id: null }] },
        ], has_more: false, next_page: null },
      },
    });
    const r = await openaiAdapter.fetch(ctx(f));
    expect(r.usage.filter((u) => u.width === 'hour')).toEqual([
      { start: TODAY + 9 * HOUR, width: 'hour', model: '(unnamed model)', key: '', requests: 1, inputTokens: 5, outputTokens: 1, cachedTokens: 0, reasoningTokens: 0, cost: null },
    ]);
  });

  it('accepts a base URL ending in /v1', async () => {
    const f = await start();
    const r = await openaiAdapter.fetch(ctx(f, ADMIN, { baseUrl: `${f.url}/v1/` }));
    expect(r.spent.today).toEqual(usd(32_271));
  });

  it('models are read from line items', () => {
    expect(lineItemModel('gpt-4o-2024-08-06, cached input')).toBe('gpt-4o-2024-08-06');
    expect(lineItemModel('web search tool calls')).toBe('web search tool calls');
    expect(lineItemModel(null)).toBe('(other costs)');
  });
});

describe('openai bad input', () => {
  it('tells a project key exactly which key is needed and where to create it', async () => {
    const f = await start();
    const err = await failure(openaiAdapter.fetch(ctx(f, PROJECT)));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/Admin key \(sk-admin-…\)/);
    expect(err.message).toContain('https://platform.openai.com/settings/organization/admin-keys');
    expect(err.message).toMatch(/project keys/);
    expect(err.message).not.toContain(PROJECT);
  });

  it('says a revoked admin key is revoked, not the wrong type', async () => {
    const f = await start();
    const key = 'sk-admin-revoked-000000000009';
    const err = await failure(openaiAdapter.fetch(ctx(f, key)));
    expect(err.message).toMatch(/rejected this Admin key/);
    expect(err.message).not.toContain(key);
  });

  it.each([
    ['a string amount', { value: '0.06', currency: 'usd' }, /not a number of dollars/],
    ['an unknown unit', { value: 6, currency: 'cents!' }, /not a currency/],
  ])('refuses %s', async (_what, amount, message) => {
    const f = await start();
    f.fail({ path: '/v1/organization/costs', times: 1, response: { body: { object: 'page', data: [{ object: 'bucket', start_time: TODAY / 1000, end_time: (TODAY + DAY) / 1000, results: [{ amount, line_item: 'gpt-4o, input' }] }], has_more: false, next_page: null } } });
    const err = await failure(openaiAdapter.fetch(ctx(f)));
    expect(err.kind).toBe('bad-response');
    expect(err.message).toMatch(message);
  });

  it('passes on 429 with and without Retry-After', async () => {
    const f = await start();
    f.fail({ path: '/v1/organization/costs', times: 1, response: FAULTS.rateLimited(12) });
    const withHeader = await failure(openaiAdapter.fetch(ctx(f)));
    expect(withHeader.kind).toBe('rate-limited');
    expect(withHeader.retryAfterMs).toBe(12_000);
    f.fail({ path: '/v1/organization/costs', times: 1, response: { status: 429, body: { error: { message: 'Too many requests', type: 'requests' } } } });
    const without = await failure(openaiAdapter.fetch(ctx(f)));
    expect(without.kind).toBe('rate-limited');
    expect(without.retryAfterMs).toBeUndefined();
  });

  it('reports a page without data as a bad response, and 5xx as a server error', async () => {
    const f = await start();
    f.fail({ path: '/v1/organization/usage/completions', times: 1, response: { body: { object: 'page' } } });
    expect((await failure(openaiAdapter.fetch(ctx(f)))).kind).toBe('bad-response');
    f.fail({ path: '/v1/organization/costs', times: 1, response: FAULTS.serverError(502) });
    expect((await failure(openaiAdapter.fetch(ctx(f)))).kind).toBe('server');
  });

  it('the fake holds the documented limits', async () => {
    const f = await start();
    const res = await fetch(`${f.url}/v1/organization/usage/completions?start_time=${TODAY / 1000}&bucket_width=1h&limit=169`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(400);
    const cost = await fetch(`${f.url}/v1/organization/costs?start_time=${TODAY / 1000}&bucket_width=1h`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(cost.status).toBe(400);
  });
});
