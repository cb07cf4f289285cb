// Rate-limit rules, fed by the metering proxy: headroom left on a key (lowest remaining ÷ limit over the windows the
// provider reports) and repeated 429s ("you exceed rate limits frequently"). Windows whose reset time has passed
// have refilled and do not count.
import type { AlertRule } from '../../../shared/alerts.ts';
import { RATE_WINDOWS, type Headroom, type RateLimit } from '../../../shared/metering.ts';
import { above, below, dedupeKey, fmtCount, severityFor, subjectsOf, type Check, type EvalContext } from './check.ts';

type Rule<T extends AlertRule['type']> = Extract<AlertRule, { type: T }>;

const MINUTE = 60_000;

const WINDOW_WORDS: Record<string, string> = {
  requests: 'requests',
  tokens: 'tokens',
  inputTokens: 'input tokens',
  outputTokens: 'output tokens',
  requestsPerDay: 'requests per day',
  tokensPerDay: 'tokens per day',
};

/** The narrowest window still in force: its name and percent left. */
export function tightestWindow(r: RateLimit, now: number): { name: string; percent: number; resetAt: number | null } | null {
  let best: { name: string; percent: number; resetAt: number | null } | null = null;
  for (const name of RATE_WINDOWS) {
    const w = r[name];
    if (!w || w.limit === null || w.remaining === null || w.limit <= 0) continue;
    if (w.resetAt !== null && w.resetAt <= now) continue;
    const percent = Math.max(0, Math.min(100, (w.remaining / w.limit) * 100));
    if (!best || percent < best.percent) best = { name, percent, resetAt: w.resetAt };
  }
  return best;
}

export function ratelimitHeadroom(rule: Rule<'ratelimit-headroom'>, ctx: EvalContext): Check[] {
  const meter = ctx.meter;
  if (!meter) return [];
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, true)) {
    for (const h of meter.headroom(subject.key) as Headroom[]) {
      const tight = tightestWindow(h.rateLimit, ctx.now);
      // Refilled windows count as full: the key has its headroom back.
      const percent = tight?.percent ?? 100;
      const keyText = h.key ? ` (key ${h.key})` : '';
      const resets = tight?.resetAt ? ` It resets in ${Math.max(1, Math.round((tight.resetAt - ctx.now) / 1000))} s.` : '';
      checks.push({
        // By key id: two keys that mask alike are two subjects (figures from before ids: by the masked form).
        key: dedupeKey(rule, subject.key, h.keyId || h.key),
        subject: subject.key,
        accountId: subject.key,
        window: h.key,
        value: percent,
        threshold: rule.percent,
        unit: { kind: 'percent' },
        ...below(percent, rule.percent, rule.margin),
        severity: severityFor(rule),
        title: `${subject.label}${keyText}: ${Math.floor(percent)}% of the rate limit left`,
        body: `Only ${Math.floor(percent)}% of the ${WINDOW_WORDS[tight?.name ?? ''] ?? 'rate'} limit is left (alert under ${rule.percent}%).${resets}`,
      });
    }
  }
  return checks;
}

export function rateLimited(rule: Rule<'rate-limited'>, ctx: EvalContext): Check[] {
  const meter = ctx.meter;
  if (!meter) return [];
  const checks: Check[] = [];
  for (const subject of subjectsOf(rule, ctx, true)) {
    const n = meter.rateLimitedSince(subject.key, ctx.now - rule.minutes * MINUTE);
    checks.push({
      key: dedupeKey(rule, subject.key, ''),
      subject: subject.key,
      accountId: subject.key,
      window: '',
      value: n,
      threshold: rule.count,
      unit: { kind: 'count' },
      ...above(n, rule.count, rule.margin, true),
      severity: severityFor(rule),
      title: `${subject.label}: rate limited ${fmtCount(n)} times in ${rule.minutes} min`,
      body: `You exceed this provider's rate limits frequently (${fmtCount(n)} answers of HTTP 429 in the last ${rule.minutes} minutes). Slow down, spread the load over keys, or ask the provider for a higher limit.`,
    });
  }
  return checks;
}
