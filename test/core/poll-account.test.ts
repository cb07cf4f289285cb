import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Account, UsageBucket } from '../../shared/domain.ts';
import { defaultHttpClient, readJson } from '../../electron/core/http.ts';
import { pollAccount, type PollAccountDeps } from '../../electron/core/poll-account.ts';
import { FAULTS, bearerToken, startFakeServer, type FakeServer } from '../../electron/core/providers/fakes/server.ts';
import type { ProviderAdapter, ProviderDescriptor, ProviderReading } from '../../electron/core/providers/types.ts';

const KEY = 'sk-test-0123456789abcdefSECRET';
const NOW = Date.UTC(2025, 5, 10, 12, 0, 0);
const DAY = 86_400_000;
const TODAY = Date.UTC(2025, 5, 10);

interface WireBucket {
  start: number;
  width: 'hour' | 'day';
  model: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
}

const descriptor: ProviderDescriptor = {
  id: 'newapi',
  displayName: 'Test Gateway',
  defaultBaseUrl: 'https://gateway.example',
  credentialFields: [{ name: 'apiKey', label: 'API key', secret: true, required: true }],
  optionFields: [
    { name: 'projectId', label: 'Project ID', secret: false, required: true },
    { name: 'note', label: 'Note', secret: false, required: false },
  ],
  reports: ['balance', 'usage'],
};

/** A deliberately naive adapter: it copies wire figures through unchecked, so pollAccount's own checks are what is tested. */
const testAdapter: ProviderAdapter = {
  descriptor,
  async fetch(ctx): Promise<ProviderReading> {
    const since = ctx.usageSince === undefined ? '' : `?since=${ctx.usageSince}`;
    const url = `${ctx.baseUrl}/balance${since}`;
    const res = await ctx.http({ url, headers: { authorization: `Bearer ${ctx.credentials.apiKey}` }, timeoutMs: ctx.timeoutMs });
    const body = readJson(res, url, { what: 'balance', now: ctx.now() }) as { balance: number; usage: WireBucket[] };
    const usage: UsageBucket[] = body.usage.map((b) => ({
      start: b.start,
      width: b.width,
      model: b.model,
      key: '',
      requests: b.requests,
      inputTokens: b.input_tokens,
      outputTokens: b.output_tokens,
      cachedTokens: 0,
      reasoningTokens: 0,
      cost: { micros: b.cost_micros, currency: 'USD' },
    }));
    return { balance: { micros: Math.round(body.balance * 1e6), currency: 'USD' }, balances: [], spent: {}, quota: null, usage, estimated: false, notes: ['Usage is per day.'] };
  },
};

let server: FakeServer;
let wireUsage: WireBucket[];

function bucket(over: Partial<WireBucket> = {}): WireBucket {
  return { start: TODAY, width: 'day', model: 'gpt-4.1', requests: 3, input_tokens: 120, output_tokens: 40, cost_micros: 2_500, ...over };
}

function account(over: Partial<Account> = {}): Account {
  return { id: 'acct-1', provider: 'newapi', label: 'Work gateway', baseUrl: server.url, pollIntervalSec: 300, options: { projectId: 'p1' }, ...over };
}

function deps(over: Partial<PollAccountDeps> = {}): PollAccountDeps {
  return {
    adapters: (id) => (id === 'newapi' ? testAdapter : undefined),
    credentials: { apiKey: KEY },
    http: defaultHttpClient,
    timeoutMs: 2_000,
    now: () => NOW,
    ...over,
  };
}

beforeAll(async () => {
  server = await startFakeServer((req) => {
    const token = bearerToken(req);
    // Like some real gateways, the fake quotes the key it was given back in its error.
    if (token !== KEY) return { status: 401, body: { error: { message: `Invalid token: ${token ?? '(none)'}` } } };
    return { body: { balance: 12.5, usage: wireUsage } };
  });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.clearFaults();
  server.requests.length = 0;
  wireUsage = [bucket()];
});

