// All-time usage totals for Prometheus counters, kept so that a scrape costs one small read and a counter never goes
// down. Sums over a window go down when the window slides; sums over raw rows go down when rows are pruned or a
// provider revises a bucket down. So the totals live in tables of their own, kept by triggers:
//   metrics_usage    per account × model: requests and tokens the provider reported (from usage_daily's changes)
//   metrics_cost     per account × model × currency: their cost
//   metrics_metered  per account × model × currency: what the metering proxy saw (from proxy_requests' inserts)
// Each provider-usage figure is held twice: `x`, the exact sum now, and `top_x`, the highest it has been. Counters
// serve `top_x`: a downward revision leaves the counter where it was (and a revision back up does not count twice);
// the exact figure is what /api/totals answers. Metered rows are counted on insert only, so pruning proxy_requests
// (retention) never takes anything off. Rows of a model that stands for all of an account's models (an estimate from
// balance changes, today-so-far) are left out: they are replaced by per-model figures later, which would count twice.
// The tables (own version in metrics_meta, like the alert and proxy tables) are made when the server that answers
// /metrics starts (or on the first read, for a store opened otherwise), filled from what is stored then: the fill holds
// the write lock for seconds on a year of history, which a start-up can afford and a scrape cannot. A database that is
// never served (the desktop app, `spendbar poll`, `spendbar estimate`) never pays for the triggers.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { ACCOUNT_WIDE_MODELS } from '../../../shared/domain.ts';
import { withSmallCache } from './small-cache.ts';
import { writeVersion } from './write-version.ts';

const WIDE = `(${ACCOUNT_WIDE_MODELS.map((m) => `'${m.replace(/'/g, "''")}'`).join(', ')})`;
const TOKENS = ['requests', 'input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens'] as const;

