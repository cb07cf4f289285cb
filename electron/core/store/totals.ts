// totals(): the usage breakdown table, one row per (group, currency) over [from, to).
import type { TotalsQuery } from '../../../shared/api.ts';
import type { UsageTotals } from '../../../shared/domain.ts';
import { filterSql, usageSegments, type QueryContext, type Segment } from './plan.ts';
import { GROUP_COLUMN } from './series.ts';

interface Row {
  g: string;
  c: string;
  r: number;
  i: number;
  o: number;
  ca: number;
  re: number;
  cost: number | null;
  cn: number;
}

function totalsSql(seg: Segment, groupCol: string, filters: string): string {
  const table = seg.rollup ? 'usage_daily' : 'usage_buckets';
  const t = seg.rollup ? 'day' : 'start';
  return `SELECT ${groupCol} AS g, currency AS c, SUM(requests) AS r, SUM(input_tokens) AS i,
      SUM(output_tokens) AS o, SUM(cached_tokens) AS ca, SUM(reasoning_tokens) AS re, SUM(cost_micros) AS cost,
      ${seg.rollup ? 'SUM(cost_n)' : 'COUNT(cost_micros)'} AS cn
    FROM ${table} WHERE ${t} >= $from AND ${t} < $to${filters} GROUP BY g, c`;
}

/**
 * Rows for usage whose cost is unknown carry no currency. Sorted by cost (descending, unknown last; amounts of
 * different currencies are only ordered, never added), then total tokens, then group.
 */
export function queryTotals(ctx: QueryContext, q: TotalsQuery): UsageTotals[] {
  const groupCol = GROUP_COLUMN[q.groupBy];
  if (q.groupBy === ('none' as string) || !groupCol) throw new RangeError(`Unknown groupBy "${q.groupBy}".`);
  const f = filterSql(q);
  const merged = new Map<string, UsageTotals & { costN: number }>();
  for (const seg of usageSegments(ctx, q.from, q.to)) {
    const rows = ctx.stmt(totalsSql(seg, groupCol, f.sql)).all({ ...f.params, from: seg.from, to: seg.to }) as unknown as Row[];
    for (const r of rows) {
      const k = `${r.g}\u0000${r.c}`;
      let t = merged.get(k);
      if (!t) {
        t = { group: r.g, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costMicros: null, costN: 0 };
        if (r.c) t.currency = r.c;
        merged.set(k, t);
      }
      t.requests += r.r;
      t.inputTokens += r.i;
      t.outputTokens += r.o;
      t.cachedTokens += r.ca;
      t.reasoningTokens += r.re;
      t.costN += r.cn;
      if (r.cn > 0) t.costMicros = (t.costMicros ?? 0) + (r.cost ?? 0);
    }
  }
  const out = [...merged.values()].map(({ costN: _n, ...t }) => t);
  const tokens = (t: UsageTotals) => t.inputTokens + t.outputTokens;
  return out.sort(
    (a, b) =>
      (b.costMicros ?? -Infinity) - (a.costMicros ?? -Infinity) ||
      tokens(b) - tokens(a) ||
      (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) ||
      (a.currency ?? '').localeCompare(b.currency ?? ''),
  );
}
