// The fast path of the list-price arithmetic: for every model of every table the index loads, the plan's price is
// calcPrice's own number (compared bit for bit and as integer micro-USD) over many seeded usages; tiered and dated
// entries keep calcPrice per request.
import * as lib from '@pydantic/genai-prices';
import { describe, expect, it, vi } from 'vitest';
import { derivePlan, planApplies, planPrice } from '../../../electron/core/pricing/affine.ts';
import { priceUsage, TABLE_IDS } from '../../../electron/core/pricing/index.ts';
import { seeded as rng } from '../../../electron/core/providers/fakes/report.ts';

const AT = new Date(Date.UTC(2026, 10, 23, 18, 0, 0));

type U = [input: number, output: number, cacheRead: number, cacheWrite: number];

function usages(seed: number, n: number): U[] {
  const r = rng(seed);
  const count = () => {
    const k = r();
    if (k < 0.15) return 0;
    if (k < 0.25) return 5e8;
    if (k < 0.3) return 2 ** 40 + Math.floor(r() * 1e6);
    if (k < 0.6) return Math.floor(r() * 2000);
    return Math.floor(r() ** 3 * 3e6);
  };
  const out: U[] = [[0, 0, 0, 0], [5e8, 5e8, 5e8, 0], [5e8, 5e8, 0, 5e8], [1, 1, 1, 0], [1, 0, 0, 1]];
  while (out.length < n) {
    const input = count();
    const k = r();
    // cached = input, cache-write = the rest, both partial, none.
    const read = k < 0.2 ? input : k < 0.5 ? Math.floor(r() * input) : 0;
    const write = r() < 0.3 ? (r() < 0.3 ? input - read : Math.floor(r() * (input - read))) : 0;
    out.push([input, count(), read, write]);
  }
  return out;
}

const usageOf = ([input, output, read, write]: U) => ({ input_tokens: input, output_tokens: output, cache_read_tokens: read, cache_write_tokens: write });

interface Entry {
  table: string;
  id: string;
  prices: unknown;
  calc: (usage: Record<string, number>, prices?: unknown) => lib.PriceCalculationResult;
}

/** Every entry of every loaded table, with calcPrice bound as priceUsage binds it (a table of that entry only). */
function entries(): Entry[] {
  const out: Entry[] = [];
  for (const tableId of TABLE_IDS) {
    const table = lib.findProvider({ providerId: tableId });
    if (!table) throw new Error(`no table ${tableId}`);
    for (const model of table.models) {
      const only = { ...model, match: { equals: model.id } };
      out.push({
        table: tableId,
        id: model.id,
        prices: model.prices,
        calc: (usage, prices = model.prices) =>
          lib.calcPrice(usage, model.id, { provider: { ...table, models: [{ ...only, prices: prices as lib.ModelInfo['prices'] }] }, timestamp: AT }),
      });
    }
  }
  return out;
}

const isPlain = (prices: unknown) => !Array.isArray(prices) && Object.values(prices as object).every((v) => typeof v === 'number');

