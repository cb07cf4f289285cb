// totals(): the usage breakdown table, one row per (group, currency) over [from, to).
import type { TotalsQuery } from '../../../shared/api.ts';
import { ACCOUNT_WIDE_MODELS, type UsageTotals } from '../../../shared/domain.ts';
import { filterSql, usageSegments, usageSource, type QueryContext, type Segment } from './plan.ts';
import { GROUP_COLUMN } from './series.ts';
import { compareText } from '../text-order.ts';

/** group, currency, requests, input, output, cached, reasoning, cost sum, buckets with a cost, account of a wide row, account */
type Row = [string, string, number, number, number, number, number, number | null, number, string, string];

// Rows of a model that stands for all of one account's models (an estimate) stay apart per account when grouped by model.
const WIDE = `(${ACCOUNT_WIDE_MODELS.map((m) => `'${m.replace(/'/g, "''")}'`).join(', ')})`;

function totalsSql(ctx: QueryContext, seg: Segment, groupCol: string, filters: string, byModel: boolean): string {
  const { table, t } = usageSource(ctx, seg);
  const account = byModel ? `CASE WHEN model IN ${WIDE} THEN account_id ELSE '' END` : `''`;
  return `SELECT ${groupCol} AS g, currency AS c, SUM(requests) AS r, SUM(input_tokens) AS i,
      SUM(output_tokens) AS o, SUM(cached_tokens) AS ca, SUM(reasoning_tokens) AS re, SUM(cost_micros) AS cost,
      ${seg.rollup ? 'SUM(cost_n)' : 'COUNT(cost_micros)'} AS cn, ${account} AS a, account_id AS acct
    FROM ${table} WHERE ${t} >= $from AND ${t} < $to${filters} GROUP BY g, c, a, acct`;
}

/**
 * Rows for usage whose cost is unknown carry no currency. Sorted by currency, then cost within it (descending; a
 * yuan amount is never ranked against a dollar one), unknown cost last, then total tokens, then group.
 */
export function queryTotals(ctx: QueryContext, q: TotalsQuery): UsageTotals[] {
  if (!Object.hasOwn(GROUP_COLUMN, q.groupBy)) throw new RangeError(`Unknown groupBy "${q.groupBy}".`);
  const groupCol = GROUP_COLUMN[q.groupBy];
  const f = filterSql(q);
  // First per account, so one account's tokens and its cost of the same group can be joined (below).
  const perAccount = new Map<string, Map<string, UsageTotals>>();
  for (const seg of usageSegments(ctx, q.from, q.to)) {
    const rows = ctx.arrays(totalsSql(ctx, seg, groupCol, f.sql, q.groupBy === 'model')).all({ ...f.params, from: seg.from, to: seg.to }) as unknown as Row[];
    for (const [g, c, requests, input, output, cached, reasoning, cost, costN, a, acct] of rows) {
      const k = `${g}\u0000${a}\u0000${acct}`;
      let byCurrency = perAccount.get(k);
      if (!byCurrency) perAccount.set(k, (byCurrency = new Map()));
      let t = byCurrency.get(c ?? '');
      if (!t) {
        t = { group: g, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costMicros: null };
        if (c) t.currency = c;
        if (a) t.accountId = a;
        byCurrency.set(c ?? '', t);
      }
      addCounts(t, { requests, inputTokens: input, outputTokens: output, cachedTokens: cached, reasoningTokens: reasoning });
      if (costN > 0) t.costMicros = (t.costMicros ?? 0) + (cost ?? 0);
    }
  }
  const merged = new Map<string, UsageTotals>();
  for (const byCurrency of perAccount.values()) {
    for (const t of joinTokensWithCost([...byCurrency.values()])) {
      const k = `${t.group}\u0000${t.currency ?? ''}\u0000${t.accountId ?? ''}`;
      const m = merged.get(k);
      if (!m) {
        merged.set(k, { ...t });
        continue;
      }
      addCounts(m, t);
      if (t.costMicros !== null) m.costMicros = (m.costMicros ?? 0) + t.costMicros;
    }
  }
  // A row that adds nothing (a retired estimate zeroed when the provider reported the day) is not a row to show.
  const out = [...merged.values()].filter((t) => t.requests || t.inputTokens || t.outputTokens || t.cachedTokens || t.reasoningTokens || t.costMicros);
  const tokens = (t: UsageTotals) => t.inputTokens + t.outputTokens;
  // Money is ordered within its currency only: all of one currency (by code), then the next; unknown cost last.
  return out.sort(
    (a, b) =>
      Number(a.costMicros === null) - Number(b.costMicros === null) ||
      compareText(a.currency ?? '', b.currency ?? '') ||
      (b.costMicros ?? 0) - (a.costMicros ?? 0) ||
      tokens(b) - tokens(a) ||
      (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) ||
      compareText(a.accountId ?? '', b.accountId ?? ''),
  );

}

type Counts = Pick<UsageTotals, 'requests' | 'inputTokens' | 'outputTokens' | 'cachedTokens' | 'reasoningTokens'>;

function addCounts(t: Counts, n: Counts): void {
  t.requests += n.requests;
  t.inputTokens += n.inputTokens;
  t.outputTokens += n.outputTokens;
  t.cachedTokens += n.cachedTokens;
  t.reasoningTokens += n.reasoningTokens;
}

/**
 * One account's rows of one group (model, key, …), one per currency. A provider that reports tokens and cost
 * separately (OpenAI's and Anthropic's hourly usage without cost, daily costs per model without tokens) gives a
 * row of tokens without a cost beside a row of cost: when the cost is in one currency they are the same usage,
 * so they become one row. With costs in two currencies the tokens cannot be told apart and stay a row of their own.
 */
export function joinTokensWithCost(rows: UsageTotals[]): UsageTotals[] {
  const priced = rows.filter((r) => r.costMicros !== null);
  if (priced.length !== 1 || priced.length === rows.length) return rows;
  const joined = { ...priced[0]! };
  for (const r of rows) if (r.costMicros === null) addCounts(joined, r);
  return [joined];
}
