// How a Snapshot maps onto table rows and back.
import type { Snapshot, UsageBucket } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';

export const INSERT_SNAPSHOT = `
  INSERT INTO snapshots (account_id, time, ok, error_kind, error_message, balance_micros, balance_currency,
    spent_today_micros, spent_today_currency, spent_week_micros, spent_week_currency,
    spent_month_micros, spent_month_currency, spent_total_micros, spent_total_currency, data)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

// A revision that changes nothing is skipped, so re-polling a provider's unchanged history writes nothing.
export const UPSERT_USAGE = `
  INSERT INTO usage_buckets (start, account_id, width, model, key, currency, requests, input_tokens,
    output_tokens, cached_tokens, reasoning_tokens, cost_micros)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (start, account_id, width, model, key) DO UPDATE SET
    currency = excluded.currency, requests = excluded.requests, input_tokens = excluded.input_tokens,
    output_tokens = excluded.output_tokens, cached_tokens = excluded.cached_tokens,
    reasoning_tokens = excluded.reasoning_tokens, cost_micros = excluded.cost_micros
  WHERE currency IS NOT excluded.currency OR requests IS NOT excluded.requests
    OR input_tokens IS NOT excluded.input_tokens OR output_tokens IS NOT excluded.output_tokens
    OR cached_tokens IS NOT excluded.cached_tokens OR reasoning_tokens IS NOT excluded.reasoning_tokens
    OR cost_micros IS NOT excluded.cost_micros`;

type Param = string | number | null;

function micros(m: Money | null | undefined): number | null {
  return m ? m.micros : null;
}

function currency(m: Money | null | undefined): string | null {
  return m ? m.currency : null;
}

export function snapshotParams(s: Snapshot): Param[] {
  // Usage lives once, in usage_buckets, where later polls revise it; the JSON keeps everything else verbatim.
  const { usage: _usage, ...rest } = s;
  const { today, week, month, total } = s.spent;
  return [
    s.accountId,
    s.time,
    s.ok ? 1 : 0,
    s.error?.kind ?? null,
    s.error?.message ?? null,
    micros(s.balance),
    currency(s.balance),
    micros(today),
    currency(today),
    micros(week),
    currency(week),
    micros(month),
    currency(month),
    micros(total),
    currency(total),
    JSON.stringify(rest),
  ];
}

export function usageParams(accountId: string, b: UsageBucket): Param[] {
  return [
    b.start,
    accountId,
    b.width,
    b.model,
    b.key,
    b.cost?.currency ?? '',
    b.requests,
    b.inputTokens,
    b.outputTokens,
    b.cachedTokens,
    b.reasoningTokens,
    b.cost ? b.cost.micros : null,
  ];
}

/** The balances a snapshot contributes to the balance series: every reported one, else the main one. */
export function balancesOf(s: Snapshot): Money[] {
  if (s.balances.length > 0) return s.balances;
  return s.balance ? [s.balance] : [];
}

/** A stored snapshot as it was saved, except `usage`, which is [] (query series/totals for usage). */
export function rowToSnapshot(row: { data: string }): Snapshot {
  const s = JSON.parse(row.data) as Omit<Snapshot, 'usage'>;
  return { ...s, usage: [] };
}