describe('pollAccount', () => {
  it('reads the account through its adapter and stamps a snapshot', async () => {
    const snap = await pollAccount(account({ baseUrl: `${server.url}/`, demo: true }), deps({ usageSince: TODAY - 7 * DAY }));
    expect(snap).toMatchObject({
      accountId: 'acct-1',
      provider: 'newapi',
      time: NOW,
      ok: true,
      error: null,
      balance: { micros: 12_500_000, currency: 'USD' },
      balances: [{ micros: 12_500_000, currency: 'USD' }],
      notes: ['Usage is per day.'],
      demo: true,
    });
    expect(snap.usage).toEqual([expect.objectContaining({ start: TODAY, model: 'gpt-4.1', requests: 3, inputTokens: 120, cost: { micros: 2_500, currency: 'USD' } })]);
    expect(server.requests).toHaveLength(1);
    // The trailing slash is dropped so adapters can append paths.
    expect(server.requests[0]?.path).toBe('/balance');
    expect(server.requests[0]?.query.get('since')).toBe(String(TODAY - 7 * DAY));
  });

  it('reports a provider it does not know as a config error', async () => {
    const snap = await pollAccount(account({ provider: 'nosuch' as Account['provider'] }), deps());
    expect(snap).toMatchObject({ ok: false, provider: 'nosuch', error: { kind: 'config' } });
    expect(snap.error?.message).toMatch(/"nosuch".*\(provider\)/);
  });

  it.each([
    ['missing', {}],
    ['blank', { apiKey: '   ' }],
  ])('names the credential field when the key is %s', async (_, credentials) => {
    const snap = await pollAccount(account(), deps({ credentials }));
    expect(snap.error?.kind).toBe('config');
    expect(snap.error?.message).toContain('API key (apiKey)');
  });

  it('names a missing required option', async () => {
    const snap = await pollAccount(account({ options: { note: 'x' } }), deps());
    expect(snap.error?.kind).toBe('config');
    expect(snap.error?.message).toContain('options.projectId');
  });

  it.each(['not a url', 'ftp://files.example/api', 'localhost:8080', 'http://'])('rejects the base URL %j', async (baseUrl) => {
    const snap = await pollAccount(account({ baseUrl }), deps());
    expect(snap.error?.kind).toBe('config');
    expect(snap.error?.message).toContain('(baseUrl)');
    expect(snap.error?.message).toContain(descriptor.defaultBaseUrl);
  });

  it('rejects an interval under the floor', async () => {
    const snap = await pollAccount(account({ pollIntervalSec: 30 }), deps());
    expect(snap.error?.kind).toBe('config');
    expect(snap.error?.message).toMatch(/pollIntervalSec.*60 s/);
  });

  it('sends no request when the account is set up wrong', async () => {
    await pollAccount(account({ pollIntervalSec: 5 }), deps());
    await pollAccount(account({ baseUrl: 'gopher://x' }), deps());
    await pollAccount(account(), deps({ credentials: {} }));
    expect(server.requests).toHaveLength(0);
  });

  it('times out a provider that does not answer', async () => {
    server.fail({ path: '/balance', response: FAULTS.hang(5_000) });
    const started = Date.now();
    const snap = await pollAccount(account(), deps({ timeoutMs: 200 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(snap).toMatchObject({ ok: false, error: { kind: 'timeout' }, balance: null, usage: [] });
    expect(snap.error?.message).toContain(`127.0.0.1:${server.port}`);
  });

  it('times out an adapter that never finishes, whatever its requests do', async () => {
    const stuck: ProviderAdapter = { descriptor, fetch: () => new Promise(() => {}) };
    const snap = await pollAccount(account(), deps({ adapters: () => stuck, deadlineMs: 150 }));
    expect(snap.error?.kind).toBe('timeout');
  });

  it('keeps the Retry-After of a rate limit for the poller', async () => {
    server.fail({ path: '/balance', times: 1, response: FAULTS.rateLimited(7) });
    const snap = await pollAccount(account(), deps());
    expect(snap.error).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 7_000 });
  });

  it('blames a clock when usage is dated more than a day ahead', async () => {
    wireUsage = [bucket(), bucket({ start: TODAY + 2 * DAY })];
    const snap = await pollAccount(account(), deps());
    expect(snap).toMatchObject({ ok: false, error: { kind: 'bad-response' }, usage: [] });
    expect(snap.error?.message).toMatch(/this computer's clock/);
    expect(snap.error?.message).toMatch(/provider's clock/);
  });

  it('accepts usage a few hours ahead (a provider in a later time zone)', async () => {
    wireUsage = [bucket({ start: TODAY + DAY, width: 'day' })];
    const snap = await pollAccount(account(), deps());
    expect(snap.ok).toBe(true);
  });

  it('accepts a day that starts at midnight of another zone (China time: 16:00 UTC)', async () => {
    wireUsage = [bucket({ start: TODAY - 8 * 3_600_000, width: 'day' })];
    const snap = await pollAccount(account(), deps());
    expect(snap.ok).toBe(true);
    expect(snap.usage[0]?.start).toBe(TODAY - 8 * 3_600_000);
  });

  it.each([
    ['a negative count', { requests: -1 }, /requests/],
    ['a NaN count', { output_tokens: Number.NaN }, /outputTokens/],
    ['fractional micro-units', { cost_micros: 1.5 }, /micro-units/],
    ['a misaligned bucket', { start: TODAY + 1_000 }, /not the start of a day in any time zone/],
    ['a day starting between quarter hours', { start: TODAY + 16 * 3_600_000 + 7 * 60_000 }, /not the start of a day/],
    ['a misaligned hour', { start: TODAY + 90_000, width: 'hour' as const }, /not the start of a UTC hour/],
  ])('rejects %s as a bad response', async (_, over, message) => {
    wireUsage = [bucket(over)];
    const snap = await pollAccount(account(), deps());
    expect(snap.error?.kind).toBe('bad-response');
    expect(snap.error?.message).toMatch(message);
  });

  it('never lets the key reach an error message, even when the provider echoes it', async () => {
    const wrong = 'sk-wrong-key-9f8e7d6c5b4a';
    const snap = await pollAccount(account(), deps({ credentials: { apiKey: wrong } }));
    expect(snap.error?.kind).toBe('auth');
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${wrong}`);
    expect(snap.error?.message).toContain('sk-…5b4a');
    expect(JSON.stringify(snap)).not.toContain(wrong);
  });

  it('masks the key in unexpected errors and notes too', async () => {
    const leaky: ProviderAdapter = {
      descriptor,
      fetch: async (ctx) => {
        if (ctx.account.label === 'notes') {
          return { balance: null, balances: [], spent: {}, quota: null, usage: [], estimated: false, notes: [`Read with ${ctx.credentials.apiKey}`] };
        }
        throw new Error(`request with key=${ctx.credentials.apiKey} failed`);
      },
    };
    const failed = await pollAccount(account(), deps({ adapters: () => leaky }));
    expect(failed.error?.kind).toBe('bad-response');
    expect(failed.error?.message).toContain('failed');
    expect(JSON.stringify(failed)).not.toContain(KEY);
    const noted = await pollAccount(account({ label: 'notes' }), deps({ adapters: () => leaky }));
    expect(noted.ok).toBe(true);
    expect(noted.notes[0]).toContain('…');
    expect(JSON.stringify(noted)).not.toContain(KEY);
  });

  it('copies demo onto failed snapshots too', async () => {
    const snap = await pollAccount(account({ demo: true }), deps({ credentials: { apiKey: 'sk-not-the-right-one' } }));
    expect(snap).toMatchObject({ ok: false, demo: true, accountId: 'acct-1' });
  });
});
