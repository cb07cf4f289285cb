// The request-log filter as URL query parameters: the HTTP transport's side of the contract in shared/metering.ts.
// Its own module, free of zod, so the dashboard's start-up script does not carry (and build) the schemas.
import type { RequestFilter } from './metering.ts';

/** The filter as URL query parameters. */
export function requestFilterToQuery(f: RequestFilter = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}
