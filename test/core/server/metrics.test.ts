// /metrics as Prometheus reads it: counters that never go down whatever the store does to its rows, valid names,
// HELP and TYPE for every family, and label values escaped. Real SQLite files in temp dirs; the exposition is parsed
// by a strict reader (exposition.ts), not searched for strings.
import { describe, expect, it } from 'vitest';
import { crc32, gunzipSync } from 'node:zlib';
import { DERIVED_MODEL, type Account, type AccountStatus } from '../../../shared/domain.ts';
import { METRIC_FAMILIES, renderMetrics } from '../../../electron/core/server/metrics.ts';
import { ensureProxyTables } from '../../../electron/core/proxy/tables.ts';
import { applyProxyRetention } from '../../../electron/core/proxy/queries.ts';
import { RequestRecorder } from '../../../electron/core/proxy/recorder.ts';
import type { ProxyRecord } from '../../../electron/core/proxy/handler.ts';
import type { SnapshotStore } from '../../../electron/core/store/index.ts';
import { bucket, DAY, HOUR, okSnapshot, openStore, tempDbPath, track } from '../store/helpers.ts';
import { SnapshotStore as Store } from '../../../electron/core/store/index.ts';
import { Redactor } from '../../../electron/core/redaction.ts';
import { crc32Combine, MetricsExposition } from '../../../electron/core/server/metrics-body.ts';
import { parseExposition, seriesKey, type Exposition } from './exposition.ts';

const account = (id: string, label = id): Account => ({ id, provider: 'openrouter', label, pollIntervalSec: 300 });
const NOW = Date.UTC(2026, 0, 31, 20);

function scrape(store: SnapshotStore, accounts: Account[], statuses: AccountStatus[] = []): Exposition {
  return parseExposition(renderMetrics({ accounts, statuses, totals: store.metricsTotals(), pollErrors: new Map() }));
}

