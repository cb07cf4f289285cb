// Writes request records off the response path: the handler hands a record over and returns; every `flushMs` (or
// once `maxBatch` are waiting) the batch is scrubbed, estimated where the provider reported no usage, priced and
// written (prepared statements kept for the life of the recorder), with its hourly roll-up and the latest rate-limit
// figures. A batch goes in slices of `SLICE_ROWS`, one transaction each, with the event loop let run between them, so
// a large batch never holds up the responses and stream chunks still in flight (each slice takes about a
// millisecond). Within a slice the roll-up is summed per hour × account × model × key × app × kind × currency and the
// rate-limit figures keep the latest per account and key: one statement per group instead of two per row, the same
// sums and figures as row by row. The queue is bounded: should the database stall, the oldest waiting records are
// dropped and counted rather than let memory grow.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { CostSource } from '../../../shared/metering.ts';
import type { Price, PricedUsage } from '../pricing/index.ts';
import type { ProxyRecord } from './handler.ts';
import { log } from '../log.ts';
import { estimateUsage, type EstimateUsageFn } from './estimate-usage.ts';

const HOUR = 3_600_000;

export type PriceFn = (provider: string, model: string, usage: PricedUsage, at: number) => Promise<Price | null>;

export interface RecorderOptions {
  db: DatabaseSync;
  price: PriceFn;
  /** After each written batch, with the accounts it touched. */
  onWritten?: (accountIds: string[]) => void;
  flushMs?: number;
  maxBatch?: number;
  maxQueued?: number;
  /** The core's redaction: a model name or error a provider sent back is scrubbed of secrets before it is stored. */
  scrub?: <T>(value: T) => T;
  /** Estimates what the provider did not report (default: the project's estimator, estimate-usage.ts). */
  estimate?: EstimateUsageFn;
}

interface Costed {
  micros: number | null;
  currency: string;
  source: CostSource;
}

