import { afterEach, describe, expect, it } from 'vitest';
import { SURFER_MAX_SLICE_S, surfercloudAdapter, usageSlices } from '../../../electron/core/providers/surfercloud.ts';
import { ucloudSignature, ucloudStringToSign, ucloudValue } from '../../../electron/core/providers/ucloud-signature.ts';
import {
  DEMO_SURFER_KEY_ID,
  DEMO_SURFER_PRIVATE_KEY,
  DEMO_SURFER_PUBLIC_KEY,
  demoSurferUsage,
  startSurferCloudFake,
  type SurferCloudFake,
  type SurferHourUsage,
} from '../../../electron/core/providers/fakes/surfercloud.ts';
import { FAULTS } from '../../../electron/core/providers/fakes/server.ts';
import { ProviderError } from '../../../electron/core/errors.ts';
import { defaultHttpClient, type HttpClient } from '../../../electron/core/http.ts';
import type { FetchContext } from '../../../electron/core/providers/types.ts';
import type { UsageBucket } from '../../../shared/domain.ts';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2025, 0, 31, 13, 30, 15);

let fake: SurferCloudFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function ctx(baseUrl: string, over: Partial<FetchContext> & { options?: Record<string, string | string[]> } = {}): FetchContext {
  const { options, ...rest } = over;
  return {
    account: { id: 'sc', provider: 'surfercloud', label: 'Surfer', pollIntervalSec: 300, options: options ?? { keyId: DEMO_SURFER_KEY_ID } },
    baseUrl,
    credentials: { publicKey: DEMO_SURFER_PUBLIC_KEY, privateKey: DEMO_SURFER_PRIVATE_KEY },
    http: defaultHttpClient,
    timeoutMs: 5_000,
    now: () => NOW,
    ...rest,
  };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

function sent(f: SurferCloudFake): Record<string, string | number>[] {
  return f.requests.map((r) => JSON.parse(r.body) as Record<string, string | number>);
}

/** The expected daily buckets, summed straight from the fake's hourly rows. */
function expectedDaily(rows: SurferHourUsage[], fromMs: number, toMs: number, models?: string[]): UsageBucket[] {
  const days = new Map<string, UsageBucket>();
  for (const r of rows) {
    if (r.keyId !== DEMO_SURFER_KEY_ID || r.hour < fromMs || r.hour > toMs) continue;
    if (models && !models.includes(r.model)) continue;
    const start = r.hour - (r.hour % DAY_MS);
    const id = `${start} ${r.model}`;
    const b = days.get(id) ?? { start, width: 'day', model: r.model, key: DEMO_SURFER_KEY_ID, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: null };
    b.requests += r.requests;
    b.inputTokens += r.in;
    b.outputTokens += r.out;
    days.set(id, b);
  }
  return [...days.values()].sort((a, b) => a.start - b.start || a.model.localeCompare(b.model));
}

describe('ucloudSignature', () => {
  const params = { Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10, PublicKey: 'ucloudsomeone@example.com1296235120854146120' };
  const privateKey = '46f09bb9fab4f12dfc160dae12273d5332b5debe';

  it('matches the documented test vector', () => {
    expect(ucloudStringToSign(params, privateKey)).toBe(
      'ActionDescribeUHostInstanceLimit10PublicKeyucloudsomeone@example.com1296235120854146120Regioncn-bj246f09bb9fab4f12dfc160dae12273d5332b5debe',
    );
    expect(ucloudSignature(params, privateKey)).toBe('cba5cf5ec4d4233d206b1b54951e3787350a642f');
    expect(ucloudSignature({ ...params, Signature: 'ignored' }, privateKey)).toBe('cba5cf5ec4d4233d206b1b54951e3787350a642f');
  });

  it('encodes values and orders names the way the gateway does', () => {
    expect([ucloudValue(true), ucloudValue(false), ucloudValue(10.0), ucloudValue(1.5), ucloudValue('a b&c')]).toEqual(['true', 'false', '10', '1.5', 'a b&c']);
    expect(ucloudStringToSign({ b: 1, B: 2, a: true, A_: 'x' }, 'K')).toBe('A_xB2atrueb1K');
  });
});

describe('usageSlices', () => {
  it('cuts a window into contiguous ≤10-day slices from where it starts', () => {
    const from = Date.UTC(2025, 0, 1) - 8 * 3_600_000;
    const slices = usageSlices(from, NOW);
    expect(slices[0]?.startTime).toBe(from / 1000);
    expect(slices.at(-1)?.endTime).toBe(Math.floor(NOW / 1000));
    expect(slices).toHaveLength(4);
    slices.forEach((s, i) => i > 0 && expect(s.startTime).toBe((slices[i - 1]?.endTime ?? 0) + 1));
  });
});

describe('surfercloud adapter', () => {
  // First read: from both the UTC and the China-time midnight before the 30-day look-back (16:00 UTC the day before).
  const FIRST = Date.UTC(2025, 0, 1) / 1000 - 8 * 3600;

  it('reads 30 days in contiguous ≤10-day signed requests and keeps the daily buckets as the service gives them', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    const r = await surfercloudAdapter.fetch(ctx(fake.url));

    const bodies = sent(fake);
    expect(bodies).toHaveLength(Math.ceil((NOW / 1000 - FIRST) / SURFER_MAX_SLICE_S));
    // The slices go out together, so they may arrive in any order.
    const sorted = [...bodies].sort((a, b) => Number(a.StartTime) - Number(b.StartTime));
    expect(sorted[0]?.StartTime).toBe(FIRST);
    expect(sorted.at(-1)?.EndTime).toBe(Math.floor(NOW / 1000));
    sorted.forEach((b, i) => {
      expect(Number(b.EndTime) - Number(b.StartTime)).toBeLessThan(SURFER_MAX_SLICE_S);
      if (i > 0) expect(b.StartTime).toBe(Number(sorted[i - 1]?.EndTime) + 1);
      expect(b.Action).toBe('GetUMInferTokenUsage');
      expect(b.KeyId).toBe(DEMO_SURFER_KEY_ID);
      expect(b).not.toHaveProperty('Model');
      expect(b).not.toHaveProperty('ProjectId');
    });

    // The UTC day cut by the window start (2024-12-31) is left out; every day from 2025-01-01 is whole.
    const want = expectedDaily(fake.state.usage, Date.UTC(2025, 0, 1), NOW);
    expect(want.length).toBeGreaterThan(60);
    expect(r.usage).toEqual(want);
    expect(r.balance).toBeNull();
    expect(r.spent).toEqual({});
    expect(r.quota).toBeNull();
    expect(r.notes).toContain('SurferCloud reports tokens, not money.');
  });

  it('re-reads from a day before the newest stored bucket, so it and the one before are read whole again', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    const since = Date.UTC(2025, 0, 31);
    const r = await surfercloudAdapter.fetch(ctx(fake.url, { usageSince: since, options: { keyId: DEMO_SURFER_KEY_ID, projectId: 'org-abc' } }));
    const bodies = sent(fake);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ StartTime: (since - DAY_MS) / 1000, ProjectId: 'org-abc' });
    expect(r.usage).toEqual(expectedDaily(fake.state.usage, since - DAY_MS, NOW));
    expect(new Set(r.usage.map((b) => b.start))).toEqual(new Set([since - DAY_MS, since]));
  });

  it('asks once per slice and model when models are set, and reads only those', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    const models = ['deepseek-ai/DeepSeek-V3', 'Qwen/Qwen3-32B'];
    const r = await surfercloudAdapter.fetch(ctx(fake.url, { options: { keyId: DEMO_SURFER_KEY_ID, models: models.join(', ') } }));
    const bodies = sent(fake);
    expect(bodies).toHaveLength(4 * models.length);
    for (const m of models) expect(bodies.filter((b) => b.Model === m)).toHaveLength(4);
    expect(new Set(r.usage.map((b) => b.model))).toEqual(new Set(models));
    expect(r.usage).toEqual(expectedDaily(fake.state.usage, Date.UTC(2025, 0, 1), NOW, models));
  });

  it('sums the parts of a day split across slices without counting totals twice', async () => {
    fake = await startSurferCloudFake({ now: () => NOW, state: { usage: [] } });
    // The second slice starts 10 days after 2024-12-31 16:00 UTC, i.e. at 2025-01-10 16:00: day 10 is split.
    const day10 = Date.UTC(2025, 0, 10);
    const day11 = Date.UTC(2025, 0, 11);
    fake.record(day10 + 5 * 3_600_000, 'm1', { in: 100, out: 10, requests: 1 });
    fake.record(day10 + 23 * 3_600_000 + 59_000, 'm1', { in: 200, out: 20, requests: 2 });
    fake.record(day11, 'm1', { in: 1_000, out: 300, requests: 3, images: 4 });
    fake.record(day11 + 3_600_000, 'm2', { in: 7, out: 0, requests: 1 });
    fake.record(day11, 'm1', { in: 5, requests: 1 }, 'some-other-key');
    const r = await surfercloudAdapter.fetch(ctx(fake.url));
    const bucket = (start: number, model: string, requests: number, inputTokens: number, outputTokens: number): UsageBucket => ({
      start, width: 'day', model, key: DEMO_SURFER_KEY_ID, requests, inputTokens, outputTokens, cachedTokens: 0, reasoningTokens: 0, cost: null,
    });
    // Image generations stay on the day and model they were reported for.
    expect(r.usage).toEqual([bucket(day10, 'm1', 3, 300, 30), { ...bucket(day11, 'm1', 3, 1_000, 300), images: 4 }, bucket(day11, 'm2', 1, 7, 0)]);
    expect(r.notes.some((n) => n.includes('4 image generation'))).toBe(true);
  });

  it('runs at most three requests at once', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    let inFlight = 0;
    let most = 0;
    const counting: HttpClient = async (req) => {
      most = Math.max(most, ++inFlight);
      try {
        return await defaultHttpClient(req);
      } finally {
        inFlight--;
      }
    };
    await surfercloudAdapter.fetch(ctx(fake.url, { http: counting, options: { keyId: DEMO_SURFER_KEY_ID, models: ['a', 'b', 'c'] } }));
    expect(fake.requests).toHaveLength(12);
    expect(most).toBe(3);
  });

  it('reports totals without a breakdown in a note, inventing no buckets', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    fake.fail({ response: { body: { RetCode: 0, Message: '', Data: { Total: 15230, InTotal: 12000, OutTotal: 3230, RequestTotal: 42, Usages: [] } } } });
    const r = await surfercloudAdapter.fetch(ctx(fake.url, { usageSince: NOW - 3_600_000 }));
    expect(r.usage).toEqual([]);
    expect(r.notes.some((n) => n.includes('12000 input and 3230 output tokens over 42 requests'))).toBe(true);
  });

  it('uses total only when a day has no in/out split', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    const ts = Date.UTC(2025, 0, 31, 2) / 1000;
    fake.fail({ response: { body: { RetCode: 0, Data: { Usages: [{ Type: 'total', Count: 900, Timestamp: ts, Model: 'x' }, { Type: 'request_count', Count: 2, Timestamp: ts, Model: 'x' }] } } } });
    const r = await surfercloudAdapter.fetch(ctx(fake.url, { usageSince: NOW - 3_600_000 }));
    expect(r.usage).toMatchObject([{ model: 'x', inputTokens: 900, outputTokens: 0, requests: 2 }]);
    expect(r.notes.some((n) => n.includes('only a total'))).toBe(true);
  });

  it('asks for the key id and both keys', async () => {
    expect((await failure(surfercloudAdapter.fetch(ctx('http://127.0.0.1:9', { options: {} })))).kind).toBe('config');
    expect((await failure(surfercloudAdapter.fetch(ctx('http://127.0.0.1:9', { credentials: { publicKey: 'x' } })))).kind).toBe('config');
  });
});

