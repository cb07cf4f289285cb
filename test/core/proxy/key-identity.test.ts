// Two keys that mask alike (same prefix, same last four) keep headroom figures of their own: the headroom is keyed by
// a keyed hash of the full key, stable across restarts, while only the masked form is shown; the key itself is never
// stored. Figures stored before key ids existed are kept by the migration.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, type Harness } from './harness.ts';
import { ensureProxyTables } from '../../../electron/core/proxy/tables.ts';
import { headroom } from '../../../electron/core/proxy/queries.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const KEY_A = 'sk-proxytest-first-key-aaaaaaaaaaaa-same';
const KEY_B = 'sk-proxytest-second-key-bbbbbbbbbbb-same';
const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
const reply = JSON.stringify({ id: 'c1', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' } }], usage: { prompt_tokens: 5, completion_tokens: 1 } });
const limits = (remaining: number) => ({ 'x-ratelimit-limit-requests': '100', 'x-ratelimit-remaining-requests': String(remaining), 'x-ratelimit-reset-requests': '6m0s' });

describe('headroom per key', () => {
  it('two keys with the same prefix and last four keep their own figures, shown masked', async () => {
    h.openai.fail({ kind: 'status', status: 200, body: reply, contentType: 'application/json', headers: limits(90) }, 1);
    await call(h, '/oa/v1/chat/completions', chat, { authorization: `Bearer ${KEY_A}` });
    h.openai.fail({ kind: 'status', status: 200, body: reply, contentType: 'application/json', headers: limits(5) }, 1);
    await call(h, '/oa/v1/chat/completions', chat, { authorization: `Bearer ${KEY_B}` });
    h.openai.fail({ kind: 'status', status: 429, body: '{}', headers: limits(0) }, 1);
    await call(h, '/oa/v1/chat/completions', chat, { authorization: `Bearer ${KEY_B}` });
    await h.settle();
    const rows = (await h.core.api.meterSummary()).headroom.filter((x) => x.accountId === 'oa');
    expect(rows.map((r) => r.key)).toEqual(['sk-…same', 'sk-…same']);
    const ids = rows.map((r) => r.keyId);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^k_[A-Za-z0-9_-]{16}$/);
    // Lowest headroom first: key B (0 left after its 429, counted for B alone), then key A (90 of 100, no 429).
    expect(rows.map((r) => [r.lowestPercent, r.rateLimited1h])).toEqual([[0, 1], [90, 0]]);
    // The same key gets the same id again; the id says nothing of the key.
    expect(h.core.meter.keyId(KEY_A)).toBe(ids[1]);
    expect(h.core.meter.keyId(KEY_B)).toBe(ids[0]);
    for (const id of ids) expect(KEY_A.includes(id.slice(2)) || KEY_B.includes(id.slice(2))).toBe(false);
  });

  it('never stores the full keys, nor the secret the ids are hashed with', async () => {
    await h.settle();
    for (const f of readdirSync(h.dataDir)) {
      if (!f.startsWith('spendbar.db')) continue;
      const bytes = readFileSync(join(h.dataDir, f)).toString('latin1');
      for (const k of [KEY_A, KEY_B, ...h.core.meter.secrets()]) expect(bytes.includes(k)).toBe(false);
    }
    // The secret is one the core scrubs from anything leaving the process.
    expect(h.core.meter.secrets().length).toBe(2);
  });
});

describe('the migration to key ids', () => {
  it('keeps figures stored per masked key, and drops them from view once that key reports with an id', () => {
    const db = new DatabaseSync(':memory:');
    db.exec("CREATE TABLE proxy_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID; INSERT INTO proxy_meta VALUES ('version', '1')");
    db.exec(`CREATE TABLE proxy_requests (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, account_id TEXT NOT NULL, key TEXT NOT NULL, app TEXT NOT NULL, kind TEXT NOT NULL,
      model TEXT NOT NULL, model_requested TEXT NOT NULL, endpoint TEXT NOT NULL, stream INTEGER NOT NULL, status INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_micros INTEGER,
      currency TEXT NOT NULL, cost_source TEXT NOT NULL, estimated INTEGER NOT NULL, latency_ms INTEGER NOT NULL, ttfb_ms INTEGER, rate_limit TEXT, note TEXT);
      CREATE TABLE proxy_ratelimits (account_id TEXT NOT NULL, key TEXT NOT NULL, time INTEGER NOT NULL, rate_limit TEXT NOT NULL, PRIMARY KEY (account_id, key)) WITHOUT ROWID;`);
    const rl = JSON.stringify({ requests: { limit: 10, remaining: 2, resetAt: null } });
    db.prepare('INSERT INTO proxy_ratelimits VALUES (?, ?, ?, ?)').run('oa', 'sk-…old1', 1000, rl);
    db.prepare('INSERT INTO proxy_ratelimits VALUES (?, ?, ?, ?)').run('oa', 'sk-…old2', 1000, rl);
    db.prepare(`INSERT INTO proxy_requests (time, account_id, key, app, kind, model, model_requested, endpoint, stream, status, input_tokens, output_tokens,
      cached_tokens, cache_write_tokens, reasoning_tokens, cost_micros, currency, cost_source, estimated, latency_ms, ttfb_ms, rate_limit, note)
      VALUES (1000, 'oa', 'sk-…old1', '', 'service', 'gpt-4o', 'gpt-4o', '/v1/chat/completions', 0, 429, 0, 0, 0, 0, 0, NULL, '', 'none', 0, 1, 1, NULL, NULL)`).run();
    ensureProxyTables(db);
    const before = headroom(db, 2000);
    expect(before.map((x) => [x.key, x.keyId, x.lowestPercent, x.rateLimited1h])).toEqual([['sk-…old1', '', 20, 1], ['sk-…old2', '', 20, 0]]);
    db.prepare("INSERT INTO proxy_ratelimits (account_id, key_id, key, time, rate_limit) VALUES ('oa', 'k_new', 'sk-…old1', 1500, ?)").run(JSON.stringify({ requests: { limit: 10, remaining: 9, resetAt: null } }));
    expect(headroom(db, 2000).map((x) => [x.key, x.keyId])).toEqual([['sk-…old2', ''], ['sk-…old1', 'k_new']]);
    db.close();
  });
});
