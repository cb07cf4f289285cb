// CSV and JSON of exactly what the Usage view shows: one row per time bucket and group (model or key), with
// every token count and the cost per currency in its own column so currencies are never added together.
import type { SeriesMetric, SeriesResult, UsageTotals } from '../../shared/domain.ts';
import type { TimeRange } from './period.ts';
import { isoDate } from './format.ts';

export const EXPORT_METRICS = ['requests', 'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens', 'cost'] as const;
export type ExportMetric = (typeof EXPORT_METRICS)[number];

export interface UsageRow {
  start: number;
  group: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** Micro-units by currency. */
  cost: Record<string, number>;
}

const COUNT_METRICS = ['requests', 'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens'] as const;

/** Joins one series result per metric (same filter, bucket and grouping) into rows sorted by time, then group. */
export function buildUsageRows(results: Partial<Record<SeriesMetric, SeriesResult>>): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  const rowFor = (start: number, group: string): UsageRow => {
    const id = `${start}\u0000${group}`;
    let row = rows.get(id);
    if (!row) {
      row = { start, group, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: {} };
      rows.set(id, row);
    }
    return row;
  };
  for (const metric of COUNT_METRICS) {
    for (const s of results[metric]?.series ?? []) {
      for (const p of s.points) rowFor(p.t, s.group)[metric] += p.v;
    }
  }
  for (const s of results.cost?.series ?? []) {
    const currency = s.currency ?? 'UNKNOWN';
    for (const p of s.points) {
      const row = rowFor(p.t, s.group);
      row.cost[currency] = (row.cost[currency] ?? 0) + p.v;
    }
  }
  return [...rows.values()]
    .filter((r) => r.requests || r.inputTokens || r.outputTokens || r.cachedTokens || r.reasoningTokens || Object.keys(r.cost).length)
    .sort((a, b) => a.start - b.start || a.group.localeCompare(b.group));
}

export function rowCurrencies(rows: readonly UsageRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const c of Object.keys(r.cost)) seen.add(c);
  return [...seen].sort();
}

/** Micro-units as an exact decimal string: accounting should not see float noise like 0.30000000000000004. */
export function microsToDecimal(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(Math.round(micros));
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`;
}

function csvText(value: string): string {
  // A leading = + - @ makes spreadsheets run the cell as a formula; model names come from providers.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function usageCsv(rows: readonly UsageRow[], groupBy: 'model' | 'key'): string {
  const currencies = rowCurrencies(rows);
  const header = ['start', groupBy, 'requests', 'input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens', 'total_tokens', ...currencies.map((c) => `cost_${c}`)];
  const lines = [header.join(',')];
  for (const r of rows) {
    lines.push(
      [
        new Date(r.start).toISOString(),
        csvText(r.group),
        r.requests,
        r.inputTokens,
        r.outputTokens,
        r.cachedTokens,
        r.reasoningTokens,
        r.inputTokens + r.outputTokens,
        ...currencies.map((c) => (r.cost[c] === undefined ? '' : microsToDecimal(r.cost[c]))),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface UsageExport {
  range: { from: string; to: string };
  filter: { accountId: string | null; model: string | null; key: string | null };
  bucket: string;
  groupBy: 'model' | 'key';
  rows: (Omit<UsageRow, 'start' | 'cost'> & { start: string; totalTokens: number; cost: Record<string, string> })[];
  breakdown: UsageTotals[];
}

export function usageJson(args: Omit<UsageExport, 'rows' | 'range'> & { range: TimeRange; rows: readonly UsageRow[] }): string {
  const out: UsageExport = {
    range: { from: new Date(args.range.from).toISOString(), to: new Date(args.range.to).toISOString() },
    filter: args.filter,
    bucket: args.bucket,
    groupBy: args.groupBy,
    rows: args.rows.map((r) => ({
      ...r,
      start: new Date(r.start).toISOString(),
      totalTokens: r.inputTokens + r.outputTokens,
      cost: Object.fromEntries(Object.entries(r.cost).map(([c, m]) => [c, microsToDecimal(m)])),
    })),
    breakdown: args.breakdown,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** "spendbar-usage-2025-03-01_2025-03-07.csv": the range in the name so exports of different weeks do not collide. */
export function exportFileName(range: TimeRange, ext: 'csv' | 'json'): string {
  // `to` is exclusive; name the last day it covers.
  return `spendbar-usage-${isoDate(range.from)}_${isoDate(Math.max(range.from, range.to - 1))}.${ext}`;
}

/** Client-side download: the data is already in the page, so no server round trip or temp file. */
export function downloadText(text: string, mime: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