describe('surfercloud errors', () => {
  it('reports a signature mismatch as auth, naming the key pair but neither key', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    const wrong = 'wrong-private-key-0123456789';
    const err = await failure(surfercloudAdapter.fetch(ctx(fake.url, { credentials: { publicKey: DEMO_SURFER_PUBLIC_KEY, privateKey: wrong } })));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/RetCode 171.*public\/private key pair/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(DEMO_SURFER_PUBLIC_KEY);
  });

  it('reports an unknown public key as auth', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    const err = await failure(surfercloudAdapter.fetch(ctx(fake.url, { credentials: { publicKey: 'nobody-0000000000', privateKey: 'x-0000000000' } })));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('RetCode 172');
  });

  it("reports other RetCodes as provider errors with the provider's message", async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    fake.fail({ times: 1, response: { body: { RetCode: 230, Message: 'Params [ProjectId] not available' } } });
    const err = await failure(surfercloudAdapter.fetch(ctx(fake.url)));
    expect(err.kind).toBe('provider');
    expect(err.message).toContain('Params [ProjectId] not available');
  });

  it('fails the whole read when one slice fails', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    fake.fail({ times: 1, response: FAULTS.serverError(502) });
    const err = await failure(surfercloudAdapter.fetch(ctx(fake.url)));
    expect(err.kind).toBe('server');
    expect(err.status).toBe(502);
  });

  it('times out on a hanging gateway', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    fake.fail({ response: FAULTS.hang(10_000) });
    const err = await failure(surfercloudAdapter.fetch(ctx(fake.url, { timeoutMs: 200 })));
    expect(err.kind).toBe('timeout');
  });

  it.each([
    ['an HTML page', FAULTS.html(200), /HTML/],
    ['truncated JSON', FAULTS.malformed(), /not valid JSON/],
    ['a body without RetCode', { body: { ok: true } }, /RetCode/],
    ['a negative count', { body: { RetCode: 0, Data: { Usages: [{ Type: 'in', Count: -5, Timestamp: 1738281600, Model: 'x' }] } } }, /negative/],
    ['a non-numeric count', { body: { RetCode: 0, Data: { Usages: [{ Type: 'in', Count: 'lots', Timestamp: 1738281600, Model: 'x' }] } } }, /not a number/],
  ])('reports %s as a bad response', async (_what, response, message) => {
    fake = await startSurferCloudFake({ now: () => NOW });
    fake.fail({ times: 1, response });
    const err = await failure(surfercloudAdapter.fetch(ctx(fake.url, { usageSince: NOW - 3_600_000 })));
    expect(err.kind).toBe('bad-response');
    expect(err.message).toMatch(message);
  });
});

