// Some providers report only a balance or a lifetime spend (One-API/New-API gateways, DeepSeek, OpenRouter
// without a management key). To still answer "where did the money go, and when", the core turns successive
// snapshots into hourly spend: the rise of the lifetime spend, or else the drops of the balance (a rise of the
// balance is a top-up, never negative spend). The bucket is labelled so no one mistakes it for provider data.
import { BUCKET_MS, DERIVED_MODEL, TODAY_MODEL, type Account, type Snapshot, type UsageBucket } from '../../shared/domain.ts';
import { bucketStart, type SnapshotStore } from './store/index.ts';
import type { Money } from '../../shared/money.ts';
import { getDescriptor } from './providers/registry.ts';

export { DERIVED_MODEL, TODAY_MODEL };
export const DERIVED_NOTE = 'Hourly spend is estimated from changes in the balance or total spend: this provider reports no usage breakdown.';

/** The figure whose changes measure spend, and whether spend makes it go up (lifetime spend) or down (balance). */
function meter(s: Snapshot): { money: Money; rises: boolean } | null {
  if (s.spent.total) return { money: s.spent.total, rises: true };
  if (s.balance) return { money: s.balance, rises: false };
  return null;
}

/**
 * The hour bucket containing `current`, from the last good snapshot before that hour plus every good one in it.
 * Re-deriving after each poll in the same hour yields the whole hour's spend, so the store's upsert replaces
 * the bucket with a larger figure instead of adding to it.
 */
export function deriveHourlySpend(current: Snapshot, earlier: Snapshot[]): UsageBucket | null {
  if (!current.ok || current.usage.length > 0) return null;
  const now = meter(current);
  if (!now) return null;
  const start = Math.floor(current.time / BUCKET_MS.hour) * BUCKET_MS.hour;
  const sorted = earlier.filter((s) => s.ok && s.time < current.time).sort((a, b) => a.time - b.time);
  const before = sorted.filter((s) => s.time < start).at(-1);
  if (!before) return null;
  const chain = [before, ...sorted.filter((s) => s.time >= start), current];
  let micros = 0;
  for (let i = 1; i < chain.length; i++) {
    const a = meter(chain[i - 1]!);
    const b = meter(chain[i]!);
    if (!a || !b || a.money.currency !== b.money.currency || a.rises !== b.rises) continue;
    const delta = b.rises ? b.money.micros - a.money.micros : a.money.micros - b.money.micros;
    if (delta > 0) micros += delta;
  }
  return {
    start,
    width: 'hour',
    model: DERIVED_MODEL,
    key: '',
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    cost: { micros, currency: now.money.currency },
  };
}

export const DERIVED_WINDOWS_NOTE = 'Today, this week and this month are summed from that estimated hourly spend, since Spendbar began watching this account.';

/**
 * Spend windows for a provider that reports none, from the derived hourly spend: what is stored before the current
 * hour plus the hour just derived. `storedCost(from, to)` sums stored cost micros of the currency in [from, to).
 */
export function deriveSpendWindows(
  derived: UsageBucket,
  starts: { today: number; week: number; month: number },
  storedCost: (from: number, to: number) => number,
): { today: Money; week: Money; month: Money } | null {
  if (!derived.cost) return null;
  const currency = derived.cost.currency;
  const sum = (from: number): Money => ({ micros: (from < derived.start ? storedCost(from, derived.start) : 0) + derived.cost!.micros, currency });
  return { today: sum(starts.today), week: sum(starts.week), month: sum(starts.month) };
}

/** While a provider reported its own usage this recently, its next read covers any spend since: nothing is derived. */
export const PROVIDER_USAGE_LOOKBACK_MS = 7 * BUCKET_MS.day;

export const USAGE_WINDOWS_NOTE = "Today, this week and this month are summed from the provider's own usage as Spendbar has read it.";

/**
 * Spend for the snapshot's account that the provider's figures do not give directly:
 * - a provider without a usage breakdown: the hour's spend from balance changes and, when it reports no windows,
 *   today / this week / this month in the user's zone (marked estimated);
 * - a provider whose usage carries cost but no windows (a gateway's request log): the windows summed from that
 *   usage, and estimates from balance changes that its usage now covers are zeroed, so nothing counts twice.
 */