const INSERT = `INSERT INTO proxy_requests (time, account_id, key, key_id, app, kind, model, model_requested, endpoint, stream, status,
  input_tokens, output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, cost_micros, currency, cost_source, estimated,
  latency_ms, ttfb_ms, rate_limit, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const ROLLUP = `INSERT INTO proxy_hourly (hour, account_id, model, key, app, kind, currency, requests, errors, input_tokens,
  output_tokens, cached_tokens, reasoning_tokens, cost_micros, unpriced, estimated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (hour, account_id, model, key, app, kind, currency) DO UPDATE SET requests = requests + excluded.requests,
    errors = errors + excluded.errors, input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens, cached_tokens = cached_tokens + excluded.cached_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
    cost_micros = CASE WHEN excluded.cost_micros IS NULL THEN cost_micros ELSE coalesce(cost_micros, 0) + excluded.cost_micros END,
    unpriced = unpriced + excluded.unpriced, estimated = estimated + excluded.estimated`;

const RATE = `INSERT INTO proxy_ratelimits (account_id, key_id, key, time, rate_limit) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (account_id, key_id) DO UPDATE SET key = excluded.key, time = excluded.time, rate_limit = excluded.rate_limit
  WHERE excluded.time >= proxy_ratelimits.time`;

/** Rows written per transaction, the event loop let run between two (see the top of this file). */
export const SLICE_ROWS = 32;

/** One hourly roll-up row being summed from a slice. */
interface HourSum {
  hour: number;
  accountId: string;
  model: string;
  key: string;
  app: string;
  kind: string;
  currency: string;
  requests: number;
  errors: number;
  input: number;
  output: number;
  cached: number;
  reasoning: number;
  /** null while every request summed was without a cost (the upsert then leaves the stored cost as it is). */
  micros: number | null;
  unpriced: number;
  estimated: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every text of a record scrubbed (its other fields are numbers, flags and the rate-limit figures' numbers). */
function scrubRecord(r: ProxyRecord, scrub: <T>(value: T) => T): ProxyRecord {
  return {
    ...r,
    accountId: scrub(r.accountId),
    provider: scrub(r.provider),
    key: scrub(r.key),
    keyId: scrub(r.keyId),
    app: scrub(r.app),
    modelRequested: scrub(r.modelRequested),
    endpoint: scrub(r.endpoint),
    note: r.note === null ? null : scrub(r.note),
    usage: r.usage.model === null ? r.usage : { ...r.usage, model: scrub(r.usage.model) },
  };
}

export class RequestRecorder {
  private readonly opts: RecorderOptions;
  private queue: ProxyRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private statements: { insert: StatementSync; rollup: StatementSync; rate: StatementSync } | null = null;
  /** Records dropped because the queue was full. */
  dropped = 0;

  constructor(opts: RecorderOptions) {
    this.opts = opts;
  }

  add(r: ProxyRecord): void {
    const max = this.opts.maxQueued ?? 50_000;
    if (this.queue.length >= max) {
      this.queue.shift();
      if (this.dropped++ === 0) log.error('spendbar: metering records are arriving faster than they can be written; the oldest are being dropped.');
    }
    // Scrubbing waits for the batch: the hot path only queues.
    this.queue.push(r);
    if (this.queue.length >= (this.opts.maxBatch ?? 500)) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.opts.flushMs ?? 250);
      this.timer.unref?.();
    }
  }

  /** Writes everything waiting; resolves when it is stored. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.running = this.write(batch).finally(() => {
      this.running = null;
    });
    await this.running;
    if (this.queue.length) await this.flush();
  }

  private async cost(r: ProxyRecord): Promise<Costed> {
    const u = r.usage;
    if (u.providerCost !== null) return { micros: Math.round(u.providerCost * 1e6), currency: 'USD', source: 'provider' };
    // Nothing consumed (a failed call, a model list): no cost rather than "unpriced".
    if (!u.estimated && u.inputTokens + u.outputTokens === 0) return { micros: null, currency: '', source: 'none' };
    const model = u.model || r.modelRequested;
    try {
      const p = model ? await this.opts.price(r.provider, model, u, r.time) : null;
      if (p) return { micros: p.cost.micros, currency: p.cost.currency, source: 'price-table' };
    } catch (err) {
      log.error('spendbar: the price table could not be read:', err instanceof Error ? err.message : err);
    }
    return { micros: null, currency: '', source: 'unpriced' };
  }

  /** Fills in what the provider did not report with the project's estimate; the held body and text go. */
  private async estimate(r: ProxyRecord): Promise<ProxyRecord> {
    const pending = r.toEstimate;
    if (!pending) return r;
    const out: ProxyRecord = { ...r, usage: { ...r.usage } };
    delete out.toEstimate;
    try {
      const e = await (this.opts.estimate ?? estimateUsage)({ body: pending.body, model: r.usage.model || r.modelRequested, missing: pending.missing });
      if (e.inputTokens !== null) out.usage.inputTokens += e.inputTokens;
      // A cut Anthropic stream reported some output already: the estimate never goes below it.
      if (e.outputTokens !== null) out.usage.outputTokens = Math.max(out.usage.outputTokens, e.outputTokens);
    } catch (err) {
      log.error('spendbar: the token estimate for a metered request failed:', err instanceof Error ? err.message : err);
    }
    return out;
  }

  private prepared(): { insert: StatementSync; rollup: StatementSync; rate: StatementSync } {
    const { db } = this.opts;
    this.statements ??= { insert: db.prepare(INSERT), rollup: db.prepare(ROLLUP), rate: db.prepare(RATE) };
    return this.statements;
  }

  private async write(queued: ProxyRecord[]): Promise<void> {
    const accounts = new Set<string>();
    for (let at = 0; at < queued.length; at += SLICE_ROWS) {
      if (at > 0) await nextTurn();
      if (!(await this.writeSlice(queued.slice(at, at + SLICE_ROWS), accounts))) break;
    }
    if (accounts.size === 0) return;
    try {
      this.opts.onWritten?.([...accounts]);
    } catch (err) {
      log.error('spendbar: a metering listener failed:', err instanceof Error ? err.message : err);
    }
  }

  /** One transaction; false when the database is closed. A slice that fails is logged and left out. */
  private async writeSlice(queued: ProxyRecord[], accounts: Set<string>): Promise<boolean> {
    const scrub = this.opts.scrub;
    const batch = await Promise.all(queued.map((r) => this.estimate(r).then((e) => (scrub ? scrubRecord(e, scrub) : e))));
    const costs = await Promise.all(batch.map((r) => this.cost(r)));
    const { db } = this.opts;
    if (!db.isOpen) return false;
    const { insert, rollup, rate } = this.prepared();
    const hours = new Map<string, HourSum>();
    const latest = new Map<string, { r: ProxyRecord; text: string }>();
    const touched: string[] = [];
    db.exec('BEGIN IMMEDIATE');
    try {
      batch.forEach((r, i) => {
        const c = costs[i] as Costed;
        const u = r.usage;
        const model = u.model || r.modelRequested || '(unknown model)';
        const failed = r.status < 200 || r.status >= 300;
        const rateText = r.rateLimit ? JSON.stringify(r.rateLimit) : null;
        insert.run(r.time, r.accountId, r.key, r.keyId, r.app, r.kind, model, r.modelRequested, r.endpoint.slice(0, 200), r.stream ? 1 : 0, r.status,
          u.inputTokens, u.outputTokens, u.cachedTokens, u.cacheWriteTokens, u.reasoningTokens, c.micros, c.currency, c.source, u.estimated ? 1 : 0,
          Math.round(r.latencyMs), r.ttfbMs === null ? null : Math.round(r.ttfbMs), rateText, r.note);
        const hour = r.time - (r.time % HOUR);
        const group = JSON.stringify([hour, r.accountId, model, r.key, r.app, r.kind, c.currency]);
        let h = hours.get(group);
        if (!h) {
          h = { hour, accountId: r.accountId, model, key: r.key, app: r.app, kind: r.kind, currency: c.currency, requests: 0, errors: 0, input: 0, output: 0, cached: 0, reasoning: 0, micros: null, unpriced: 0, estimated: 0 };
          hours.set(group, h);
        }
        h.requests++;
        if (failed) h.errors++;
        h.input += u.inputTokens;
        h.output += u.outputTokens;
        h.cached += u.cachedTokens;
        h.reasoning += u.reasoningTokens;
        if (c.micros !== null) h.micros = (h.micros ?? 0) + c.micros;
        if (c.source === 'unpriced') h.unpriced++;
        if (u.estimated) h.estimated++;
        if (rateText !== null) {
          // The stored figures are the latest by time (a tie: the later record, as the upsert's >= keeps it).
          const who = `${r.accountId}\u0000${r.keyId}`;
          const seen = latest.get(who);
          if (!seen || r.time >= seen.r.time) latest.set(who, { r, text: rateText });
        }
        touched.push(r.accountId);
      });
      for (const h of hours.values()) {
        rollup.run(h.hour, h.accountId, h.model, h.key, h.app, h.kind, h.currency, h.requests, h.errors, h.input, h.output, h.cached, h.reasoning, h.micros, h.unpriced, h.estimated);
      }
      for (const { r, text } of latest.values()) rate.run(r.accountId, r.keyId, r.key, r.time, text);
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      log.error('spendbar: metered requests could not be stored:', err instanceof Error ? err.message : err);
      return true;
    }
    for (const id of touched) accounts.add(id);
    return true;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
