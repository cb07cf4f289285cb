// Reads of the proxy's tables: request rows (newest first, filtered, paged by id), totals per app and kind, the
// latest rate-limit headroom per account and key, and 429 counts. Costs stay per currency.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { AppTotals, CostSource, Headroom, RateLimit, RequestFilter, RequestKind, RequestPage, RequestRow } from '../../../shared/metering.ts';
import type { Money } from '../../../shared/money.ts';
import { lowestPercent } from './ratelimit.ts';
import { compareText } from '../text-order.ts';

const HOUR = 3_600_000;
export const MAX_PAGE = 500;

interface Row {
  id: number;
  time: number;
  account_id: string;
  key: string;
  app: string;
  kind: string;
  model: string;
  model_requested: string;
  endpoint: string;
  stream: number;
  status: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_micros: number | null;
  currency: string;
  cost_source: string;
  estimated: number;
  latency_ms: number;
  ttfb_ms: number | null;
  rate_limit: string | null;
  note: string | null;
}

function parseRate(text: string | null): RateLimit | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as RateLimit;
  } catch {
    return null;
  }
}

function toRow(r: Row): RequestRow {
  return {
    id: r.id,
    time: r.time,
    accountId: r.account_id,
    key: r.key,
    app: r.app,
    kind: r.kind as RequestKind,
    model: r.model,
    modelRequested: r.model_requested,
    endpoint: r.endpoint,
    stream: r.stream === 1,
    status: r.status,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cachedTokens: r.cached_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    reasoningTokens: r.reasoning_tokens,
    cost: r.cost_micros === null ? null : { amount: r.cost_micros / 1e6, currency: r.currency },
    costSource: r.cost_source as CostSource,
    estimated: r.estimated === 1,
    latencyMs: r.latency_ms,
    ttfbMs: r.ttfb_ms,
    rateLimit: parseRate(r.rate_limit),
    note: r.note,
  };
}

