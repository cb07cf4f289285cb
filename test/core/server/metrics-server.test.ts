// /metrics from a real `spendbar serve` core: real loopback provider fakes, a real SQLite file, metered requests
// written by the real recorder. Proves a scrape is one cheap store statement (and the counters' read only after a
// write), that the text it reuses is never stale (a poll, a metered request or another process's write shows in the
// very next scrape), that gzip is served to a client that asks, and that the Grafana board in the repository asks
// only for metric families this server really serves (read from its exposition, not from a list in the test).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, StatementSync } from 'node:sqlite';
import { createCore, type EngineCore } from '../../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { startOpenRouterFake, type OpenRouterFake } from '../../../electron/core/providers/fakes/openrouter.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../../electron/core/providers/fakes/deepseek.ts';
import { SnapshotStore } from '../../../electron/core/store/index.ts';
import { acceptsGzip } from '../../../electron/core/server/metrics-body.ts';
import { bucket, okSnapshot } from '../store/helpers.ts';
import { parseExposition, type Exposition } from './exposition.ts';

const OR_KEY = 'sk-or-v1-metrics-test-management-key';
const DS_KEY = 'sk-metrics-test-deepseek-key-0001';
const DAY = 86_400_000;
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);

let dataDir: string;
let or: OpenRouterFake;
let ds: DeepSeekFake;
let core: EngineCore;
let server: RunningServer;

