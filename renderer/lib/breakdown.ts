// The breakdown table's rows: shares and sorting as pure functions. Cost share is within a row's own
// currency, because a share of "USD plus CNY" would mean adding them.
import type { UsageTotals } from '../../shared/domain.ts';

export interface BreakdownRow {
  id: string;
  group: string;
  /** The account of an account-wide row (an estimate for all its models). */
  accountId: string | null;
  currency: string | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costMicros: number | null;
  /** 0..1 of all tokens in the table. */
  tokenShare: number;
  /** 0..1 of the cost in this row's currency; null without a cost. */
  costShare: number | null;
}

export type SortKey = 'group' | 'requests' | 'inputTokens' | 'outputTokens' | 'totalTokens' | 'costMicros' | 'tokenShare' | 'costShare';
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export function breakdownRows(totals: readonly UsageTotals[]): BreakdownRow[] {
  const allTokens = totals.reduce((acc, t) => acc + t.inputTokens + t.outputTokens, 0);
  const costByCurrency = new Map<string, number>();
  for (const t of totals) {
    if (t.costMicros !== null && t.currency) costByCurrency.set(t.currency, (costByCurrency.get(t.currency) ?? 0) + t.costMicros);
  }
  return totals.map((t) => {
    const totalTokens = t.inputTokens + t.outputTokens;
    const currencyTotal = t.currency ? costByCurrency.get(t.currency) : undefined;
    return {
      id: `${t.group}\u0000${t.currency ?? ''}\u0000${t.accountId ?? ''}`,
      group: t.group,
      accountId: t.accountId ?? null,
      currency: t.currency ?? null,
      requests: t.requests,
      inputTokens: t.inputTokens,
      outputTokens: t.outputTokens,
      totalTokens,
      costMicros: t.costMicros,
      tokenShare: allTokens > 0 ? totalTokens / allTokens : 0,
      costShare: t.costMicros !== null && currencyTotal ? t.costMicros / currencyTotal : null,
    };
  });
}

const MONEY_KEYS: ReadonlySet<SortKey> = new Set(['costMicros', 'costShare']);

export function sortRows(rows: readonly BreakdownRow[], sort: Sort): BreakdownRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (sort.key === 'group') return sign * a.group.localeCompare(b.group) || (a.accountId ?? '').localeCompare(b.accountId ?? '');
    const av = a[sort.key];
    const bv = b[sort.key];
    // Rows without a value (no cost) sink to the bottom whichever way the column sorts.
    if (av === null || bv === null) return av === bv ? 0 : av === null ? 1 : -1;
    // Money is ranked within its currency: every USD row together, every CNY row together, never ¥13 above $10.
    if (MONEY_KEYS.has(sort.key) && a.currency !== b.currency) return (a.currency ?? '').localeCompare(b.currency ?? '');
    return sign * (av - bv) || a.group.localeCompare(b.group);
  });
}
