// The runway line drawn forward on a balance chart. The runway itself is computed once in the core and served with
// each account's status (AccountStatus.runway); the dashboard only draws it.
import type { Runway, SeriesPoint } from '../../shared/domain.ts';
import { DAY_MS } from './zone.ts';

/**
 * From the latest balance down to zero at the served burn, cut at the horizon so a slow burn does not stretch the time
 * axis for years.
 */
export function runwayProjection(r: Runway, horizonMs = 30 * DAY_MS): SeriesPoint[] {
  const start = { t: r.at, v: r.balance.micros };
  if (r.days <= 0) return [start];
  const endT = start.t + Math.min(r.days * DAY_MS, horizonMs);
  const endV = start.v - (r.burnPerDay.micros * (endT - start.t)) / DAY_MS;
  return [start, { t: endT, v: Math.max(0, Math.round(endV)) }];
}
