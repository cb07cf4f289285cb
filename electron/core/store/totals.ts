// totals(): the usage breakdown table, one row per (group, currency) over [from, to).
import type { TotalsQuery } from '../../../shared/api.ts';
import { ACCOUNT_WIDE_MODELS, type UsageTotals } from '../../../shared/domain.ts';
import { filterSql, usageSegments, usageSource, type QueryContext, type Segment } from './plan.ts';
import { GROUP_COLUMN } from './series.ts';

/** group, currency, requests, input, output, cached, reasoning, cost sum, buckets with a cost, account of a wide row */
type Row = [string, string, number, number, number, number, number, number | null, number, string];

// Rows of a model that stands for all of one account's models (an estimate) stay apart per account when grouped by model.
const WIDE = `(${ACCOUNT_WIDE_MODELS.map((m) => `'${m.replace(/'/g, "''")}'`).join(', ')})`;

function totalsSql(ctx: QueryContext, seg: Segment, groupCol: string, filters: string, byModel: boolean): string {
  const { table, t } = usageSource(ctx, seg);
  const account = byModel ? `CASE WHEN model IN ${WIDE} THEN account_id ELSE '' END` : `''`;
  return `SELECT ${groupCol} AS g, currency AS c, SUM(requests) AS r, SUM(input_tokens) AS i,
      SUM(output_tokens) AS o, SUM(cached_tokens) AS ca, SUM(reasoning_tokens) AS re, SUM(cost_micros) AS cost,
      ${seg.rollup ? 'SUM(cost_n)' : 'COUNT(cost_micros)'} AS cn, ${account} AS a
    FROM ${table} WHERE ${t} >= $from AND ${t} < $to${filters} GROUP BY g, c, a`;
}

/**
 * Rows for usage whose cost is unknown carry no currency. Sorted by currency, then cost within it (descending; a
 * yuan amount is never ranked against a dollar one), unknown cost last, then total tokens, then group.
 */
export function queryTotals(ctx: QueryContext, q: TotalsQuery): UsageTotals[] {
  if (!Object.hasOwn(GROUP_COLUMN, q.groupBy)) throw new RangeError(`Unknown groupBy "${q.groupBy}".`);
  const groupCol = GROUP_COLUMN[q.groupBy];
  const f = filterSql(q);
  const merged = new Map<string, UsageTotals>();
  for (const seg of usageSegments(ctx, q.from, q.to)) {
    const rows = ctx.arrays(totalsSql(ctx, seg, groupCol, f.sql, q.groupBy === 'model')).all({ ...f.params, from: seg.from, to: seg.to }) as unknown as Row[];
    for (const [g, c, requests, input, output, cached, reasoning, cost, costN, a] of rows) {
      const k = `${g}\u0000${c}\u0000${a}`;
      let t = merged.get(k);
      if (!t) {
        t = { group: g, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costMicros: null };
        if (c) t.currency = c;
        if (a) t.accountId = a;
        merged.set(k, t);
      }
      t.requests += requests;
      t.inputTokens += input;
      t.outputTokens += output;
      t.cachedTokens += cached;
      t.reasoningTokens += reasoning;
      if (costN > 0) t.costMicros = (t.costMicros ?? 0) + (cost ?? 0);
    }
  }
  // A row that adds nothing (a retired estimate zeroed when the provider reported the day) is not a row to show.
  const out = [...merged.values()].filter((t) => t.requests || t.inputTokens || t.outputTokens || t.cachedTokens || t.reasoningTokens || t.costMicros);
  const tokens = (t: UsageTotals) => t.inputTokens + t.outputTokens;
  // Money is ordered within its currency only: all of one currency (by code), then the next; unknown cost last.
  return out.sort(
    (a, b) =>
      Number(a.costMicros === null) - Number(b.costMicros === null) ||
      (a.currency ?? '').localeCompare(b.currency ?? '') ||
      (b.costMicros ?? 0) - (a.costMicros ?? 0) ||
      tokens(b) - tokens(a) ||
      (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) ||
      (a.accountId ?? '').localeCompare(b.accountId ?? ''),
  );

}
