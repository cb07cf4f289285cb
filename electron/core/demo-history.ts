// A week of hourly balance history behind the demo's first poll, so runway and balance charts have something to
// say from the first minute. Generated backwards from real (fake-provider) figures: each earlier hour holds the
// balance plus what was spent since. Deterministic, and every snapshot is marked demo.
import { BUCKET_MS, type Snapshot } from '../../shared/domain.ts';
import { DERIVED_MODEL } from './derived-usage.ts';

const HOUR = BUCKET_MS.hour;

/** Relative hourly burn: busier in working hours and on weekdays. */
function shape(hourStart: number): number {
  const d = new Date(hourStart);
  const hour = d.getUTCHours();
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
  const daytime = 0.35 + Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI));
  const wobble = 0.85 + ((hourStart / HOUR) % 7) * 0.05;
  return daytime * wobble * (weekend ? 0.45 : 1);
}

/**
 * Hourly snapshots for the `days` before each demo snapshot that has a balance. `runwayDays` sets how fast each
 * account burns (balance ÷ runway per day on average), so the demo shows a spread of runways.
 */
export function demoBalanceHistory(latest: Snapshot[], opts: { days?: number; runwayDays?: Record<string, number> } = {}): Snapshot[] {
  const days = opts.days ?? 7;
  const out: Snapshot[] = [];
  for (const s of latest) {
    if (!s.ok || !s.balance || !s.demo) continue;
    const runway = opts.runwayDays?.[s.accountId] ?? 20;
    const perHour = s.balance.micros / (runway * 24);
    const currency = s.balance.currency;
    const ownUsage = s.usage.some((u) => u.model !== DERIVED_MODEL);
    let balance = s.balance.micros;
    let total = s.spent.total?.currency === currency ? s.spent.total.micros : undefined;
    const firstHour = Math.floor(s.time / HOUR) * HOUR;
    for (let k = 1; k <= days * 24; k++) {
      const hourStart = firstHour - k * HOUR;
      const spend = Math.round(perHour * shape(hourStart));
      // This hour's spend happened after the snapshot taken at its start: undo it to step back in time.
      balance += spend;
      if (total !== undefined) total = Math.max(0, total - spend);
      const time = hourStart + 55 * 60_000;
      const snap: Snapshot = {
        ...s,
        time,
        balance: { micros: balance, currency },
        balances: s.balances.map((b) => (b.currency === currency ? { micros: balance, currency } : b)),
        spent: total === undefined ? {} : { total: { micros: total, currency } },
        quota: null,
        usage: ownUsage
          ? []
          : [{ start: hourStart, width: 'hour', model: DERIVED_MODEL, key: '', requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: { micros: spend, currency } }],
        notes: ['Demo history (generated).'],
        demo: true,
      };
      out.push(snap);
    }
  }
  return out;
}
