// How a Snapshot maps onto table rows and back.
//
// Since schema v3 a snapshot row keeps each figure once: account, provider (as a small integer into
// snapshot_providers), time, ok, the main balance and the spend windows in their columns, and in `data` only what is
// left (as JSON), leaving out fields that hold their usual value (no error, balances = [balance], no quota, not
// estimated, no notes). A typical poll stores `data = '{}'`. Rows written before v3 (provider_id IS NULL) keep the
// whole snapshot in `data` and are read as they are.
import type { Snapshot, SpendWindows, UsageBucket } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';

export const INSERT_SNAPSHOT = `
  INSERT INTO snapshots (account_id, provider_id, time, ok, error_kind, error_message, balance_micros, balance_currency,
    spent_today_micros, spent_today_currency, spent_week_micros, spent_week_currency,
    spent_month_micros, spent_month_currency, spent_total_micros, spent_total_currency, data)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The columns rowToSnapshot reads, in its order. */
export const SNAPSHOT_COLUMNS = `account_id, (SELECT name FROM snapshot_providers p WHERE p.id = provider_id), time, ok, balance_micros, balance_currency, spent_today_micros,
  spent_today_currency, spent_week_micros, spent_week_currency, spent_month_micros, spent_month_currency,
  spent_total_micros, spent_total_currency, data`;

export type SnapshotRow = [
  string, string | null, number, number, number | null, string | null,
  number | null, string | null, number | null, string | null, number | null, string | null, number | null, string | null,
  string,
];

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

const WINDOWS = ['today', 'week', 'month', 'total'] as const;

/** Exactly { micros, currency } with a number and a string: what two columns give back unchanged. */
function plainMoney(m: unknown): m is Money {
  if (typeof m !== 'object' || m === null) return false;
  let n = 0;
  for (const k in m) {
    if (k !== 'micros' && k !== 'currency') return false;
    n++;
  }
  const { micros, currency } = m as Money;
  return n === 2 && Number.isFinite(micros) && typeof currency === 'string';
}

/** Whether the spend windows are exactly what the spent_* columns hold. */
function spentInColumns(spent: SpendWindows): boolean {
  for (const k in spent) {
    const m = (spent as Record<string, unknown>)[k];
    if (m === undefined) continue;
    if (!(WINDOWS as readonly string[]).includes(k) || !plainMoney(m)) return false;
  }
  return true;
}

function balancesAreDefault(s: Snapshot): boolean {
  const list = s.balances;
  if (!s.balance) return list.length === 0;
  if (list.length !== 1) return false;
  const only = list[0];
  return plainMoney(only) && only.micros === s.balance.micros && only.currency === s.balance.currency;
}

/** What `data` holds for s: the fields the columns do not, without those at their usual value. */
function extraJson(s: Snapshot): string {
  let out = '';
  const add = (k: string, v: unknown) => {
    if (v === undefined) return;
    out += `${out ? ',' : ''}${JSON.stringify(k)}:${JSON.stringify(v)}`;
  };
  const balanceInColumns = s.balance === null || plainMoney(s.balance);
  for (const k in s) {
    const v = (s as unknown as Record<string, unknown>)[k];
    switch (k) {
      case 'provider':
        if (typeof v !== 'string') add(k, v);
        break;
      case 'accountId':
      case 'time':
      case 'ok':
      case 'usage':
        break;
      case 'balance':
        if (!balanceInColumns) add(k, v);
        break;
      case 'balances':
        if (!balanceInColumns || !balancesAreDefault(s)) add(k, v);
        break;
      case 'spent':
        if (!spentInColumns(s.spent)) add(k, v);
        break;
      case 'error':
      case 'quota':
        if (v !== null) add(k, v);
        break;
      case 'estimated':
        if (v !== false) add(k, v);
        break;
      case 'notes':
        if (!Array.isArray(v) || v.length > 0) add(k, v);
        break;
      default:
        add(k, v);
    }
  }
  return `{${out}}`;
}

/** The row's parameters; `providerId` is the snapshot_providers id of s.provider (of '' when it is not a text). */
export function snapshotParams(s: Snapshot, providerId: number): Param[] {
  const { today, week, month, total } = s.spent;
  const balance = s.balance;
  return [
    s.accountId,
    providerId,
    s.time,
    s.ok ? 1 : 0,
    s.error?.kind ?? null,
    s.error?.message ?? null,
    balance ? balance.micros : null,
    balance ? balance.currency : null,
    today?.micros ?? null,
    today?.currency ?? null,
    week?.micros ?? null,
    week?.currency ?? null,
    month?.micros ?? null,
    month?.currency ?? null,
    total?.micros ?? null,
    total?.currency ?? null,
    extraJson(s),
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

function money(micros: number | null, currency: string | null): Money | null {
  return micros === null || currency === null ? null : { micros, currency };
}

/** A stored snapshot as it was saved, except `usage`, which is [] (query series/totals for usage). */
export function rowToSnapshot(row: SnapshotRow): Snapshot {
  const [accountId, provider, time, ok, bm, bc, tm, tc, wm, wc, mm, mc, am, ac, data] = row;
  if (provider === null) {
    // Written before v3: the whole snapshot is in data.
    const s = JSON.parse(data) as Omit<Snapshot, 'usage'>;
    return { ...s, usage: [] };
  }
  const balance = money(bm, bc);
  const spent: SpendWindows = {};
  const today = money(tm, tc);
  if (today) spent.today = today;
  const week = money(wm, wc);
  if (week) spent.week = week;
  const month = money(mm, mc);
  if (month) spent.month = month;
  const total = money(am, ac);
  if (total) spent.total = total;
  const s: Snapshot = {
    accountId,
    provider: provider as Snapshot['provider'],
    time,
    ok: ok === 1,
    error: null,
    balance,
    balances: balance ? [{ micros: balance.micros, currency: balance.currency }] : [],
    spent,
    quota: null,
    usage: [],
    estimated: false,
    notes: [],
  };
  return data === '{}' ? s : { ...s, ...(JSON.parse(data) as Partial<Snapshot>) };
}