describe('surfercloud fake', () => {
  const signed = (params: Record<string, string | number>) => ({ ...params, Signature: ucloudSignature({ ...params, PublicKey: DEMO_SURFER_PUBLIC_KEY }, DEMO_SURFER_PRIVATE_KEY), PublicKey: DEMO_SURFER_PUBLIC_KEY });
  const window = (days: number) => ({ Action: 'GetUMInferTokenUsage', KeyId: DEMO_SURFER_KEY_ID, StartTime: NOW / 1000 - days * 86_400, EndTime: Math.floor(NOW / 1000) });

  it('accepts GET query strings and form bodies', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    const query = new URLSearchParams(Object.entries(signed({ ...window(1), StartTime: Math.floor(NOW / 1000) - 86_400 })).map(([k, v]) => [k, String(v)]));
    const viaGet = JSON.parse((await defaultHttpClient({ url: `${fake.url}/?${query}`, timeoutMs: 5_000 })).text) as { RetCode: number; Data: { Usages: unknown[] } };
    expect(viaGet.RetCode).toBe(0);
    expect(viaGet.Data.Usages.length).toBeGreaterThan(0);
    const viaForm = await defaultHttpClient({ method: 'POST', url: fake.url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query.toString(), timeoutMs: 5_000 });
    expect(JSON.parse(viaForm.text)).toEqual(viaGet);
  });

  it('answers windows longer than 10 days with 504, and a missing KeyId with a RetCode', async () => {
    fake = await startSurferCloudFake({ now: () => NOW });
    const long = { ...window(11), StartTime: Math.floor(NOW / 1000) - 11 * 86_400 };
    const res = await defaultHttpClient({ method: 'POST', url: fake.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(signed(long)), timeoutMs: 5_000 });
    expect(res.status).toBe(504);
    const { KeyId: _omit, ...noKey } = { ...window(1), StartTime: Math.floor(NOW / 1000) - 86_400 };
    const res2 = await defaultHttpClient({ method: 'POST', url: fake.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(signed(noKey)), timeoutMs: 5_000 });
    expect(JSON.parse(res2.text)).toMatchObject({ RetCode: 230 });
  });

  it('generates the same demo usage every time, without randomness', () => {
    const a = demoSurferUsage(NOW, 3);
    expect(a).toEqual(demoSurferUsage(NOW, 3));
    expect(a.length).toBeGreaterThan(10);
    expect(a.every((u) => u.hour <= NOW && u.hour > NOW - 3 * DAY_MS && u.requests > 0)).toBe(true);
  });
});
