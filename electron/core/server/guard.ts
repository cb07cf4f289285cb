// Who may talk to `spendbar serve`, in one place: every route (the dashboard API, /metrics, and any route added later,
// such as the metering proxy) goes through these checks. See SECURITY.md for the threats each one answers.
//   - Host: on a loopback address only a loopback Host is served (a DNS-rebinding page sends its own name).
//   - Same origin: a request that changes state must be JSON, which a page on another site cannot send without a
//     CORS preflight (never granted), and must not come with a foreign Origin or a cross-site Sec-Fetch-Site.
//   - Token: when one is set, it is read from `Authorization: Bearer` and compared in full; only the event stream
//     (EventSource cannot send headers) may carry it in the URL, once, when it connects.
import type { IncomingMessage } from 'node:http';
import { nodeCrypto } from '../lazy-builtins.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly field: string | undefined;
  constructor(status: number, message: string, field?: string) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const LOOPBACK_V4 = new RegExp(`^127\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Exactly a loopback name: localhost, 127.x.y.z with real octets, or ::1. Nothing that merely starts like one. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || LOOPBACK_V4.test(h);
}

/** The name part of a Host header ("127.0.0.1:8787" → "127.0.0.1", "[::1]:8787" → "[::1]"); null when malformed. */
export function hostName(header: string): string | null {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(:\d{1,5})?$/i.exec(header.trim());
  return m ? (m[1] as string) : null;
}

/** Refuses a request whose Host is not loopback when the server listens on loopback. */
export function checkHost(req: IncomingMessage, listenHost: string): void {
  if (!isLoopback(listenHost)) return;
  const header = req.headers.host;
  if (!header) throw new HttpError(400, 'Send a Host header (every HTTP/1.1 client does).');
  const name = hostName(header);
  if (!name || !isLoopback(name)) throw new HttpError(403, 'Unexpected Host header: Spendbar on a loopback address answers only to loopback names.');
}

export function isStateChanging(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

export function isJson(contentType: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? '');
}

/**
 * A POST, PUT or DELETE must be something only a same-origin page (or a non-browser client) can send: the JSON
 * content type, even with no body, and no foreign Origin or cross-site fetch metadata.
 */
export function checkSameOrigin(req: IncomingMessage): void {
  if (!isStateChanging(req.method ?? 'GET')) return;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, `Refused a ${site} request: only the Spendbar dashboard itself may change things.`);
  }
  const origin = req.headers.origin;
  if (typeof origin === 'string') {
    let host: string | null;
    try {
      host = origin === 'null' ? null : new URL(origin).host;
    } catch {
      host = null;
    }
    if (!host || host.toLowerCase() !== (req.headers.host ?? '').toLowerCase()) {
      throw new HttpError(403, 'Refused a request from another origin: only the Spendbar dashboard itself may change things.');
    }
  }
  if (!isJson(req.headers['content-type'])) {
    throw new HttpError(415, 'Send requests that change something with Content-Type: application/json (also when there is no body).');
  }
}

/** The bearer token, from the Authorization header; from `?token=` only where `queryAllowed` (the event stream). */
export function hasToken(req: IncomingMessage, url: URL, token: string, queryAllowed: boolean): boolean {
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7) : null;
  const given = bearer ?? (queryAllowed ? url.searchParams.get('token') : null);
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && nodeCrypto().timingSafeEqual(a, b);
}

export const UNAUTHORIZED_MESSAGE =
  'Missing or wrong bearer token. Open the dashboard with #token=<token> or send Authorization: Bearer <token>.';
