// Small additions to the price table for the token and cost estimate (kept apart from index.ts and match.ts):
// which table and publication date prices come from, and the exact names the table knows (for "did you mean").
// Loaded on first use only, like the table itself.
import type { PriceSource } from '../../../shared/estimate.ts';
import { exactNames, FIRST_PARTY_TABLES, type TableModel } from './match.ts';

/** The bundled table's package and the day that version was published (npm registry), checked by a test. */
export const PRICE_TABLE_SOURCE: PriceSource = { name: '@pydantic/genai-prices 0.1.8', date: '2026-09-23', currency: 'USD' };

let names: Promise<string[]> | null = null;

/** Every exact model name in the first-party tables (ids and aliases), sorted. */
export function tableModelNames(): Promise<string[]> {
  names ??= import('@pydantic/genai-prices').then((lib) => {
    const out = new Set<string>();
    for (const id of FIRST_PARTY_TABLES) {
      const p = lib.findProvider({ providerId: id }) as { models: TableModel[] } | undefined;
      for (const m of p?.models ?? []) for (const n of exactNames(m)) out.add(n);
    }
    return [...out].sort();
  });
  return names;
}