/** One account × model (× currency for cost and metered rows), all time. */
export interface UsageCounterRow {
  accountId: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

export interface CostCounterRow {
  accountId: string;
  model: string;
  currency: string;
  costMicros: number;
}

export interface MeteredCounterRow extends UsageCounterRow {
  /** '' when no request of the row had a price. */
  currency: string;
  errors: number;
  rateLimited: number;
  costMicros: number;
  unpriced: number;
}

export interface MetricsTotals {
  usage: UsageCounterRow[];
  cost: CostCounterRow[];
  metered: MeteredCounterRow[];
}

/** What /metrics reads of the store: a cheap token that changes when the counters may have, and the counters. */
export interface MetricsTotalsSource {
  /** Makes the counter tables now if they are not yet (the server calls it before it listens). */
  prepare(): void;
  version(): string;
  /** The counters, or with the marks of an earlier read only the halves that changed since (readMetricsTotals). */
  read(since: MetricsMarks | null): MetricsTotalsRead;
}

/**
 * Adds `delta(column)` to the counter rows of usage_daily row `r` (NEW or OLD): `x = x + d, top_x = max(top_x, x + d)`.
 * `delta` is an SQL expression per column (`NEW.requests`, `-OLD.requests`, `NEW.requests - OLD.requests`).
 */
function usageUpsert(r: 'NEW' | 'OLD', delta: (col: string) => string): string {
  const moves = (cols: readonly string[]) => cols.map((c) => `${c} = ${c} + excluded.${c}, top_${c} = max(top_${c}, ${c} + excluded.${c})`).join(', ');
  return `
    INSERT INTO metrics_usage (account_id, model, ${TOKENS.join(', ')}, ${TOKENS.map((c) => `top_${c}`).join(', ')})
    SELECT ${r}.account_id, ${r}.model, ${TOKENS.map(delta).join(', ')}, ${TOKENS.map((c) => `max(0, ${delta(c)})`).join(', ')}
    WHERE ${r}.model NOT IN ${WIDE}
    ON CONFLICT (account_id, model) DO UPDATE SET ${moves(TOKENS)};
    INSERT INTO metrics_cost (account_id, model, currency, cost_micros, top_cost_micros)
    SELECT ${r}.account_id, ${r}.model, ${r}.currency, ${delta('cost_micros')}, max(0, ${delta('cost_micros')})
    WHERE ${r}.model NOT IN ${WIDE} AND ${r}.currency <> ''
    ON CONFLICT (account_id, model, currency) DO UPDATE SET ${moves(['cost_micros'])};`;
}

const SAME_GROUP = 'NEW.account_id = OLD.account_id AND NEW.model = OLD.model AND NEW.currency = OLD.currency';

const METERED_COLS = [...TOKENS, 'errors', 'rate_limited', 'cost_micros', 'unpriced'] as const;

const STEPS: { needs: string | null; run: (db: DatabaseSync) => void }[] = [
  {
    needs: 'usage_daily',
    run: (db) =>
      db.exec(`
        CREATE TABLE metrics_usage (
          account_id TEXT NOT NULL, model TEXT NOT NULL,
          ${TOKENS.map((c) => `${c} INTEGER NOT NULL, top_${c} INTEGER NOT NULL`).join(', ')},
          PRIMARY KEY (account_id, model)) WITHOUT ROWID;
        CREATE TABLE metrics_cost (
          account_id TEXT NOT NULL, model TEXT NOT NULL, currency TEXT NOT NULL,
          cost_micros INTEGER NOT NULL, top_cost_micros INTEGER NOT NULL,
          PRIMARY KEY (account_id, model, currency)) WITHOUT ROWID;
        INSERT INTO metrics_usage (account_id, model, ${TOKENS.join(', ')}, ${TOKENS.map((c) => `top_${c}`).join(', ')})
          SELECT account_id, model, ${TOKENS.map((c) => `sum(${c}) AS ${c}`).join(', ')}, ${TOKENS.map((c) => `sum(${c})`).join(', ')}
          FROM usage_daily WHERE model NOT IN ${WIDE} GROUP BY account_id, model;
        INSERT INTO metrics_cost (account_id, model, currency, cost_micros, top_cost_micros)
          SELECT account_id, model, currency, sum(cost_micros), sum(cost_micros)
          FROM usage_daily WHERE model NOT IN ${WIDE} AND currency <> '' GROUP BY account_id, model, currency;
        CREATE TRIGGER metrics_usage_insert AFTER INSERT ON usage_daily BEGIN ${usageUpsert('NEW', (c) => `NEW.${c}`)} END;
        CREATE TRIGGER metrics_usage_delete AFTER DELETE ON usage_daily BEGIN ${usageUpsert('OLD', (c) => `-OLD.${c}`)} END;
        -- The roll-up's upkeep updates a row in place (its key stays): one upsert by the difference.
        CREATE TRIGGER metrics_usage_revise AFTER UPDATE ON usage_daily WHEN ${SAME_GROUP}
        BEGIN ${usageUpsert('NEW', (c) => `(NEW.${c} - OLD.${c})`)} END;
        CREATE TRIGGER metrics_usage_move AFTER UPDATE ON usage_daily WHEN NOT (${SAME_GROUP})
        BEGIN ${usageUpsert('OLD', (c) => `-OLD.${c}`)} ${usageUpsert('NEW', (c) => `NEW.${c}`)} END;
      `),
  },
  {
    // The proxy makes its tables when the metering service starts; until then there is nothing metered to count.
    needs: 'proxy_requests',
    run: (db) =>
      db.exec(`
        CREATE TABLE metrics_metered (
          account_id TEXT NOT NULL, model TEXT NOT NULL, currency TEXT NOT NULL,
          ${METERED_COLS.map((c) => `${c} INTEGER NOT NULL`).join(', ')},
          PRIMARY KEY (account_id, model, currency)) WITHOUT ROWID;
        -- proxy_hourly is never pruned, so it holds every request so far; 429s only survive in proxy_requests.
        INSERT INTO metrics_metered (account_id, model, currency, ${METERED_COLS.join(', ')})
          SELECT account_id, model, currency, ${TOKENS.map((c) => `sum(${c})`).join(', ')}, sum(errors), 0,
            coalesce(sum(cost_micros), 0), sum(unpriced)
          FROM proxy_hourly GROUP BY account_id, model, currency;
        INSERT INTO metrics_metered (account_id, model, currency, ${METERED_COLS.join(', ')})
          SELECT account_id, model, currency, 0, 0, 0, 0, 0, 0, count(*), 0, 0
          FROM proxy_requests WHERE status = 429 GROUP BY account_id, model, currency
          ON CONFLICT (account_id, model, currency) DO UPDATE SET rate_limited = excluded.rate_limited;
        CREATE TRIGGER metrics_metered_insert AFTER INSERT ON proxy_requests BEGIN
          INSERT INTO metrics_metered (account_id, model, currency, ${METERED_COLS.join(', ')})
          VALUES (NEW.account_id, NEW.model, NEW.currency, 1, NEW.input_tokens, NEW.output_tokens, NEW.cached_tokens,
            NEW.reasoning_tokens, NEW.status < 200 OR NEW.status >= 300, NEW.status = 429, coalesce(NEW.cost_micros, 0),
            NEW.cost_source = 'unpriced')
          ON CONFLICT (account_id, model, currency) DO UPDATE SET
            ${METERED_COLS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};
        END;
      `),
  },
];

const tableExists = (db: DatabaseSync, name: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/**
 * How many steps are in place when none can be made now (all made, or the next one waits for a table that does not
 * exist yet); null when a step is due, or the tables are newer than this Spendbar (ensureMetricsTotals says so).
 * Reads only: it decides whether the fill needs a connection of its own (small-cache.ts onOwnConnection).
 */
export function metricsTotalsInPlace(db: DatabaseSync): number | null {
  const meta = tableExists(db, 'metrics_meta');
  const v = meta ? Number((db.prepare("SELECT value FROM metrics_meta WHERE key = 'version'").get() as { value: string } | undefined)?.value ?? 0) : 0;
  if (v > STEPS.length) return null;
  if (v === STEPS.length) return v;
  const step = STEPS[v] as (typeof STEPS)[number];
  return step.needs && !tableExists(db, step.needs) ? v : null;
}

/**
 * Makes (or brings up to date) the counter tables and their triggers, as far as the tables they watch exist.
 * Returns how many steps are in place: STEPS.length when nothing is left to make.
 */
export function ensureMetricsTotals(db: DatabaseSync): number {
  db.exec('CREATE TABLE IF NOT EXISTS metrics_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const version = () => Number((db.prepare("SELECT value FROM metrics_meta WHERE key = 'version'").get() as { value: string } | undefined)?.value ?? 0);
  if (version() > STEPS.length) {
    throw new Error(`The metrics tables in this database have version ${version()}, newer than this Spendbar knows (${STEPS.length}). Update Spendbar.`);
  }
  for (let v = version(); v < STEPS.length; v++) {
    const step = STEPS[v] as (typeof STEPS)[number];
    if (step.needs && !tableExists(db, step.needs)) return v;
    db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have made them while we waited for the write lock.
      if (version() <= v) {
        withSmallCache(db, () => step.run(db));
        db.prepare("INSERT INTO metrics_meta (key, value) VALUES ('version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(v + 1));
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
  return STEPS.length;
}

export const METRICS_TOTALS_STEPS = STEPS.length;

// Marks: a count and a sum per served column of each half (provider usage and its cost; metered). Every served figure
// only goes up (the top_ columns; metered sums are only ever added to) and no counter row is ever deleted, so any
// change to a half moves its mark: equal marks mean equal rows. sum() over integers is exact (SQLite raises an
// error past 2^63 rather than wrap). Materialized: computed once per read, not once per use.
const MARKS = (metered: boolean) => `
  WITH marks AS MATERIALIZED (SELECT
    (SELECT count(*) || ${TOKENS.map((c) => `'.' || coalesce(sum(top_${c}), 0)`).join(' || ')} FROM metrics_usage)
      || '/' || (SELECT count(*) || '.' || coalesce(sum(top_cost_micros), 0) FROM metrics_cost) AS usage,
    ${metered ? `(SELECT count(*) || ${METERED_COLS.map((c) => `'.' || coalesce(sum(${c}), 0)`).join(' || ')} FROM metrics_metered)` : "''"} AS metered)`;

// The marks, then one row per account × model × cost currency (a model's tokens repeat on each of its currencies'
// rows; most have one), then the metered rows in two halves — each half only when its mark moved from the caller's.
// Ten columns, not the thirteen a flat union would pad: the read is most of a scrape's cost.
const READ = (metered: boolean) => `${MARKS(metered)}
  SELECT 3, usage, metered, '', 0, 0, 0, 0, 0, NULL FROM marks
  UNION ALL
  SELECT 0, u.account_id, u.model, coalesce(c.currency, ''), ${TOKENS.map((c) => `u.top_${c}`).join(', ')}, c.top_cost_micros
  FROM metrics_usage u LEFT JOIN metrics_cost c ON c.account_id = u.account_id AND c.model = u.model
  WHERE (SELECT usage FROM marks) IS NOT $usage
  ${
    metered
      ? `UNION ALL SELECT 1, account_id, model, currency, ${TOKENS.join(', ')}, cost_micros FROM metrics_metered
  WHERE (SELECT metered FROM marks) IS NOT $metered
  UNION ALL SELECT 2, account_id, model, currency, errors, rate_limited, unpriced, 0, 0, 0 FROM metrics_metered
  WHERE (SELECT metered FROM marks) IS NOT $metered`
      : ''
  }`;

/** kind (0 usage and cost, 1 metered usage and cost, 2 metered errors, 429s, unpriced, 3 marks), account, model, currency, five figures, cost */
type Row = [number, string, string, string, number, number, number, number, number, number | null];

/** Where each half of the counters stood at a read: equal marks, equal rows. */
export interface MetricsMarks {
  usage: string;
  metered: string;
}

/** The counters read since `marks`: a half is null when its rows are what they were then. */
export interface MetricsTotalsRead {
  marks: MetricsMarks;
  usage: Pick<MetricsTotals, 'usage' | 'cost'> | null;
  metered: MetricsTotals['metered'] | null;
}

/**
 * Reads the counters in one statement: all of them, or with `since` (the marks of an earlier read) only the halves
 * that changed. `stmt` is the store's statement cache; `steps` is what ensureMetricsTotals returned (the metered table
 * is read once it exists).
 */
export function readMetricsTotals(stmt: (sql: string) => StatementSync, steps: number, since: MetricsMarks | null = null): MetricsTotalsRead {
  const out: MetricsTotals = { usage: [], cost: [], metered: [] };
  const read = stmt(READ(steps >= 2));
  // Rows as arrays: a scrape reads a row per account × model, and objects cost twice the time.
  read.setReturnArrays(true);
  // Without the metered table the statement has no $metered.
  read.setAllowUnknownNamedParameters(true);
  let marks: MetricsMarks = { usage: '', metered: '' };
  let last: UsageCounterRow | undefined;
  const usage = new Map<string, UsageCounterRow>();
  const metered = new Map<string, MeteredCounterRow>();
  for (const [k, accountId, model, currency, a, b, c, d, e, cost] of read.all({ usage: since?.usage ?? null, metered: since?.metered ?? null }) as unknown as Row[]) {
    if (k === 3) {
      marks = { usage: accountId, metered: model };
      continue;
    }
    if (k === 0) {
      // The join yields one usage row's currencies one after another; the map is there should a plan not.
      if (!last || last.accountId !== accountId || last.model !== model) {
        const key = `${accountId}\u0000${model}`;
        last = usage.get(key);
        if (!last) {
          usage.set(key, (last = { accountId, model, requests: a, inputTokens: b, outputTokens: c, cachedTokens: d, reasoningTokens: e }));
          out.usage.push(last);
        }
      }
      if (cost !== null) out.cost.push({ accountId, model, currency, costMicros: cost });
      continue;
    }
    const key = `${accountId}\u0000${model}\u0000${currency}`;
    let m = metered.get(key);
    if (!m) {
      m = { accountId, model, currency, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, errors: 0, rateLimited: 0, costMicros: 0, unpriced: 0 };
      metered.set(key, m);
      out.metered.push(m);
    }
    if (k === 1) {
      m.requests = a;
      m.inputTokens = b;
      m.outputTokens = c;
      m.cachedTokens = d;
      m.reasoningTokens = e;
      m.costMicros = cost ?? 0;
    } else {
      m.errors = a;
      m.rateLimited = b;
      m.unpriced = c;
    }
  }
  return {
    marks,
    usage: since && marks.usage === since.usage ? null : { usage: out.usage, cost: out.cost },
    metered: since && marks.metered === since.metered ? null : out.metered,
  };
}

export function metricsTotalsVersion(stmt: (sql: string) => StatementSync, steps: number): string {
  return `${steps}.${writeVersion(stmt)}`;
}
