// Which price-table entry a model name belongs to. Exact matching only: a name is priced when it is an entry's id or
// one of its exact aliases, after at most these documented normalisations (README "Metering proxy" → "Cost"):
//   1. a vendor prefix ("openai/gpt-4o", "anthropic/claude-…") is looked up as written in a router's table, else
//      dropped and the rest looked up in that vendor's own table;
//   2. a trailing date-snapshot suffix ("-20250514", "-2024-08-06") is dropped when the dated name itself is not
//      listed, so a dated snapshot is priced as the model it is a snapshot of.
// The table's own prefix/contains/regex rules are never used: they would price "gpt-4o-mini-x" as "gpt-4o-mini".

/** The shape of one price-table model this module needs (the bundled table has more). */
export interface TableModel {
  id: string;
  match: unknown;
  context_window?: number;
}

export interface PriceTable {
  id: string;
  models: TableModel[];
}

/** Price tables searched for an account, by the account's provider; `null` key = any other provider (gateways). */
const TABLES_BY_PROVIDER: Record<string, string[]> = {
  openrouter: ['openrouter'],
  deepseek: ['deepseek'],
  openai: ['openai'],
  anthropic: ['anthropic'],
  xai: ['x-ai'],
  moonshot: ['moonshotai'],
};

/** First-party tables a gateway's bare model names are looked up in, in this order. */
export const FIRST_PARTY_TABLES = ['openai', 'anthropic', 'google', 'deepseek', 'x-ai', 'mistral', 'moonshotai'];

/** Every table the index loads. */
export const TABLE_IDS = [...new Set(['openrouter', ...FIRST_PARTY_TABLES])];

/** Vendor prefixes as routers spell them → the vendor's own table. */
const VENDOR_TABLES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  deepseek: 'deepseek',
  'x-ai': 'x-ai',
  xai: 'x-ai',
  mistralai: 'mistral',
  mistral: 'mistral',
  moonshotai: 'moonshotai',
};

export function tablesFor(provider: string): string[] {
  return TABLES_BY_PROVIDER[provider] ?? FIRST_PARTY_TABLES;
}

/** Every exact alias a table entry declares: its id and each `equals` in its match rules. */
export function exactNames(model: TableModel): string[] {
  const out = [model.id];
  const walk = (m: unknown) => {
    if (!m || typeof m !== 'object') return;
    const r = m as { equals?: unknown; or?: unknown; and?: unknown };
    if (typeof r.equals === 'string') out.push(r.equals);
    // An `and` narrows another rule; only `or` lists alternatives that each name the model.
    if (Array.isArray(r.or)) for (const x of r.or) walk(x);
  };
  walk(model.match);
  return out;
}

/** name → entry, per table; built once per table. */
export class ExactIndex {
  private readonly byTable = new Map<string, Map<string, TableModel>>();

  constructor(tables: readonly PriceTable[]) {
    for (const t of tables) {
      const names = new Map<string, TableModel>();
      // The id wins over another entry's alias of the same name.
      for (const m of t.models) for (const n of exactNames(m).slice(1)) if (!names.has(n)) names.set(n, m);
      for (const m of t.models) names.set(m.id, m);
      this.byTable.set(t.id, names);
    }
  }

  get(table: string, name: string): TableModel | undefined {
    return this.byTable.get(table)?.get(name);
  }

  has(table: string): boolean {
    return this.byTable.has(table);
  }
}

export interface Match {
  table: string;
  model: TableModel;
}

const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

/** The table entry a model name is exactly priced as for an account of `provider`, or null ("unpriced"). */
export function findModel(index: ExactIndex, provider: string, name: string): Match | null {
  const model = name.trim();
  if (!model) return null;
  const candidates: [string, string][] = [];
  for (const table of tablesFor(provider)) candidates.push([table, model]);
  const slash = model.indexOf('/');
  if (slash > 0) {
    const vendorTable = VENDOR_TABLES[model.slice(0, slash).toLowerCase()];
    if (vendorTable) candidates.push([vendorTable, model.slice(slash + 1)]);
  }
  for (const [table, n] of candidates) {
    const hit = index.get(table, n);
    if (hit) return { table, model: hit };
  }
  for (const [table, n] of candidates) {
    const undated = n.replace(DATE_SUFFIX, '');
    if (undated === n) continue;
    const hit = index.get(table, undated);
    if (hit) return { table, model: hit };
  }
  return null;
}