/** Newest first. `before` pages by id; `limit` is capped at MAX_PAGE. */
export function listRequests(db: DatabaseSync, f: RequestFilter): RequestPage {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (sql: string, ...values: SQLInputValue[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (f.from !== undefined) add('time >= ?', f.from);
  if (f.to !== undefined) add('time < ?', f.to);
  if (f.accountId) add('account_id = ?', f.accountId);
  if (f.app !== undefined) add('app = ?', f.app);
  if (f.kind) add('kind = ?', f.kind);
  if (f.model) add('(model = ? OR model_requested = ?)', f.model, f.model);
  if (f.status === 'ok') add('status BETWEEN 200 AND 299');
  else if (f.status === 'error') add('status NOT BETWEEN 200 AND 299');
  else if (typeof f.status === 'number') add('status = ?', f.status);
  if (f.stream !== undefined) add('stream = ?', f.stream ? 1 : 0);
  if (f.before !== undefined) add('id < ?', f.before);
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(f.limit ?? 50)));
  const sql = `SELECT * FROM proxy_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  const rows = (db.prepare(sql).all(...params, limit + 1) as unknown as Row[]).map(toRow);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  return { rows, nextBefore: more ? (rows[rows.length - 1]?.id ?? null) : null };
}

/** Totals per app and kind over the hours that start in [from, to). */
export function totalsByApp(db: DatabaseSync, from: number, to: number, accountIds?: string[]): AppTotals[] {
  const rows = db
    .prepare(
      `SELECT app, kind, currency, SUM(requests) AS r, SUM(errors) AS e, SUM(input_tokens) AS i, SUM(output_tokens) AS o,
         SUM(cached_tokens) AS c, SUM(reasoning_tokens) AS re, SUM(cost_micros) AS cost, SUM(unpriced) AS u, SUM(estimated) AS est
       FROM proxy_hourly WHERE hour >= ? AND hour < ? AND (? IS NULL OR account_id IN (SELECT value FROM json_each(?)))
       GROUP BY app, kind, currency`,
    )
    .all(Math.floor(from / HOUR) * HOUR, to, accountIds?.length ? 1 : null, JSON.stringify(accountIds ?? [])) as {
    app: string;
    kind: string;
    currency: string;
    r: number;
    e: number;
    i: number;
    o: number;
    c: number;
    re: number;
    cost: number | null;
    u: number;
    est: number;
  }[];
  const out = new Map<string, AppTotals>();
  for (const r of rows) {
    const k = `${r.app}\u0000${r.kind}`;
    let t = out.get(k);
    if (!t) {
      t = { app: r.app, kind: r.kind as RequestKind, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costs: [], unpriced: 0, estimated: 0 };
      out.set(k, t);
    }
    t.requests += r.r;
    t.errors += r.e;
    t.inputTokens += r.i;
    t.outputTokens += r.o;
    t.cachedTokens += r.c;
    t.reasoningTokens += r.re;
    t.unpriced += r.u;
    t.estimated += r.est;
    if (r.currency && r.cost !== null) t.costs.push({ micros: r.cost, currency: r.currency });
  }
  return [...out.values()].sort((a, b) => b.requests - a.requests || compareText(a.app, b.app) || compareText(a.kind, b.kind));
}

/** Metered cost per currency and unpriced requests of one account over the hours starting in [from, to). */
export function meteredCost(db: DatabaseSync, accountId: string, from: number, to: number): { costs: Money[]; unpriced: number; requests: number } {
  const rows = db
    .prepare(
      `SELECT currency, SUM(cost_micros) AS cost, SUM(unpriced) AS u, SUM(requests) AS r FROM proxy_hourly
       WHERE account_id = ? AND hour >= ? AND hour < ? GROUP BY currency`,
    )
    .all(accountId, Math.floor(from / HOUR) * HOUR, to) as { currency: string; cost: number | null; u: number; r: number }[];
  const costs: Money[] = [];
  let unpriced = 0;
  let requests = 0;
  for (const r of rows) {
    unpriced += r.u;
    requests += r.r;
    if (r.currency && r.cost !== null) costs.push({ micros: r.cost, currency: r.currency });
  }
  return { costs, unpriced, requests };
}

/** 429 answers of an account since a time (per key when given: its id, or for figures from before ids its masked form). */
export function rateLimitedSince(db: DatabaseSync, accountId: string, since: number, key?: { id: string; masked: string }): number {
  const byId = key && !key.id.startsWith('masked:') ? key.id : null;
  const byMask = key && key.id.startsWith('masked:') ? key.masked : null;
  const row = db
    .prepare(`SELECT count(*) AS n FROM proxy_requests WHERE account_id = ? AND time >= ? AND status = 429 AND (? IS NULL OR key_id = ?) AND (? IS NULL OR key = ?)`)
    .get(accountId, since, byId, byId, byMask, byMask) as { n: number };
  return row.n;
}

/**
 * The latest rate-limit figures per account and key, lowest headroom first. Keys are told apart by id, so two keys
 * that mask alike keep their own figures; a row stored before ids existed is left out once its key reported again.
 */
export function headroom(db: DatabaseSync, now: number, accountIds?: readonly string[]): Headroom[] {
  const rows = db
    .prepare(
      `SELECT account_id, key_id, key, time, rate_limit FROM proxy_ratelimits r
       WHERE NOT (key_id LIKE 'masked:%' AND EXISTS (SELECT 1 FROM proxy_ratelimits n WHERE n.account_id = r.account_id AND n.key = r.key AND n.key_id NOT LIKE 'masked:%' AND n.time >= r.time))
       ORDER BY account_id, key, key_id`,
    )
    .all() as {
    account_id: string;
    key_id: string;
    key: string;
    time: number;
    rate_limit: string;
  }[];
  const out: Headroom[] = [];
  for (const r of rows) {
    if (accountIds && !accountIds.includes(r.account_id)) continue;
    const rateLimit = parseRate(r.rate_limit);
    if (!rateLimit) continue;
    out.push({
      accountId: r.account_id,
      key: r.key,
      keyId: r.key_id.startsWith('masked:') ? '' : r.key_id,
      time: r.time,
      rateLimit,
      lowestPercent: lowestPercent(rateLimit),
      rateLimited1h: rateLimitedSince(db, r.account_id, now - HOUR, { id: r.key_id, masked: r.key }),
      rateLimited24h: rateLimitedSince(db, r.account_id, now - 24 * HOUR, { id: r.key_id, masked: r.key }),
    });
  }
  return out.sort((a, b) => (a.lowestPercent ?? 101) - (b.lowestPercent ?? 101));
}

/** Raw request rows older than the cutoff go (like raw snapshots); the hourly sums and rate-limit figures stay. */
export function applyProxyRetention(db: DatabaseSync, cutoff: number): number {
  return Number(db.prepare('DELETE FROM proxy_requests WHERE time < ?').run(cutoff).changes);
}

/** Most rows one rule preview reads (per query): a preview stays bounded however busy the proxy was. */
export const MAX_PREVIEW_ROWS = 100_000;

/** Requests recorded for these accounts in [from, to]. */
export function requestCount(db: DatabaseSync, accountIds: readonly string[], from: number, to: number): number {
  const row = db
    .prepare('SELECT count(*) AS n FROM proxy_requests WHERE account_id IN (SELECT value FROM json_each(?)) AND time >= ? AND time <= ?')
    .get(JSON.stringify(accountIds), from, to) as { n: number };
  return row.n;
}

/** Times of 429 answers in [from, to], oldest first. */
export function rateLimitedTimes(db: DatabaseSync, accountIds: readonly string[], from: number, to: number): { time: number; accountId: string }[] {
  const rows = db
    .prepare(
      `SELECT time, account_id FROM proxy_requests WHERE status = 429 AND account_id IN (SELECT value FROM json_each(?)) AND time >= ? AND time <= ?
       ORDER BY time LIMIT ?`,
    )
    .all(JSON.stringify(accountIds), from, to, MAX_PREVIEW_ROWS) as { time: number; account_id: string }[];
  return rows.map((r) => ({ time: r.time, accountId: r.account_id }));
}

/** The rate-limit figures requests reported in [from, to]: the latest per account, key and minute, oldest first. */
export function rateLimitFigures(db: DatabaseSync, accountIds: readonly string[], from: number, to: number): { time: number; accountId: string; key: string; keyId: string; rateLimit: RateLimit }[] {
  // SQLite takes the bare columns from the row holding max(time): each minute's latest figures.
  const rows = db
    .prepare(
      `SELECT max(time) AS time, account_id, key, key_id, rate_limit FROM proxy_requests
       WHERE rate_limit IS NOT NULL AND account_id IN (SELECT value FROM json_each(?)) AND time >= ? AND time <= ?
       GROUP BY account_id, key_id, key, time / 60000 ORDER BY 1 LIMIT ?`,
    )
    .all(JSON.stringify(accountIds), from, to, MAX_PREVIEW_ROWS) as { time: number; account_id: string; key: string; key_id: string; rate_limit: string }[];
  const out: { time: number; accountId: string; key: string; keyId: string; rateLimit: RateLimit }[] = [];
  for (const r of rows) {
    const rateLimit = parseRate(r.rate_limit);
    if (rateLimit) out.push({ time: r.time, accountId: r.account_id, key: r.key, keyId: r.key_id, rateLimit });
  }
  return out;
}