export function addDerivedSpend(snapshot: Snapshot, account: Account, store: SnapshotStore, zone: string): void {
  // Admin-API figures are exact: an estimate on top of them (or in place of an empty day) would count spend twice.
  if (getDescriptor(account.provider)?.exactSpend) return;
  if (!snapshot.ok) return;
  const t = snapshot.time;
  if (snapshot.usage.length > 0) {
    supersedeDerived(snapshot, store);
    addUsageWindows(snapshot, store, zone);
    return;
  }
  // The provider reports usage for this account but not in this poll (a rate limit, a spaced read): its next read
  // covers this hour, so an estimate from the balance now would be counted twice.
  if (store.hasUsageSince(account.id, t - PROVIDER_USAGE_LOOKBACK_MS, DERIVED_MODEL)) {
    addUsageWindows(snapshot, store, zone);
    return;
  }
  // Enough history to find the last snapshot before this hour, even at a long poll interval.
  const lookback = BUCKET_MS.hour + 2 * account.pollIntervalSec * 1000;
  const derived = deriveHourlySpend(snapshot, store.snapshots(account.id, snapshot.time - lookback, snapshot.time, { okOnly: true }));
  if (!derived) return;
  snapshot.usage = [derived];
  snapshot.notes = [...snapshot.notes, DERIVED_NOTE];
  if (snapshot.spent.today || snapshot.spent.month) return;
  const starts = windowStarts(zone, t);
  const storedCost = (from: number, to: number) =>
    store.totals({ groupBy: 'account', from, to, accountIds: [account.id], models: [DERIVED_MODEL] }).find((r) => r.currency === derived.cost?.currency)?.costMicros ?? 0;
  const windows = deriveSpendWindows(derived, starts, storedCost);
  if (!windows) return;
  snapshot.spent = { ...snapshot.spent, ...windows };
  snapshot.estimated = true;
  snapshot.notes.push(DERIVED_WINDOWS_NOTE);
}

function windowStarts(zone: string, t: number): { today: number; week: number; month: number } {
  return { today: bucketStart(zone, 'day', t), week: bucketStart(zone, 'week', t), month: bucketStart(zone, 'month', t) };
}

/** Where the snapshot's usage begins: from there on it is the whole story (the adapter leaves out hours it saw only in part). */
function coveredFrom(snapshot: Snapshot): number {
  return Math.floor(Math.min(...snapshot.usage.map((b) => b.start)) / BUCKET_MS.hour) * BUCKET_MS.hour;
}

/** Zeroes stored balance-change estimates in the hours the provider's own usage now covers. */
function supersedeDerived(snapshot: Snapshot, store: SnapshotStore): void {
  if (snapshot.usage.some((b) => b.model === DERIVED_MODEL)) return;
  const from = coveredFrom(snapshot);
  for (const { start, currency } of store.bucketStarts(snapshot.accountId, DERIVED_MODEL, from, snapshot.time + BUCKET_MS.hour)) {
    const cost = currency ? { micros: 0, currency } : null;
    snapshot.usage.push({ start, width: 'hour', model: DERIVED_MODEL, key: '', requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost });
  }
}

/**
 * Today / this week / this month for a provider whose usage has cost but that reports no windows: what is stored
 * before this snapshot's usage begins, plus this snapshot's usage (which replaces what is stored from there on).
 */
function addUsageWindows(snapshot: Snapshot, store: SnapshotStore, zone: string): void {
  if (snapshot.spent.today || snapshot.spent.week || snapshot.spent.month) return;
  const priced = snapshot.usage.filter((b) => b.cost && b.model !== DERIVED_MODEL);
  const currency = priced[0]?.cost?.currency ?? snapshot.spent.total?.currency ?? snapshot.balance?.currency;
  if (!currency) return;
  const t = snapshot.time;
  const until = priced.length > 0 ? coveredFrom(snapshot) : t + BUCKET_MS.hour;
  const stored = (from: number, to: number) =>
    from >= to ? 0 : (store.totals({ groupBy: 'account', from, to, accountIds: [snapshot.accountId] }).find((r) => r.currency === currency)?.costMicros ?? 0);
  const starts = windowStarts(zone, t);
  const sum = (from: number): Money => {
    let micros = stored(from, until);
    for (const b of priced) if (b.start >= from && b.cost?.currency === currency) micros += b.cost.micros;
    return { micros, currency };
  };
  snapshot.spent = { ...snapshot.spent, today: sum(starts.today), week: sum(starts.week), month: sum(starts.month) };
  const first = Math.min(store.firstSnapshotTime(snapshot.accountId) ?? t, ...snapshot.usage.map((b) => b.start));
  if (first > starts.month) {
    snapshot.estimated = true;
    snapshot.notes = [...snapshot.notes, `${USAGE_WINDOWS_NOTE} That usage begins ${new Date(first).toISOString().slice(0, 16).replace('T', ' ')} UTC, so earlier spend this month is missing.`];
  } else {
    snapshot.notes = [...snapshot.notes, USAGE_WINDOWS_NOTE];
  }
}

