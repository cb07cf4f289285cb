// Some providers report only a balance or a lifetime spend (One-API/New-API gateways, DeepSeek, OpenRouter
// without a management key). To still answer "where did the money go, and when", the core turns successive
// snapshots into hourly spend: the rise of the lifetime spend, or else the drops of the balance (a rise of the
// balance is a top-up, never negative spend). The bucket is labelled so no one mistakes it for provider data.
import { BUCKET_MS, type Account, type Snapshot, type UsageBucket } from '../../shared/domain.ts';
import { bucketStart, type SnapshotStore } from './store/index.ts';
import type { Money } from '../../shared/money.ts';
import { getDescriptor } from './providers/registry.ts';

export const DERIVED_MODEL = '(all models, estimated from balance changes)';
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

/**
 * For a provider without a usage breakdown: puts the hour's derived spend on the snapshot and, when the provider
 * reports no spend windows either, today / this week / this month in the user's zone (marked estimated).
 */
export function addDerivedSpend(snapshot: Snapshot, account: Account, store: SnapshotStore, zone: string): void {
  // Admin-API figures are exact: an estimate on top of them (or in place of an empty day) would count spend twice.
  if (getDescriptor(account.provider)?.exactSpend) return;
  // Enough history to find the last snapshot before this hour, even at a long poll interval.
  const lookback = BUCKET_MS.hour + 2 * account.pollIntervalSec * 1000;
  const derived = deriveHourlySpend(snapshot, store.snapshots(account.id, snapshot.time - lookback, snapshot.time, { okOnly: true }));
  if (!derived) return;
  snapshot.usage = [derived];
  snapshot.notes = [...snapshot.notes, DERIVED_NOTE];
  if (snapshot.spent.today || snapshot.spent.month) return;
  const t = snapshot.time;
  const starts = { today: bucketStart(zone, 'day', t), week: bucketStart(zone, 'week', t), month: bucketStart(zone, 'month', t) };
  const storedCost = (from: number, to: number) =>
    store.totals({ groupBy: 'account', from, to, accountIds: [account.id], models: [DERIVED_MODEL] }).find((r) => r.currency === derived.cost?.currency)?.costMicros ?? 0;
  const windows = deriveSpendWindows(derived, starts, storedCost);
  if (!windows) return;
  snapshot.spent = { ...snapshot.spent, ...windows };
  snapshot.estimated = true;
  snapshot.notes.push(DERIVED_WINDOWS_NOTE);
}