async function scrape(): Promise<Exposition> {
  const res = await fetch(server.url + '/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
}

beforeAll(async () => {
  or = await startOpenRouterFake({
    state: {
      keys: {
        [OR_KEY]: { label: 'm', limit: null, limitReset: null, usage: 0, usageDaily: 0, usageWeekly: 0, usageMonthly: 0, isManagementKey: true, isFreeTier: false, expiresAt: null },
        'sk-or-v1-metrics-app-key-0001': { label: 'app', name: 'App', limit: 20, limitReset: null, usage: 12.5, usageDaily: 0.5, usageWeekly: 3, usageMonthly: 12.5, isManagementKey: false, isFreeTier: false, expiresAt: null },
      },
      totalCredits: 50,
      totalUsage: 12.5,
      activity: [
        { date: yesterday, model: 'openai/gpt-4.1', endpoint_id: 'e1', provider_name: 'OpenAI', usage: 1.5, requests: 10, prompt_tokens: 1000, completion_tokens: 500, reasoning_tokens: 0 },
        { date: yesterday, model: 'anthropic/claude-sonnet-4', endpoint_id: 'e2', provider_name: 'Anthropic', usage: 2.25, requests: 4, prompt_tokens: 4000, completion_tokens: 800, reasoning_tokens: 0 },
      ],
    },
  });
  ds = await startDeepSeekFake({ state: { keys: { [DS_KEY]: { isAvailable: true, balances: [{ currency: 'CNY', total: 88.8, granted: 0, toppedUp: 88.8 }] } } } });
  core = await createCore({
    dataDir: (dataDir = mkdtempSync(join(tmpdir(), 'spendbar-metrics-'))),
    mode: 'serve',
    settings: createMemorySettingsStore(),
    secrets: createMemorySecretStore(),
    configAccounts: [
      { account: { id: 'router', provider: 'openrouter', label: 'Router', baseUrl: or.url, pollIntervalSec: 300, source: 'config' }, credentials: { apiKey: OR_KEY } },
      { account: { id: 'ds', provider: 'deepseek', label: 'DeepSeek', baseUrl: ds.url, pollIntervalSec: 300, source: 'config' }, credentials: { apiKey: DS_KEY } },
    ],
    version: 'test',
  });
  server = await startServer({ api: core.api, port: 0, redactor: core.redactor, metricsTotals: core.metricsTotals });
  await core.pollAll();
  // Two requests through the metering proxy, one of them rate limited, written by the real recorder.
  await meter([200, 429]);
});

/** Requests through the metering proxy, written by the real recorder. */
async function meter(statuses: number[]): Promise<void> {
  for (const status of statuses) {
    core.meter.recorder.add({
      time: Date.now(), accountId: 'router', provider: 'openrouter', key: 'sk-…0001', keyId: 'k_0000000000000001', app: 'app', kind: 'service', modelRequested: 'openai/gpt-4.1',
      endpoint: '/v1/chat/completions', stream: false, status, latencyMs: 5, ttfbMs: null, rateLimit: null, note: null,
      usage: { model: 'openai/gpt-4.1', inputTokens: status === 200 ? 10 : 0, outputTokens: status === 200 ? 5 : 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, providerCost: status === 200 ? 0.0001 : null, estimated: false },
    });
  }
  await core.meter.recorder.flush();
}

/** GET /metrics with node:http, which (unlike fetch) hands over the bytes as sent. */
function rawScrape(acceptEncoding?: string): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(server.url + '/metrics', { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function valueOf(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  return e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** Every statement node:sqlite runs during fn, whoever prepared it. */
async function statementsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  const proto = StatementSync.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const spies = [
    ...(['all', 'get', 'run', 'iterate'] as const).map((m) => {
      const original = proto[m] as (...args: unknown[]) => unknown;
      return vi.spyOn(proto, m).mockImplementation(function (this: StatementSync, ...args: unknown[]) {
        calls.push(`${m} ${this.sourceSQL}`);
        return Reflect.apply(original, this, args);
      });
    }),
    vi.spyOn(DatabaseSync.prototype, 'exec').mockImplementation(function (this: DatabaseSync, sql: string) {
      calls.push(`exec ${sql}`);
      return Reflect.apply(originalExec, this, [sql]) as never;
    }),
  ];
  try {
    await fn();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return calls;
}

afterAll(async () => {
  await server?.close();
  await core?.stop();
  await Promise.all([or?.close(), ds?.close()]);
});

describe('/metrics of a serving core', () => {
  it('serves every family with samples from the stored usage and the metering proxy', async () => {
    const e = await scrape();
    const at = (name: string, labels: Record<string, string>) => valueOf(e, name, labels);
    expect(at('spendbar_requests_total', { account: 'router', model: 'anthropic/claude-sonnet-4' })).toBe(4);
    expect(at('spendbar_tokens_total', { account: 'router', model: 'openai/gpt-4.1', type: 'input' })).toBe(1000);
    expect(at('spendbar_usage_cost_total', { account: 'router', model: 'openai/gpt-4.1', currency: 'USD' })).toBeCloseTo(1.5, 6);
    expect(at('spendbar_balance', { account: 'ds', currency: 'CNY' })).toBeCloseTo(88.8, 6);
    expect(at('spendbar_metered_requests_total', { account: 'router', model: 'openai/gpt-4.1' })).toBe(2);
    expect(at('spendbar_metered_rate_limited_total', { account: 'router' })).toBe(1);
    expect(at('spendbar_up', { account: 'ds' })).toBe(1);
  });

  it('the Grafana board asks only for metric families /metrics serves, and covers what the README promises', async () => {
    const served = (await scrape()).families;
    const board = JSON.parse(readFileSync(join(import.meta.dirname, '../../../grafana/spendbar.json'), 'utf8')) as Board;
    const queries = boardQueries(board);
    expect(queries.length).toBeGreaterThan(15);
    const named = new Set<string>();
    for (const q of queries) {
      const metrics = metricNames(q);
      expect(metrics.length, `no metric in ${q}`).toBeGreaterThan(0);
      for (const m of metrics) {
        named.add(m);
        expect(served.has(m), `${m} (in ${q}) is not served by /metrics`).toBe(true);
      }
    }
    for (const m of ['spendbar_spent', 'spendbar_balance', 'spendbar_runway_days', 'spendbar_tokens_total', 'spendbar_requests_total', 'spendbar_poll_errors_total', 'spendbar_stale', 'spendbar_last_success_timestamp_seconds']) {
      expect(named.has(m), m).toBe(true);
    }
    // The reader itself must catch a name that is not served.
    expect(metricNames('sum by (model) (increase(spendbar_tokens_totl{account=~"$account"}[5m]))')).toEqual(['spendbar_tokens_totl']);
  });

  it('makes the counter tables when the server starts, so the first scrape only reads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spendbar-metrics-start-'));
    const fresh = await createCore({ dataDir: dir, mode: 'serve', settings: createMemorySettingsStore(), secrets: createMemorySecretStore(), version: 'test' });
    const tables = () => {
      const db = new DatabaseSync(join(dir, 'spendbar.db'));
      try {
        return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'metrics_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      } finally {
        db.close();
      }
    };
    let started: RunningServer | undefined;
    try {
      expect(tables()).toEqual([]);
      // The build is a burst of work: the idle trim is asked to give its memory back once it is done.
      let trims = 0;
      started = await startServer({ api: fresh.api, port: 0, metricsTotals: fresh.metricsTotals, afterBurst: () => void (trims += tables().length > 0 ? 1 : 100) });
      expect(tables()).toEqual(['metrics_cost', 'metrics_meta', 'metrics_metered', 'metrics_usage']);
      expect(trims).toBe(1);
      const url = started.url;
      const calls = await statementsDuring(async () => expect((await fetch(url + '/metrics')).status).toBe(200));
      expect(calls).toHaveLength(2);
      expect(calls[1]).toMatch(/^all [^]*FROM metrics_usage/);
    } finally {
      await started?.close();
      await fresh.stop();
    }
  });

  it('still starts, and serves everything else, when the counter tables cannot be made (a database from a newer Spendbar)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spendbar-metrics-newer-'));
    const fresh = await createCore({ dataDir: dir, mode: 'serve', settings: createMemorySettingsStore(), secrets: createMemorySecretStore(), version: 'test' });
    const db = new DatabaseSync(join(dir, 'spendbar.db'));
    db.exec("CREATE TABLE metrics_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID; INSERT INTO metrics_meta VALUES ('version', '99')");
    db.close();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let started: RunningServer | undefined;
    try {
      started = await startServer({ api: fresh.api, port: 0, metricsTotals: fresh.metricsTotals });
      expect((await fetch(started.url + '/api/info')).status).toBe(200);
      expect((await fetch(started.url + '/metrics')).status).toBe(500);
    } finally {
      errors.mockRestore();
      await started?.close();
      await fresh.stop();
    }
  });

  // These write (metered requests, a poll, another connection's usage): they come after the tests of fixed figures.
  it('costs one statement of the store per scrape, reads the counters only after a write, whatever the number of accounts and models', async () => {
    const before = await scrape();
    // Nothing written since: one statement that reads no table (is the store where it was?), and the same text.
    let again: Exposition | undefined;
    const unchanged = await statementsDuring(async () => (again = await scrape()));
    expect(unchanged).toHaveLength(1);
    expect(unchanged[0]).toMatch(/^get SELECT total_changes\(\), data_version FROM pragma_data_version$/);
    expect(again?.samples).toEqual(before.samples);
    // After a write: that statement, then the counters in one read.
    await meter([200]);
    const changed = await statementsDuring(() => scrape());
    expect(changed).toHaveLength(2);
    expect(changed[0]).toMatch(/pragma_data_version/);
    expect(changed[1]).toMatch(/^all [^]*FROM metrics_usage/);
  });

  it('shows a metered request, a poll and another process\'s write in the very next scrape', async () => {
    const model = { account: 'router', model: 'openai/gpt-4.1' };
    const first = await scrape();
    const requests = valueOf(first, 'spendbar_metered_requests_total', model) as number;
    const limited = valueOf(first, 'spendbar_metered_rate_limited_total', model) as number;
    expect(requests).toBeGreaterThan(0);
    await meter([429]);
    const second = await scrape();
    expect(valueOf(second, 'spendbar_metered_requests_total', model)).toBe(requests + 1);
    expect(valueOf(second, 'spendbar_metered_rate_limited_total', model)).toBe(limited + 1);
    // The gzip body is made again too, not the one kept from before.
    const zipped = parseExposition(gunzipSync((await rawScrape('gzip')).body).toString('utf8'));
    expect(valueOf(zipped, 'spendbar_metered_requests_total', model)).toBe(requests + 1);

    // A poll: the provider's balance moved.
    const balance = valueOf(second, 'spendbar_balance', { account: 'ds', currency: 'CNY' }) as number;
    (ds.state.keys[DS_KEY] as { balances: { total: number }[] }).balances[0]!.total = balance - 10;
    await core.pollAll();
    expect(valueOf(await scrape(), 'spendbar_balance', { account: 'ds', currency: 'CNY' })).toBeCloseTo(balance - 10, 6);

    // Another process (a second connection to the same file) stores usage: the serving connection did not write it.
    const tokens = valueOf(await scrape(), 'spendbar_tokens_total', { ...model, type: 'output' }) as number;
    const other = SnapshotStore.open(join(dataDir, 'spendbar.db'));
    try {
      other.saveSnapshots([okSnapshot('router', Date.now(), { usage: [bucket(Date.now() - 10 * DAY, { model: 'openai/gpt-4.1', outputTokens: 7, inputTokens: 0, cachedTokens: 0, reasoningTokens: 0, requests: 1 })] })]);
    } finally {
      other.close();
    }
    expect(valueOf(await scrape(), 'spendbar_tokens_total', { ...model, type: 'output' })).toBe(tokens + 7);
  });

  it('serves gzip to a scraper that asks for it (Prometheus does), the same exposition as the plain text', async () => {
    const plain = await rawScrape();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    const zipped = await rawScrape('gzip, deflate');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(zipped.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    const text = gunzipSync(zipped.body);
    expect(text.equals(plain.body)).toBe(true);
    expect(parseExposition(text.toString('utf8')).samples.length).toBeGreaterThan(20);
    // Refused by weight: plain text.
    expect((await rawScrape('gzip;q=0, identity')).headers['content-encoding']).toBeUndefined();
  });

  it('reads Accept-Encoding as HTTP weighs it', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('x-gzip')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip; q=0.000')).toBe(false);
    expect(acceptsGzip('identity, br')).toBe(false);
    expect(acceptsGzip('gzipped')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

const originalExec = DatabaseSync.prototype.exec;

interface Board {
  panels: { targets?: { expr?: string }[]; panels?: Board['panels'] }[];
  templating?: { list: { query?: string | { query?: string } }[] };
}

function boardQueries(board: Board): string[] {
  const out: string[] = [];
  const walk = (panels: Board['panels']) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push(t.expr);
      if (p.panels) walk(p.panels);
    }
  };
  walk(board.panels);
  for (const v of board.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q && /\(/.test(q)) out.push(q);
  }
  return out;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, label names or strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    // label_values(metric, label): the label is not a metric.
    .replace(/,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)/g, ')');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    const [token, call] = [m[0].replace(/\s*\($/, ''), m[1]];
    if (call || KEYWORDS.has(token.toLowerCase()) || /^\d/.test(token)) continue;
    names.add(token);
  }
  return [...names];
}