export const TODAY_NOTE = "Today's spend is shown as one bucket (all models) until the provider reports the day per model.";

/**
 * A provider that reports usage per completed UTC day and spend today (OpenRouter's activity and key counters) would
 * leave today out of every chart: today's spend goes in as one day bucket of its own, replaced on each poll, and
 * zeroed once the provider reports that day per model (so the day is never counted twice).
 */
/** Day starts (UTC) with a non-zero today-so-far bucket of the account in [from, to), per currency. */
export type TodayBuckets = (accountId: string, from: number, to: number) => Map<number, string>;

export function storedTodayBuckets(store: SnapshotStore): TodayBuckets {
  return (accountId, from, to) => {
    const out = new Map<number, string>();
    const r = store.series({ metric: 'cost', bucket: 'day', groupBy: 'none', from, to, accountIds: [accountId], models: [TODAY_MODEL], timeZone: 'UTC' });
    for (const s of r.series) for (const p of s.points) if (p.v !== 0) out.set(p.t, s.currency ?? '');
    return out;
  };
}

export function addTodaySoFar(snapshot: Snapshot, store: SnapshotStore, known: TodayBuckets = storedTodayBuckets(store)): void {
  const today = snapshot.spent.today;
  if (!snapshot.ok || !today || snapshot.usage.length === 0) return;
  if (snapshot.usage.some((u) => u.width !== 'day' || u.model === DERIVED_MODEL || u.model === TODAY_MODEL)) return;
  const dayStart = Math.floor(snapshot.time / BUCKET_MS.day) * BUCKET_MS.day;
  const reported = new Set(snapshot.usage.map((u) => u.start));
  if (reported.has(dayStart)) return;
  const blank = { width: 'day' as const, model: TODAY_MODEL, key: '', requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 };
  for (const [start, currency] of known(snapshot.accountId, Math.min(...reported), dayStart)) {
    if (reported.has(start)) snapshot.usage.push({ ...blank, start, cost: { micros: 0, currency: currency || today.currency } });
  }
  snapshot.usage.push({ ...blank, start: dayStart, cost: today });
  snapshot.notes = [...snapshot.notes, TODAY_NOTE];
}

/**
 * The import's counterpart of addDerivedSpend and addTodaySoFar (the demo's polled history): the snapshots of one
 * account, oldest first, derived from each other in memory instead of from the store, so a month of them is stored in
 * one transaction. Past snapshots get their hourly spend, not today / week / month windows.
 */
/** How far back before a batch deriveHistory looks for the snapshots it continues (history is at most 2-hourly). */
const HISTORY_SEED_MS = 6 * BUCKET_MS.hour;

export function deriveHistory(snapshots: readonly Snapshot[], account: Account, store: SnapshotStore): void {
  const exact = getDescriptor(account.provider)?.exactSpend === true;
  const todays = new Map<number, string>();
  const known: TodayBuckets = (id, from, to) => {
    const out = storedTodayBuckets(store)(id, from, to);
    for (const [t, c] of todays) if (t >= from && t < to) out.set(t, c);
    return out;
  };
  // Snapshots come in batches (a day of demo history at a time): the last ones stored before this batch continue it.
  const start = snapshots[0]?.time;
  const earlier: Snapshot[] = start === undefined || exact ? [] : store.snapshots(account.id, start - HISTORY_SEED_MS, start, { okOnly: true }).slice(-4);
  for (const s of snapshots) {
    if (!exact) {
      const derived = deriveHourlySpend(s, earlier.slice(-4));
      if (derived) {
        s.usage = [derived];
        s.notes = [...s.notes, DERIVED_NOTE];
      }
    }
    addTodaySoFar(s, store, known);
    for (const u of s.usage) {
      if (u.model !== TODAY_MODEL || !u.cost) continue;
      if (u.cost.micros) todays.set(u.start, u.cost.currency);
      else todays.delete(u.start);
    }
    if (s.ok) earlier.push(s);
  }
}
