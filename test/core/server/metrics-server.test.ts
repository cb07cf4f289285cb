// /metrics from a real `spendbar serve` core: real loopback provider fakes, a real SQLite file, metered requests
// written by the real recorder. Proves a scrape is one store read, and that the Grafana board in the repository asks
// only for metric families this server really serves (read from its exposition, not from a list in the test).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, StatementSync } from 'node:sqlite';
import { createCore, type EngineCore } from '../../../electron/core/engine.ts';
import { startServer, type RunningServer } from '../../../electron/core/server/http-server.ts';
import { createMemorySettingsStore } from '../../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../../electron/core/settings/file-secrets.ts';
import { startOpenRouterFake, type OpenRouterFake } from '../../../electron/core/providers/fakes/openrouter.ts';
import { startDeepSeekFake, type DeepSeekFake } from '../../../electron/core/providers/fakes/deepseek.ts';
import { parseExposition, type Exposition } from './exposition.ts';

const OR_KEY = 'sk-or-v1-metrics-test-management-key';
const DS_KEY = 'sk-metrics-test-deepseek-key-0001';
const DAY = 86_400_000;
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);

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
    dataDir: mkdtempSync(join(tmpdir(), 'spendbar-metrics-')),
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
  for (const status of [200, 429]) {
    core.meter.recorder.add({
      time: Date.now(), accountId: 'router', provider: 'openrouter', key: 'sk-…0001', keyId: 'k_0000000000000001', app: 'app', kind: 'service', modelRequested: 'openai/gpt-4.1',
      endpoint: '/v1/chat/completions', stream: false, status, latencyMs: 5, ttfbMs: null, rateLimit: null, note: null,
      usage: { model: 'openai/gpt-4.1', inputTokens: status === 200 ? 10 : 0, outputTokens: status === 200 ? 5 : 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, providerCost: status === 200 ? 0.0001 : null, estimated: false },
    });
  }
  await core.meter.recorder.flush();
});

afterAll(async () => {
  await server?.close();
  await core?.stop();
  await Promise.all([or?.close(), ds?.close()]);
});

describe('/metrics of a serving core', () => {
  it('costs one statement of the store per scrape, whatever the number of accounts and models', async () => {
    await scrape();
    const calls: string[] = [];
    // Every statement node:sqlite runs goes through these methods, whoever prepared it.
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
      const e = await scrape();
      expect(e.samples.length).toBeGreaterThan(20);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^all [^]*FROM metrics_usage/);
  });

  it('serves every family with samples from the stored usage and the metering proxy', async () => {
    const e = await scrape();
    const at = (name: string, labels: Record<string, string>) => e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
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