describe('derivePlan over every loaded table', () => {
  const all = entries();

  it('loads the tables it is meant to (sanity)', () => {
    expect(new Set(all.map((e) => e.table))).toEqual(new Set(TABLE_IDS));
    expect(all.length).toBeGreaterThan(500);
    expect(all.filter((e) => !isPlain(e.prices)).length).toBeGreaterThan(10);
  });

  it('every plain entry gets a plan whose price is calcPrice’s, bit for bit and in micro-USD', () => {
    let checked = 0;
    const noPlan: string[] = [];
    for (const [n, e] of all.entries()) {
      if (!isPlain(e.prices)) continue;
      const plan = derivePlan(e.prices, (usage, prices) => e.calc(usage, prices));
      if (!plan) {
        noPlan.push(`${e.table}/${e.id}`);
        continue;
      }
      for (const u of usages(1000 + n, 250)) {
        expect(planApplies(...u)).toBe(true);
        const want = e.calc(usageOf(u))!.total_price;
        const got = planPrice(plan, ...u);
        if (Math.round(got * 1e6) !== Math.round(want * 1e6) || !Object.is(got, want)) {
          throw new Error(`${e.table}/${e.id} ${JSON.stringify(u)}: fast ${got}, calcPrice ${want}`);
        }
        checked++;
      }
    }
    expect(noPlan).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });

  it('tiered and dated (or time-of-day) entries take calcPrice per request', () => {
    const slow = all.filter((e) => !isPlain(e.prices));
    for (const e of slow) expect(derivePlan(e.prices, (usage, prices) => e.calc(usage, prices)), `${e.table}/${e.id}`).toBeNull();
  });

  it('keys the library does not know, or a calcPrice that is not affine, take calcPrice per request', () => {
    const gpt4o = all.find((e) => e.table === 'openai' && e.id === 'gpt-4o')!;
    expect(derivePlan(gpt4o.prices, (u, p) => gpt4o.calc(u, p))).not.toBeNull();
    // An unknown key: the library warns and ignores it; we keep calling it (its warning stays).
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(derivePlan({ ...(gpt4o.prices as object), teleport_mtok: 3 }, (u, p) => gpt4o.calc(u, p))).toBeNull();
      expect(warn).toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
    // A calculator that is not affine (a step above a threshold) fails the checks.
    const stepped = (u: Record<string, number>, p: unknown) => {
      const r = gpt4o.calc(u, p)!;
      return (u.input_tokens ?? 0) > 1e6 ? { ...r, total_price: r.total_price * 2, input_price: r.input_price * 2, output_price: r.output_price * 2 } : r;
    };
    expect(derivePlan(gpt4o.prices, stepped)).toBeNull();
  });

  it('figures the plan does not take: fractions, negatives, cached + written over input, beyond exact integers', () => {
    expect(planApplies(10, 1, 5, 5)).toBe(true);
    expect(planApplies(10.5, 1, 0, 0)).toBe(false);
    expect(planApplies(10, -1, 0, 0)).toBe(false);
    expect(planApplies(10, 1, 6, 5)).toBe(false);
    expect(planApplies(2 ** 52, 0, 0, 0)).toBe(false);
  });
});

describe('priceUsage takes the same figures on either path', () => {
  const usage = (inputTokens: number, outputTokens: number, cachedTokens = 0, cacheWriteTokens = 0) => ({ inputTokens, outputTokens, cachedTokens, cacheWriteTokens });
  const calcMicros = (table: string, id: string, u: U) => {
    const provider = lib.findProvider({ providerId: table })!;
    const model = provider.models.find((m) => m.id === id)!;
    const r = lib.calcPrice(usageOf(u), id, { provider: { ...provider, models: [model] }, timestamp: AT });
    return Math.round(r!.total_price * 1e6);
  };
  it.each([
    ['openai', 'gpt-4o', 'openai'], // plain
    ['anthropic', 'claude-sonnet-4-5', 'anthropic'], // tiered
    ['deepseek', 'deepseek-chat', 'deepseek'], // time-of-day
    ['openrouter', 'openai/gpt-5.5', 'openrouter'], // tiered, router table
  ])('%s %s', async (provider, model, table) => {
    for (const u of usages(7, 40)) {
      const p = await priceUsage(provider, model, usage(u[0], u[1], u[2], u[3]), AT.getTime());
      expect(p?.cost.micros, JSON.stringify(u)).toBe(calcMicros(table, model, u));
    }
  });
  it('a fractional figure is priced by calcPrice; a negative one is still refused by it', async () => {
    const p = await priceUsage('openai', 'gpt-4o', usage(1000.5, 10), AT.getTime());
    expect(p?.cost.micros).toBe(calcMicros('openai', 'gpt-4o', [1000.5, 10, 0, 0]));
    await expect(priceUsage('openai', 'gpt-4o', usage(100, -1), AT.getTime())).rejects.toThrow();
  });
});
