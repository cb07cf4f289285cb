// The batch writer on a real SQLite file: a batch is written in slices with the event loop let run between them, and
// the hourly sums and latest rate-limit figures it writes per group are exactly what writing row by row gives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProxyRecord } from '../../../electron/core/proxy/handler.ts';
import { RequestRecorder, SLICE_ROWS, type PriceFn } from '../../../electron/core/proxy/recorder.ts';
import { ensureProxyTables } from '../../../electron/core/proxy/tables.ts';
import { Redactor } from '../../../electron/core/redaction.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

let dir: string;
let db: DatabaseSync;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spendbar-recorder-'));
  db = new DatabaseSync(join(dir, 'spendbar.db'));
  ensureProxyTables(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

// Priced models cost 7 micros per token; "m-unpriced" has no price.
const price: PriceFn = async (_provider, model, usage) => (model === 'm-unpriced' ? null : { cost: { micros: 7 * (usage.inputTokens + usage.outputTokens), currency: 'USD' }, pricedAs: `t/${model}` });

function record(i: number): ProxyRecord {
  const account = i % 3 === 0 ? 'a' : 'b';
  return {
    // Two hours, out of time order within the batch.
    time: T0 + (i % 2) * HOUR + ((i * 7919) % 1000) * 1000,
    accountId: account,
    provider: 'newapi',
    key: i % 4 === 0 ? 'sk-…0001' : 'sk-…0002',
    keyId: i % 4 === 0 ? 'k_one' : 'k_two',
    app: i % 5 === 0 ? 'indexer' : 'web',
    kind: i % 5 === 0 ? 'internal' : 'service',
    modelRequested: 'gpt-4o',
    endpoint: '/v1/chat/completions',
    stream: i % 2 === 0,
    status: i % 11 === 0 ? 500 : 200,
    usage: {
      model: i % 6 === 0 ? 'm-unpriced' : i % 3 === 1 ? 'm-router' : 'm-priced',
      inputTokens: 100 + i,
      outputTokens: 10 + (i % 9),
      cachedTokens: i % 4,
      cacheWriteTokens: 0,
      reasoningTokens: i % 3,
      // A router's own cost on some rows.
      providerCost: i % 3 === 1 ? 0.000_5 : null,
      estimated: i % 7 === 0,
    },
    latencyMs: 12,
    ttfbMs: 3,
    rateLimit: i % 2 === 0 ? { requests: { limit: 500, remaining: 500 - i, resetAt: T0 + HOUR } } : null,
    note: null,
  };
}

/** What row-by-row upserts give: the roll-up's own arithmetic, spelled out. */
function expectedHours(records: ProxyRecord[]) {
  const out = new Map<string, Record<string, number | string | null>>();
  for (const r of records) {
    const u = r.usage;
    const model = u.model ?? r.modelRequested;
    const micros = u.providerCost !== null ? Math.round(u.providerCost * 1e6) : model === 'm-unpriced' ? null : 7 * (u.inputTokens + u.outputTokens);
    const currency = micros === null ? '' : 'USD';
    const hour = r.time - (r.time % HOUR);
    const k = JSON.stringify([hour, r.accountId, model, r.key, r.app, r.kind, currency]);
    const h = out.get(k) ?? { hour, account_id: r.accountId, model, key: r.key, app: r.app, kind: r.kind, currency, requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0, reasoning_tokens: 0, cost_micros: null, unpriced: 0, estimated: 0 };
    (h.requests as number)++;
    if (r.status >= 300) (h.errors as number)++;
    (h.input_tokens as number) += u.inputTokens;
    (h.output_tokens as number) += u.outputTokens;
    (h.cached_tokens as number) += u.cachedTokens;
    (h.reasoning_tokens as number) += u.reasoningTokens;
    if (micros !== null) h.cost_micros = ((h.cost_micros as number | null) ?? 0) + micros;
    if (micros === null) (h.unpriced as number)++;
    if (u.estimated) (h.estimated as number)++;
    out.set(k, h);
  }
  return [...out.values()];
}

const hoursInDb = () => db.prepare('SELECT * FROM proxy_hourly ORDER BY hour, account_id, model, key, app, kind, currency').all();
const sortRows = (rows: Record<string, unknown>[]) => [...rows].sort((x, y) => JSON.stringify([x.hour, x.account_id, x.model, x.key, x.app, x.kind, x.currency]).localeCompare(JSON.stringify([y.hour, y.account_id, y.model, y.key, y.app, y.kind, y.currency])));

describe('RequestRecorder', () => {
  it('writes a batch of several slices: every row, hourly sums as row by row, the latest rate-limit figures per key', async () => {
    const recorder = new RequestRecorder({ db, price, maxBatch: 10_000, flushMs: 60_000 });
    // Two flushes into the same hours: the second adds to the sums the first stored.
    const first = Array.from({ length: 70 }, (_, i) => record(i));
    const second = Array.from({ length: 45 }, (_, i) => record(i + 70));
    for (const r of first) recorder.add(r);
    await recorder.flush();
    for (const r of second) recorder.add(r);
    await recorder.flush();

    expect((db.prepare('SELECT count(*) AS n FROM proxy_requests').get() as { n: number }).n).toBe(115);
    const want = sortRows(expectedHours([...first, ...second]));
    expect(hoursInDb()).toEqual(want.map((h) => ({ ...h })));
    // Several groups, and a group spanning many rows, so the sums are not trivially one row each.
    expect(want.length).toBeGreaterThan(5);
    expect(Math.max(...want.map((h) => h.requests as number))).toBeGreaterThan(3);

    const rates = db.prepare('SELECT account_id, key_id, time, rate_limit FROM proxy_ratelimits ORDER BY account_id, key_id').all() as { account_id: string; key_id: string; time: number; rate_limit: string }[];
    const all = [...first, ...second].filter((r) => r.rateLimit);
    const latest = new Map<string, ProxyRecord>();
    for (const r of all) {
      const k = `${r.accountId} ${r.keyId}`;
      const seen = latest.get(k);
      if (!seen || r.time >= seen.time) latest.set(k, r);
    }
    expect(rates).toEqual(
      [...latest.values()]
        .sort((x, y) => `${x.accountId} ${x.keyId}`.localeCompare(`${y.accountId} ${y.keyId}`))
        .map((r) => ({ account_id: r.accountId, key_id: r.keyId, time: r.time, rate_limit: JSON.stringify(r.rateLimit) })),
    );
  });

  it('lets the event loop run between slices: a callback queued as the batch starts sees exactly one slice stored', async () => {
    const recorder = new RequestRecorder({ db, price, maxBatch: 10_000, flushMs: 60_000 });
    for (let i = 0; i < SLICE_ROWS * 3 + 5; i++) recorder.add(record(i));
    const count = () => (db.prepare('SELECT count(*) AS n FROM proxy_requests').get() as { n: number }).n;
    let seenBetween = -1;
    const flushed = recorder.flush();
    setImmediate(() => (seenBetween = count()));
    await flushed;
    expect(seenBetween).toBe(SLICE_ROWS);
    expect(count()).toBe(SLICE_ROWS * 3 + 5);
  });

  it('scrubs every text of a row before it is stored', async () => {
    const secret = 'sk-live-0123456789abcdefghij';
    const redactor = new Redactor(() => [secret]);
    const recorder = new RequestRecorder({ db, price, scrub: (v) => redactor.value(v), maxBatch: 10_000, flushMs: 60_000 });
    const r = record(1);
    recorder.add({ ...r, app: `app ${secret}`, modelRequested: `m ${secret}`, endpoint: `/v1/${secret}/x`, note: `upstream said ${secret}`, usage: { ...r.usage, model: `served ${secret}` } });
    await recorder.flush();
    const stored = JSON.stringify([db.prepare('SELECT * FROM proxy_requests').all(), hoursInDb()]);
    expect(stored).toContain('served ');
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain('0123456789abcdefghij');
  });
});
