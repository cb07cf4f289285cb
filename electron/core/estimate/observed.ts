// Accuracy seen in real traffic: for requests that pass through the metering proxy, Spendbar's estimate of the
// prompt's input tokens next to the input tokens the provider reported, summed per model in a table of its own
// (`estimate_observed`, with its own version like the alert tables). Only sums are kept: never text.
// Which requests are sampled: answered 2xx, with usage the provider reported (not estimated), no cache reads or
// writes, and a body whose every part the estimate counts (no images, files, tools) — else the two figures would
// not measure the same thing. Bodies over MAX_SAMPLE_CHARS are skipped; at most MAX_PENDING wait to be counted, the
// rest are dropped: sampling never holds more than a few request bodies, and never delays a response.
import type { DatabaseSync } from 'node:sqlite';
import type { ObservedRatio } from '../../../shared/estimate.ts';
import { countFor } from './count.ts';
import { familyOf } from './families.ts';
import { EstimateInputError, readPrompt, type Prompt } from './prompt.ts';
import { log } from '../log.ts';

const STEPS: ((db: DatabaseSync) => void)[] = [
  (db) =>
    db.exec(`
      CREATE TABLE IF NOT EXISTS estimate_observed (
        model TEXT NOT NULL,
        method TEXT NOT NULL,
        requests INTEGER NOT NULL,
        estimated_tokens INTEGER NOT NULL,
        actual_tokens INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (model, method)
      ) WITHOUT ROWID;
    `),
];

export function ensureObservedTables(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS estimate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const row = db.prepare("SELECT value FROM estimate_meta WHERE key = 'version'").get() as { value: string } | undefined;
  const have = row ? Number(row.value) : 0;
  if (have > STEPS.length) throw new Error(`The estimate tables in this database have version ${have}, newer than this Spendbar knows (${STEPS.length}). Update Spendbar.`);
  for (let v = have; v < STEPS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      (STEPS[v] as (d: DatabaseSync) => void)(db);
      db.prepare("INSERT INTO estimate_meta (key, value) VALUES ('version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(v + 1));
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
}

/** One observation: the estimate and the provider's figure for one request's input. */
export interface Observation {
  model: string;
  /** The family whose count was used (families.ts): a change of family starts a fresh ratio. */
  method: string;
  estimated: number;
  actual: number;
  time: number;
}

export function recordObservation(db: DatabaseSync, o: Observation): void {
  db.prepare(
    `INSERT INTO estimate_observed (model, method, requests, estimated_tokens, actual_tokens, last_at) VALUES (?, ?, 1, ?, ?, ?)
     ON CONFLICT (model, method) DO UPDATE SET requests = requests + 1, estimated_tokens = estimated_tokens + excluded.estimated_tokens,
       actual_tokens = actual_tokens + excluded.actual_tokens, last_at = max(last_at, excluded.last_at)`,
  ).run(o.model, o.method, o.estimated, o.actual, o.time);
}

/** The observed ratio per model (the current method's rows only). */
export function observedRatios(db: DatabaseSync): Map<string, ObservedRatio & { method: string }> {
  const rows = db.prepare('SELECT model, method, requests, estimated_tokens AS e, actual_tokens AS a, last_at AS t FROM estimate_observed WHERE actual_tokens > 0').all() as {
    model: string;
    method: string;
    requests: number;
    e: number;
    a: number;
    t: number;
  }[];
  const out = new Map<string, ObservedRatio & { method: string }>();
  for (const r of rows) {
    if (r.method !== familyOf(r.model).id) continue;
    out.set(r.model, { ratio: r.e / r.a, requests: r.requests, lastAt: r.t, method: r.method });
  }
  return out;
}

/** What the sampler needs from one metered request (the proxy's record has more). */
export interface MeteredRequest {
  time: number;
  status: number;
  model: string;
  inputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  /** The provider reported no usage and the proxy estimated it: nothing to compare with. */
  estimated: boolean;
}

export const MAX_SAMPLE_CHARS = 256 * 1024;
export const MAX_PENDING = 8;

/** The prompt of a request body when it is worth sampling, else null. */
export function samplePrompt(body: unknown): Prompt | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.messages) || b.tools !== undefined || b.functions !== undefined) return null;
  // A cheap size check before anything is serialised: the body's text lives in its messages.
  let size = 0;
  const walk = (v: unknown, depth: number): void => {
    if (size > MAX_SAMPLE_CHARS || depth > 6) return;
    if (typeof v === 'string') size += v.length;
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(b.messages, 0);
  walk(b.system, 0);
  if (size > MAX_SAMPLE_CHARS || size === 0) return null;
  try {
    const prompt = readPrompt(JSON.stringify({ system: b.system, messages: b.messages }), 'messages');
    return prompt.uncounted.length === 0 ? prompt : null;
  } catch (err) {
    if (err instanceof EstimateInputError) return null;
    throw err;
  }
}

/**
 * Samples metered requests into `estimate_observed`. `observe` returns at once; the counting runs later on the event
 * loop, one request at a time.
 */
export class ObservationSampler {
  private readonly db: DatabaseSync;
  private pending = 0;
  /** Requests skipped because MAX_PENDING were waiting. */
  dropped = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(db: DatabaseSync) {
    ensureObservedTables(db);
    this.db = db;
  }

  observe(body: unknown, r: MeteredRequest): void {
    if (r.status < 200 || r.status >= 300 || r.estimated || r.inputTokens <= 0 || r.cachedTokens > 0 || r.cacheWriteTokens > 0 || !r.model) return;
    if (this.pending >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending++;
    this.chain = this.chain
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(async () => {
        const prompt = samplePrompt(body);
        if (!prompt) return;
        const family = familyOf(r.model);
        const count = await countFor(prompt, family.id);
        if (!this.db.isOpen) return;
        recordObservation(this.db, { model: r.model, method: family.id, estimated: count.inputTokens, actual: r.inputTokens, time: r.time });
      })
      .catch((err: unknown) => log.error('spendbar: an estimate sample failed:', err instanceof Error ? err.message : err))
      .finally(() => {
        this.pending--;
      });
  }

  /** Resolves when every sample waiting has been written (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }
}
