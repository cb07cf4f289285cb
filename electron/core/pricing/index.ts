// The bundled price table: list prices (USD) and context windows of LLM models, from @pydantic/genai-prices (MIT,
// data bundled in the package: nothing is fetched at run time). Loaded on first use only, so a Spendbar that never
// needs a table price (no proxy traffic, or providers that report their own cost) never holds it in memory.
// Matching is exact (see match.ts); the price arithmetic (cache-read and cache-write rates, tiers, time-of-day and
// dated prices) is the package's own calcPrice, run against the one entry we matched — per request for tiered and
// dated entries, once per model for plain ones, whose per-request arithmetic is then affine.ts's replay of it.
import type { Money } from '../../../shared/money.ts';
import { derivePlan, planApplies, planPrice, type AffinePlan } from './affine.ts';
import { ExactIndex, findModel, TABLE_IDS, type Match, type PriceTable, type TableModel } from './match.ts';

export { findModel, exactNames, tablesFor, ExactIndex, TABLE_IDS, type PriceTable, type TableModel } from './match.ts';

/** Tokens of one request. `inputTokens` includes cached (read) and cache-write tokens, as OpenAI counts them. */
export interface PricedUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
}

export interface Price {
  cost: Money;
  /** The table entry the model was priced as ("openai/gpt-4o"). */
  pricedAs: string;
}

interface Library {
  index: ExactIndex;
  tables: Map<string, PriceTable & Record<string, unknown>>;
  calc(usage: Record<string, number>, name: string, provider: unknown, at: Date): { total_price: number; input_price: number; output_price: number } | null;
}

let loading: Promise<Library> | null = null;

async function load(): Promise<Library> {
  const lib = await import('@pydantic/genai-prices');
  const tables = new Map<string, PriceTable & Record<string, unknown>>();
  for (const id of TABLE_IDS) {
    const p = lib.findProvider({ providerId: id });
    if (p) tables.set(id, p as unknown as PriceTable & Record<string, unknown>);
  }
  return {
    index: new ExactIndex([...tables.values()]),
    tables,
    calc: (usage, name, provider, at) => lib.calcPrice(usage, name, { provider: provider as never, timestamp: at }),
  };
}

function library(): Promise<Library> {
  loading ??= load().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

/** Whether the table has been loaded into memory (for the idle-memory check). */
export function pricingLoaded(): boolean {
  return loading !== null;
}

async function match(provider: string, model: string): Promise<{ lib: Library; hit: Match } | null> {
  const lib = await library();
  const hit = findModel(lib.index, provider, model);
  return hit ? { lib, hit } : null;
}

/** What pricing one model needs, found once per provider and model name (the table holding only the matched entry). */
interface Priced {
  lib: Library;
  table: Record<string, unknown>;
  pricedAs: string;
  /** Plain prices: calcPrice's arithmetic replayed without calling it (null: calcPrice per request). */
  plan: AffinePlan | null;
}

const MAX_CACHED_MODELS = 2000;
const byModel = new Map<string, Promise<Priced | null>>();

function priced(provider: string, model: string): Promise<Priced | null> {
  const key = `${provider}\u0000${model}`;
  let p = byModel.get(key);
  if (!p) {
    p = match(provider, model).then((found) => {
      if (!found) return null;
      const { lib, hit } = found;
      const table = lib.tables.get(hit.table);
      if (!table) return null;
      // calcPrice runs its own matcher: hand it a table holding only the entry we matched, matching only this name.
      const only: TableModel & { prices?: unknown } = { ...hit.model, match: { equals: model } };
      const plan = derivePlan(only.prices, (usage, prices) => lib.calc(usage, model, { ...table, models: [{ ...only, prices }] }, new Date(0)));
      return { lib, table: { ...table, models: [only] }, pricedAs: `${hit.table}/${hit.model.id}`, plan };
    });
    p.catch(() => byModel.delete(key));
    // Bounded: model names come from responses; a flood of new ones starts the cache afresh.
    if (byModel.size >= MAX_CACHED_MODELS) byModel.clear();
    byModel.set(key, p);
  }
  return p;
}

/**
 * The list price of one request, or null when the model is not in the table ("unpriced": never $0).
 * `provider` is the account's provider id (it picks the tables searched), `at` the request time (prices change).
 * The match is looked up once per provider and model; the arithmetic (tiers, dated prices) runs per request, by
 * calcPrice or, for plain prices, by the plan derived from it (the same number).
 */
export async function priceUsage(provider: string, model: string, usage: PricedUsage, at: number): Promise<Price | null> {
  const found = await priced(provider, model);
  if (!found) return null;
  const cachedRead = Math.min(usage.cachedTokens, usage.inputTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens, usage.inputTokens - cachedRead);
  if (found.plan && planApplies(usage.inputTokens, usage.outputTokens, cachedRead, cacheWrite)) {
    const total = planPrice(found.plan, usage.inputTokens, usage.outputTokens, cachedRead, cacheWrite);
    if (Number.isFinite(total)) return { cost: { micros: Math.round(total * 1e6), currency: 'USD' }, pricedAs: found.pricedAs };
  }
  const result = found.lib.calc(
    { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cache_read_tokens: cachedRead, cache_write_tokens: cacheWrite },
    model,
    found.table,
    new Date(at),
  );
  if (!result || !Number.isFinite(result.total_price)) return null;
  return { cost: { micros: Math.round(result.total_price * 1e6), currency: 'USD' }, pricedAs: found.pricedAs };
}

/** The model's context window in tokens, when the table knows it. */
export async function contextWindow(provider: string, model: string): Promise<number | null> {
  const found = await match(provider, model);
  return found?.hit.model.context_window ?? null;
}
