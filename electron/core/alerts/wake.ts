// When the alert engine next has to look at the clock. Most rules change only with a new snapshot or metered
// request, and those evaluate them as they arrive; only a few depend on time passing by itself. The engine arms one
// timer for the earliest of these, so with no such rule (the default) it never wakes on its own.
import type { AlertRule, QuietHours } from '../../../shared/alerts.ts';
import { HOUR, MINUTE, inQuietHours, wall, windowEnd, windowStart } from './calendar.ts';

export interface WakeInput {
  rules: readonly AlertRule[];
  quietHours: QuietHours | null;
  /** Alerts held during quiet hours, waiting for their summary. */
  held: boolean;
  zone: string;
  now: number;
  /** How often a rule that needs the clock is looked at (the engine's tickMs). */
  everyMs: number;
}

/**
 * The next time anything becomes due, or null for never:
 * - provider-failing and rate-limited: a provider silent for N minutes, or a burst of 429s sliding out of its window,
 *   changes nothing that arrives: these need the clock, every `everyMs`;
 * - budget-pace: the month's allowance grows with the hours, so an hourly look is enough;
 * - spend-above and token-budget: their calendar window ends (a new day, week or month starts the count again);
 * - quiet hours with alerts held: their end, when the summary goes out.
 */
export function nextWake(input: WakeInput): number | null {
  const { now, zone } = input;
  let due = Infinity;
  for (const rule of input.rules) {
    if (!rule.enabled) continue;
    if (rule.type === 'provider-failing' || rule.type === 'rate-limited') due = Math.min(due, now + input.everyMs);
    else if (rule.type === 'budget-pace') due = Math.min(due, now + HOUR);
    else if (rule.type === 'spend-above') {
      const kind = rule.window === 'today' ? 'day' : rule.window;
      due = Math.min(due, windowEnd(zone, kind, windowStart(zone, kind, now)));
    }
    else if (rule.type === 'token-budget') due = Math.min(due, windowEnd(zone, 'month', windowStart(zone, 'month', now)));
  }
  if (input.quietHours && input.held) due = Math.min(due, quietHoursEnd(input.quietHours, now, zone));
  return due === Infinity ? null : due;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * When the quiet hours around `now` end (now itself when it is not quiet). Counted on the wall clock; across a DST
 * change this may be an hour off, and the engine simply looks again when it wakes.
 */
export function quietHoursEnd(q: QuietHours, now: number, fallbackZone: string): number {
  if (!inQuietHours(q, now, fallbackZone)) return now;
  const w = wall(q.timeZone ?? fallbackZone, now);
  const minute = w.getUTCHours() * 60 + w.getUTCMinutes();
  const left = (((minutesOf(q.end) - minute) % 1440) + 1440) % 1440 || 1440;
  return now - (w.getUTCSeconds() * 1000 + w.getUTCMilliseconds()) + left * MINUTE;
}
