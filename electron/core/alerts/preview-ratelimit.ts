// The preview of the rate-limit rules ("would have fired 3 times in the last 30 days"), replayed from the metering
// proxy's recorded request rows: each 429 answer, and the rate-limit figures each request carried, with the same
// arithmetic (rules-ratelimit.ts) and state machine as the live engine. Where no request went through the proxy in
// the period (or none carried rate-limit figures) the preview says so rather than answer "would not have fired".
import type { AlertRule } from '../../../shared/alerts.ts';
import type { Headroom, RateLimit } from '../../../shared/metering.ts';
import type { AccountView, EvalContext, MeterView } from './check.ts';
import type { AlertHistory } from './history.ts';
import { step, type CheckState } from './machine.ts';
import { measure } from './measure.ts';
import { lowestPercent } from '../proxy/ratelimit.ts';
import { lastAtOrBefore } from '../sorted.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** What the preview reads of the metering proxy's recorded rows (proxy/queries.ts). Oldest first, bounded. */
export interface MeterHistory {
  /** Requests recorded for these accounts in [from, to]. */
  requestCount(accountIds: readonly string[], from: number, to: number): number;
  /** Times of 429 answers per account in [from, to]. */
  rateLimitedTimes(accountIds: readonly string[], from: number, to: number): { time: number; accountId: string }[];
  /** Rate-limit figures per account and key as requests reported them in [from, to] (the latest per minute). */
  rateLimitFigures(accountIds: readonly string[], from: number, to: number): { time: number; accountId: string; key: string; keyId: string; rateLimit: RateLimit }[];
}

export type RateLimitRule = Extract<AlertRule, { type: 'rate-limited' | 'ratelimit-headroom' }>;

export function isRateLimitRule(rule: AlertRule): rule is RateLimitRule {
  return rule.type === 'rate-limited' || rule.type === 'ratelimit-headroom';
}

export interface RateLimitPreview {
  fires: number;
  times: number[];
  /** Set when nothing was recorded to replay: says why (fires is then 0 and means nothing). */
  note: string | null;
}

export function previewRateLimitRule(
  rule: RateLimitRule,
  opts: { from: number; to: number; days: number; ids: string[]; history: AlertHistory; timeZone: string; label: (id: string) => string; meter: MeterHistory | undefined },
): RateLimitPreview {
  const { from, to, ids } = opts;
  const period = opts.days === 1 ? 'the last day' : `the last ${opts.days} days`;
  if (!opts.meter || ids.length === 0 || opts.meter.requestCount(ids, from, to) === 0) {
    return { fires: 0, times: [], note: `No requests went through the metering proxy in ${period}, so there is nothing to replay yet: this rule is measured on proxied requests only.` };
  }
  // Counts reach back one window (rate-limited) or a day (the 429 totals headroom rows carry) before the period.
  const back = rule.type === 'rate-limited' ? rule.minutes * MINUTE : 24 * HOUR;
  const limited = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (const r of opts.meter.rateLimitedTimes(ids, from - back, to)) limited.get(r.accountId)?.push(r.time);
  const figures = rule.type === 'ratelimit-headroom' ? opts.meter.rateLimitFigures(ids, from - back, to) : [];
  if (rule.type === 'ratelimit-headroom' && !figures.some((f) => f.time >= from)) {
    return { fires: 0, times: [], note: `No proxied request in ${period} carried rate-limit headers, so there is no headroom to replay: this provider may not send them.` };
  }

  const steps = new Set<number>();
  if (rule.type === 'rate-limited') {
    for (const list of limited.values()) {
      for (const t of list) {
        if (t >= from) steps.add(t);
        // When the window has passed that 429, the count drops: the rule may re-arm there.
        if (t + back + 1 >= from && t + back + 1 <= to) steps.add(t + back + 1);
      }
    }
  } else {
    for (const f of figures) {
      if (f.time >= from) steps.add(f.time);
      // A window refills at its reset: the headroom comes back (and the rule re-arms) then.
      for (const w of Object.values(f.rateLimit)) {
        const reset = typeof w === 'object' && w !== null ? w.resetAt : null;
        if (reset !== null && reset + 1 >= from && reset + 1 <= to) steps.add(reset + 1);
      }
    }
  }

  const count = (accountId: string, since: number, at: number) => {
    const list = limited.get(accountId) ?? [];
    return lastAtOrBefore(list, at) - lastAtOrBefore(list, since - 1);
  };
  const accounts: AccountView[] = ids.map((id) => ({ accountId: id, latest: null, lastSuccess: null, stale: false }));
  const states = new Map<string, CheckState>();
  const times: number[] = [];
  let cursor = 0;
  const latest = new Map<string, Headroom>();
  for (const t of [...steps].sort((a, b) => a - b)) {
    for (; cursor < figures.length && (figures[cursor] as { time: number }).time <= t; cursor++) {
      const f = figures[cursor] as (typeof figures)[number];
      latest.set(`${f.accountId}\u0000${f.keyId}\u0000${f.key}`, { accountId: f.accountId, key: f.key, keyId: f.keyId, time: f.time, rateLimit: f.rateLimit, lowestPercent: lowestPercent(f.rateLimit), rateLimited1h: 0, rateLimited24h: 0 });
    }
    const meter: MeterView = {
      headroom: (accountId) =>
        [...latest.values()]
          .filter((h) => h.accountId === accountId)
          .map((h) => ({ ...h, rateLimited1h: count(accountId, t - HOUR, t), rateLimited24h: count(accountId, t - 24 * HOUR, t) })),
      rateLimitedSince: (accountId, since) => count(accountId, since, t),
    };
    const ctx: EvalContext = { now: t, timeZone: opts.timeZone, accounts, history: opts.history, label: opts.label, meter };
    const fired = new Set<string>();
    for (const check of measure(rule, ctx)) {
      const { next, transition } = step(states.get(check.key), check);
      states.set(check.key, next);
      if (transition === 'fire') fired.add(check.group ?? check.key);
    }
    for (let n = 0; n < fired.size; n++) times.push(t);
  }
  return { fires: times.length, times, note: null };
}
