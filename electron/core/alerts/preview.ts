// "Would have fired 3 times in the last 30 days": replays stored history through the same arithmetic and state
// machine as the live engine, in memory, touching no alert state.
import type { Money } from '../../../shared/money.ts';
import type { AlertRule } from '../../../shared/alerts.ts';
import type { Snapshot } from '../../../shared/domain.ts';
import { DAY, HOUR } from './calendar.ts';
import type { AccountView, EvalContext } from './check.ts';
import { cachedHistory, type AlertHistory } from './history.ts';
import { step, type CheckState } from './machine.ts';
import { measure } from './measure.ts';
import { isRateLimitRule, previewRateLimitRule, type MeterHistory } from './preview-ratelimit.ts';

export interface PreviewOptions {
  days?: number;
  now: number;
  timeZone: string;
  /** Every account id, for "*" and currency-wide rules. */
  accountIds: string[];
  label?: (accountId: string) => string;
  budgets?: Money[];
  /** The metering proxy's recorded rows, for the rate-limit rules (absent: nothing to replay, and the preview says so). */
  meter?: MeterHistory;
}

export interface PreviewResult {
  fires: number;
  /** When each alert would have fired, oldest first. */
  times: number[];
  from: number;
  to: number;
  /** Set when there was nothing to replay (no proxied requests for a rate-limit rule): why, in words. */
  note: string | null;
}

/** Rules on usage totals (and the runway, whose burn rate is costly) are replayed hour by hour; the others at every stored snapshot. */
const HOURLY = new Set<AlertRule['type']>(['spend-above', 'token-budget', 'spike', 'runway-below']);
/** Usage steps look at the hour that just ended: stored buckets hold final figures the live engine saw grow. */
const USAGE = new Set<AlertRule['type']>(['spend-above', 'token-budget', 'spike']);
/** Baselines reach four weeks back and burn rates one; the cache covers both. */
const LOOKBACK_MS = 36 * DAY;

export function previewRule(rule: AlertRule, history: AlertHistory, opts: PreviewOptions): PreviewResult {
  const to = opts.now;
  const from = to - (opts.days ?? 30) * DAY;
  const cached = cachedHistory(history, from - LOOKBACK_MS, to + 1);
  const ids = rule.account !== undefined && rule.account !== '*' ? [rule.account] : opts.accountIds;
  if (isRateLimitRule(rule)) {
    const r = previewRateLimitRule(rule, { from, to, days: opts.days ?? 30, ids, history, timeZone: opts.timeZone, label: opts.label ?? ((id) => id), meter: opts.meter });
    return { ...r, from, to };
  }
  const snaps = new Map<string, Snapshot[]>(ids.map((id) => [id, cached.snapshots(id, from - LOOKBACK_MS, to + 1)]));

  const steps = new Set<number>();
  if (HOURLY.has(rule.type)) {
    for (let t = Math.ceil(from / HOUR) * HOUR; t <= to; t += HOUR) steps.add(t);
  } else {
    for (const list of snaps.values()) for (const s of list) if (s.time >= from && s.time <= to) steps.add(s.time);
  }

  const cursor = new Map<string, { i: number; latest: Snapshot | null; lastSuccess: Snapshot | null }>(ids.map((id) => [id, { i: 0, latest: null, lastSuccess: null }]));
  const states = new Map<string, CheckState>();
  const times: number[] = [];
  for (const t of [...steps].sort((a, b) => a - b)) {
    const at = USAGE.has(rule.type) ? t - 1 : t;
    const accounts: AccountView[] = ids.map((id) => {
      const list = snaps.get(id) ?? [];
      const c = cursor.get(id) as { i: number; latest: Snapshot | null; lastSuccess: Snapshot | null };
      for (; c.i < list.length && (list[c.i] as Snapshot).time <= at; c.i++) {
        const s = list[c.i] as Snapshot;
        c.latest = s;
        if (s.ok) c.lastSuccess = s;
      }
      return { accountId: id, latest: c.latest, lastSuccess: c.lastSuccess, stale: false };
    });
    const ctx: EvalContext = { now: at, timeZone: opts.timeZone, accounts, history: cached, label: opts.label ?? ((id) => id), budgets: opts.budgets ?? [] };
    const fired = new Set<string>();
    for (const check of measure(rule, ctx)) {
      const { next, transition } = step(states.get(check.key), check);
      states.set(check.key, next);
      if (transition === 'fire') fired.add(check.group ?? check.key);
    }
    for (let n = 0; n < fired.size; n++) times.push(t);
  }
  return { fires: times.length, times, from, to, note: null };
}