function value(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  return e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

function proxyRecord(time: number, status: number, model = 'gpt-x'): ProxyRecord {
  return {
    time, accountId: 'acct', provider: 'openrouter', key: 'sk-…0001', keyId: 'k_0000000000000001', app: 'app', kind: 'service', modelRequested: model, endpoint: '/v1/chat/completions',
    stream: false, status, latencyMs: 10, ttfbMs: null, rateLimit: null, note: null,
    usage: { model, inputTokens: status === 200 ? 100 : 0, outputTokens: status === 200 ? 20 : 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, providerCost: status === 200 ? 0.001 : null, estimated: false },
  };
}

async function meter(store: SnapshotStore, records: ProxyRecord[]): Promise<void> {
  const recorder = new RequestRecorder({ db: store.db, price: async () => null, flushMs: 1 });
  for (const r of records) recorder.add(r);
  await recorder.close();
}

describe('/metrics counters', () => {
  it('never go down across retention, a month roll-over, a downward revision, a retired estimate and a roll-up rebuild', async () => {
    const file = tempDbPath();
    let store = openStore({}, file);
    ensureProxyTables(store.db);
    const accounts = [account('acct')];
    // The counter tables exist from the first scrape on; usage written before it is counted from the backfill,
    // usage written after it by the triggers. Both halves are exercised.
    const start = NOW - 100 * DAY;
    store.saveSnapshots([okSnapshot('acct', start, { usage: [bucket(start), bucket(start + HOUR, { model: 'other' })] })]);
    await meter(store, [proxyRecord(start, 200), proxyRecord(start + 1, 429)]);
    const first = scrape(store, accounts);
    expect(value(first, 'spendbar_requests_total', { model: 'gpt-x' })).toBe(1);
    expect(value(first, 'spendbar_metered_rate_limited_total', { model: 'gpt-x' })).toBe(1);

    const hours = 100 * 24;
    const list = [];
    for (let h = 2; h < hours; h++) list.push(okSnapshot('acct', start + h * HOUR, { usage: [bucket(start + h * HOUR, { requests: 2 })] }));
    // An estimate from balance changes for today: a row for all models, replaced when the provider reports the day.
    list.push(okSnapshot('acct', NOW - HOUR, { usage: [bucket(NOW - 2 * HOUR, { model: DERIVED_MODEL, requests: 0, cost: { micros: 9_000_000, currency: 'USD' } })] }));
    store.saveSnapshots(list);
    await meter(store, [proxyRecord(NOW - DAY, 200), proxyRecord(NOW - DAY + 1, 429), proxyRecord(NOW - DAY + 2, 500)]);
    const before = scrape(store, accounts);
    const requestsBefore = 1 + (hours - 2) * 2;
    expect(value(before, 'spendbar_requests_total', { model: 'gpt-x' })).toBe(requestsBefore);
    expect(value(before, 'spendbar_tokens_total', { model: 'gpt-x', type: 'input' })).toBe(100 * (hours - 1));
    expect(value(before, 'spendbar_usage_cost_total', { model: 'gpt-x', currency: 'USD' })).toBeCloseTo(0.001 * (hours - 1), 9);
    // The estimate is a gauge-like figure (spend today), never a counter: it would count twice once replaced.
    expect(before.samples.some((s) => s.labels.model === DERIVED_MODEL)).toBe(false);
    expect(value(before, 'spendbar_metered_requests_total', { model: 'gpt-x' })).toBe(5);
    expect(value(before, 'spendbar_metered_rate_limited_total', { model: 'gpt-x' })).toBe(2);
    expect(value(before, 'spendbar_metered_errors_total', { model: 'gpt-x' })).toBe(3);

    // A month later: raw snapshots and metered request rows pruned, the provider revises one old bucket down and
    // replaces the estimate, and the store is reopened in another zone (its daily roll-up is deleted and rebuilt).
    const later = NOW + 31 * DAY;
    expect(store.applyRetention(later, { rawDays: 30 }).removed).toBeGreaterThan(0);
    expect(applyProxyRetention(store.db, later - 30 * DAY)).toBe(5);
    store.saveSnapshots([
      okSnapshot('acct', later - 2 * HOUR, { usage: [bucket(start + 10 * HOUR, { requests: 0, inputTokens: 0, cost: { micros: 0, currency: 'USD' } })] }),
      okSnapshot('acct', later - HOUR, { usage: [bucket(NOW - 2 * HOUR, { model: DERIVED_MODEL, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: { micros: 0, currency: 'USD' } })] }),
    ]);
    store.close();
    store = track(Store.open(file, { timeZone: 'Asia/Kolkata' }));
    store.saveSnapshots([okSnapshot('acct', later, { usage: [bucket(later - HOUR, { model: 'new-model', requests: 7 })] })]);
    const after = scrape(store, accounts);

    const now = new Map(after.samples.map((s) => [seriesKey(s), s.value]));
    let counters = 0;
    for (const s of before.samples) {
      if (before.families.get(s.name)?.type !== 'counter') continue;
      counters++;
      expect(now.get(seriesKey(s)), seriesKey(s)).toBeGreaterThanOrEqual(s.value);
    }
    expect(counters).toBeGreaterThan(10);
    // The revised bucket keeps the highest figure it had (a drop would read as a counter reset in Prometheus).
    expect(value(after, 'spendbar_requests_total', { model: 'gpt-x' })).toBe(requestsBefore);
    expect(value(after, 'spendbar_requests_total', { model: 'new-model' })).toBe(7);
    expect(value(after, 'spendbar_metered_rate_limited_total', { model: 'gpt-x' })).toBe(2);

    // Revised back up to what it was: counted once, not twice.
    store.saveSnapshots([okSnapshot('acct', later + HOUR, { usage: [bucket(start + 10 * HOUR, { requests: 2 })] })]);
    expect(value(scrape(store, accounts), 'spendbar_requests_total', { model: 'gpt-x' })).toBe(requestsBefore);
    // A revision above the old high-water mark counts the difference.
    store.saveSnapshots([okSnapshot('acct', later + 2 * HOUR, { usage: [bucket(start + 10 * HOUR, { requests: 5 })] })]);
    expect(value(scrape(store, accounts), 'spendbar_requests_total', { model: 'gpt-x' })).toBe(requestsBefore + 3);
  });

  it('count a model priced in two currencies once, with its cost per currency', () => {
    const store = openStore();
    store.saveSnapshots([
      okSnapshot('a', NOW, { usage: [bucket(NOW - 2 * HOUR, { requests: 3 }), bucket(NOW - HOUR, { requests: 4, cost: { micros: 2_000_000, currency: 'CNY' } })] }),
    ]);
    const e = scrape(store, [account('a')]);
    expect(e.samples.filter((s) => s.name === 'spendbar_requests_total')).toEqual([{ name: 'spendbar_requests_total', labels: { account: 'a', provider: 'openrouter', model: 'gpt-x' }, value: 7 }]);
    expect(value(e, 'spendbar_usage_cost_total', { currency: 'USD' })).toBeCloseTo(0.001, 9);
    expect(value(e, 'spendbar_usage_cost_total', { currency: 'CNY' })).toBe(2);
  });

  it('are served only for accounts that exist, and a removed account does not take them down when re-added', () => {
    const store = openStore();
    store.saveSnapshots([okSnapshot('a', NOW, { usage: [bucket(NOW - HOUR)] }), okSnapshot('b', NOW, { usage: [bucket(NOW - HOUR, { requests: 4 })] })]);
    const both = scrape(store, [account('a'), account('b')]);
    expect(value(both, 'spendbar_requests_total', { account: 'b' })).toBe(4);
    store.deleteAccount('b');
    expect(value(scrape(store, [account('a')]), 'spendbar_requests_total', { account: 'b' })).toBeUndefined();
    expect(value(scrape(store, [account('a'), account('b')]), 'spendbar_requests_total', { account: 'b' })).toBe(4);
  });
});

describe('/metrics exposition', () => {
  it('declares HELP and TYPE for every family, with valid names, counters named *_total', () => {
    const store = openStore();
    store.saveSnapshots([okSnapshot('a', NOW, { usage: [bucket(NOW - HOUR)] })]);
    for (const e of [parseExposition(renderMetrics({ accounts: [], statuses: [], totals: null, pollErrors: new Map() })), scrape(store, [account('a')])]) {
      expect([...e.families.keys()]).toEqual([...METRIC_FAMILIES]);
      for (const [name, fam] of e.families) {
        expect(fam.help.length, name).toBeGreaterThan(10);
        expect(['counter', 'gauge']).toContain(fam.type);
        expect(name.endsWith('_total'), name).toBe(fam.type === 'counter');
      }
    }
  });

  it('escapes backslash, double quote and line feed in label values', () => {
    const store = openStore();
    const model = 'we said "hi"\\ then\nleft';
    const label = 'Team "A"\\B\nC';
    store.saveSnapshots([okSnapshot('a', NOW, { usage: [bucket(NOW - HOUR, { model })] })]);
    const text = renderMetrics({ accounts: [account('a', label)], statuses: [], totals: store.metricsTotals(), pollErrors: new Map() });
    expect(text).toContain('spendbar_account_info{account="a",provider="openrouter",label="Team \\"A\\"\\\\B\\nC"} 1');
    expect(text).toContain('model="we said \\"hi\\"\\\\ then\\nleft"');
    // Each sample stays on its line, and reading the text back gives the values as they were.
    const e = parseExposition(text);
    expect(e.samples.find((s) => s.name === 'spendbar_account_info')?.labels.label).toBe(label);
    expect(e.samples.find((s) => s.name === 'spendbar_requests_total')?.labels.model).toBe(model);
  });

  it('scrubs a secret from every label value (the server passes its redactor), leaving the text valid', () => {
    const store = openStore();
    const secret = 'sk-or-v1-pasted-into-a-label-0123456789';
    store.saveSnapshots([okSnapshot('a', NOW, { usage: [bucket(NOW - HOUR, { model: `model ${secret}` })] })]);
    const redactor = new Redactor();
    redactor.include(() => [secret]);
    const text = renderMetrics({ accounts: [account('a', `Team ${secret}`)], statuses: [], totals: store.metricsTotals(), pollErrors: new Map(), scrub: (v) => redactor.text(v) });
    expect(text).not.toContain(secret);
    expect(text).not.toContain('0123456789');
    const e = parseExposition(text);
    expect(e.samples.find((s) => s.name === 'spendbar_account_info')?.labels.label).toMatch(/^Team \S+/);
    expect(e.samples.filter((s) => s.name === 'spendbar_requests_total')).toHaveLength(1);
  });
});

describe('/metrics counters read since an earlier read', () => {
  it('send a half again exactly when one of its served figures moved', async () => {
    const store = openStore();
    ensureProxyTables(store.db);
    const t = NOW - 2 * DAY;
    store.saveSnapshots([okSnapshot('acct', t, { usage: [bucket(t)] })]);
    await meter(store, [proxyRecord(t, 200)]);
    const first = store.metricsTotalsSince(null);
    expect(first.usage?.usage).toHaveLength(1);
    expect(first.metered).toHaveLength(1);
    const since = (marks = first.marks) => store.metricsTotalsSince(marks);
    const moved = (r: ReturnType<typeof since>) => [r.usage !== null, r.metered !== null];
    expect(moved(since())).toEqual([false, false]);
    // A poll with no usage writes a snapshot row: no counter moved.
    store.saveSnapshots([okSnapshot('acct', t + HOUR)]);
    expect(moved(since())).toEqual([false, false]);
    // A metered request (a 429 moves only the count and the 429s): the metered half only.
    await meter(store, [proxyRecord(t + 2 * HOUR, 429)]);
    const afterMeter = since();
    expect(moved(afterMeter)).toEqual([false, true]);
    expect(afterMeter.metered?.[0]?.rateLimited).toBe(1);
    // The provider revises the bucket up by one token: the provider half.
    store.saveSnapshots([okSnapshot('acct', t + 3 * HOUR, { usage: [bucket(t, { outputTokens: 51 })] })]);
    const up = since(afterMeter.marks);
    expect(moved(up)).toEqual([true, false]);
    expect(up.usage?.usage[0]?.outputTokens).toBe(51);
    // Revised down: the counters keep their highest figures, so nothing served moved.
    store.saveSnapshots([okSnapshot('acct', t + 4 * HOUR, { usage: [bucket(t, { outputTokens: 40 })] })]);
    expect(moved(since(up.marks))).toEqual([false, false]);
    // A cost in a second currency, with no tokens or requests: only a new cost row.
    const costOnly = { requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: { micros: 5, currency: 'CNY' } };
    store.saveSnapshots([okSnapshot('acct', t + 5 * HOUR, { usage: [bucket(t + HOUR, costOnly)] })]);
    expect(moved(since(up.marks))).toEqual([true, false]);
  });
});

describe('/metrics text kept between scrapes', () => {
  const source = (store: SnapshotStore) => ({ prepare: () => store.prepareMetricsTotals(), version: () => store.metricsTotalsVersion(), read: store.metricsTotalsSince.bind(store) });
  const render = (e: MetricsExposition, accounts: Account[]) => e.render({ accounts, statuses: [], pollErrors: new Map() }).text.toString('utf8');

  it('is the text of renderMetrics, and made again when accounts or the secrets to scrub change though the store did not', () => {
    const store = openStore();
    const secret = 'sk-or-v1-model-named-after-a-key-0123456789';
    store.saveSnapshots([okSnapshot('a', NOW, { usage: [bucket(NOW - HOUR, { model: `m ${secret}` })] }), okSnapshot('b', NOW, { usage: [bucket(NOW - HOUR, { model: 'm2' })] })]);
    const secrets: string[] = [];
    const redactor = new Redactor(() => secrets);
    const scrub = (v: string) => redactor.text(v);
    const e = new MetricsExposition({ source: source(store), scrub, scrubGeneration: () => redactor.generation });
    const both = [account('a'), account('b')];
    const first = render(e, both);
    expect(first).toBe(renderMetrics({ accounts: both, statuses: [], totals: store.metricsTotals(), pollErrors: new Map(), scrub }));
    expect(first).toContain(secret);
    // A secret learnt (a new account's key): a model label holding it is scrubbed in the next text.
    secrets.push(secret);
    redactor.invalidate();
    const scrubbed = render(e, both);
    expect(scrubbed).not.toContain(secret);
    expect(parseExposition(scrubbed).samples.filter((s) => s.name === 'spendbar_requests_total')).toHaveLength(2);
    // An account removed: its counters go with it.
    const onlyB = parseExposition(render(e, [account('b')]));
    expect(onlyB.samples.filter((s) => s.name === 'spendbar_requests_total').map((s) => s.labels.account)).toEqual(['b']);
  });

  it('reuses the body while nothing changed, and its gzip is the text', () => {
    const store = openStore();
    store.saveSnapshots([okSnapshot('a', NOW, { usage: [bucket(NOW - HOUR)] })]);
    const e = new MetricsExposition({ source: source(store) });
    const input = { accounts: [account('a')], statuses: [], pollErrors: new Map<string, number>() };
    const body = e.render(input);
    expect(e.render(input)).toBe(body);
    expect(gunzipSync(body.gzipped()).equals(body.text)).toBe(true);
    // A failed poll counted by the server is in the per-account part, rebuilt every scrape.
    const next = e.render({ ...input, pollErrors: new Map([['a', 1]]) });
    expect(next).not.toBe(body);
    expect(value(parseExposition(gunzipSync(next.gzipped()).toString('utf8')), 'spendbar_poll_errors_total', { account: 'a' })).toBe(1);
  });
});

describe('crc32Combine', () => {
  it("gives the CRC of two texts joined, as zlib's crc32 over the whole does", () => {
    const text = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 17 + ((i * i) >> 3)) & 0xff));
    for (const [a, b] of [[0, 0], [0, 7], [7, 0], [1, 1], [300, 4096], [65_537, 123_457], [1 << 20, 3]] as const) {
      const x = text(a, 1);
      const y = text(b, 2);
      expect(crc32Combine(crc32(x), crc32(y), b), `${a} + ${b}`).toBe(crc32(Buffer.concat([x, y])));
    }
  });
});
