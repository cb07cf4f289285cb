// Who may use the proxy and with which key. The rules, in order (README "Metering proxy" → "Who may call it"):
//   1. Browser pages are refused: a request carrying an Origin header gets 403. The proxy is for apps and SDKs; this
//      keeps a web page the user visits from spending through it (it cannot set the headers the rules below need,
//      and a "simple" cross-site POST carries an Origin).
//   2. A client that is not on this machine (non-loopback peer address) must send the serve token in
//      X-Spendbar-Token (SDKs: default headers); without a serve token nobody off this machine gets in.
//   3. The key: the client sends its own provider key (forwarded as it is), or Spendbar's local proxy token in its
//      place (Authorization: Bearer, or x-api-key), for which Spendbar inserts the account's stored key. Nothing else
//      ever makes Spendbar insert a key.
import { nodeCrypto } from '../lazy-builtins.ts';
import type { IncomingHttpHeaders } from 'node:http';
import { maskSecret } from '../errors.ts';

export const PROXY_TOKEN_PREFIX = 'spendbar-proxy-';
export const SERVE_TOKEN_HEADER = 'x-spendbar-token';
export const APP_HEADER = 'x-spendbar-app';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** The bytes of the last few secrets compared against (the proxy and serve tokens), so a request encodes only its own. */
const expectedBytes = new Map<string, Buffer>();

export function sameSecret(given: string, expected: string): boolean {
  // Lengths differ: not the secret (timingSafeEqual would refuse anyway; this spares two buffers per request).
  if (given.length !== expected.length) return false;
  let b = expectedBytes.get(expected);
  if (!b) {
    if (expectedBytes.size >= 4) expectedBytes.clear();
    b = Buffer.from(expected);
    expectedBytes.set(expected, b);
  }
  const a = Buffer.from(given);
  return a.length === b.length && nodeCrypto().timingSafeEqual(a, b);
}

/** A fresh proxy token. Its prefix can never be mistaken for (or be) a provider key. */
export function newProxyToken(): string {
  return `${PROXY_TOKEN_PREFIX}${nodeCrypto().randomBytes(24).toString('base64url')}`;
}

/** Refuses a configured proxy token that could be a provider key, or is too short to be a secret. */
export function proxyTokenProblem(token: string, providerKeys: readonly string[]): string | null {
  if (token.length < 24) return 'The proxy token must be at least 24 characters long.';
  if (/^(sk-|sk_|key-|ak-)/i.test(token) || providerKeys.includes(token)) {
    return 'The proxy token must not be a provider key: Spendbar inserts the stored key in its place, so use a token of its own (leave it unset and Spendbar makes one).';
  }
  return null;
}

export class ProxyAuthError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ProxyAuthError';
    this.status = status;
  }
}

export interface ClientCheck {
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
  /** The serve token, when `spendbar serve` has one. */
  serveToken?: string | undefined;
}

/** Rules 1 and 2. Throws ProxyAuthError with a message the client's SDK will show. */
export function checkClient(c: ClientCheck): void {
  const origin = c.headers.origin;
  if (origin !== undefined) {
    throw new ProxyAuthError(403, 'Spendbar\'s metering proxy is for apps and SDKs, not web pages: requests sent by a browser page (with an Origin header) are refused.');
  }
  if (isLoopbackAddress(c.remoteAddress)) return;
  if (!c.serveToken) throw new ProxyAuthError(403, 'Spendbar\'s metering proxy only serves this machine: start `spendbar serve` with --token to let other machines in.');
  const given = c.headers[SERVE_TOKEN_HEADER];
  if (typeof given !== 'string' || !sameSecret(given, c.serveToken)) {
    throw new ProxyAuthError(401, 'Requests from other machines need the serve token in the X-Spendbar-Token header.');
  }
}

export interface KeyChoice {
  /** Headers to send upstream for the key (replacing the client's). */
  headers: Record<string, string>;
  /** The key used, masked, for the request row ("" when none). */
  keyLabel: string;
  /** Which key it is (a keyed hash, `idOf`), so keys that mask alike stay apart; "" when none. */
  keyId: string;
  /** Spendbar inserted the account's stored key. */
  inserted: boolean;
}

/**
 * Rule 3: which key goes upstream. The proxy token in Authorization or x-api-key is replaced by the stored key (in
 * the same header); any other value is the client's own key and goes as it is.
 */
export function chooseKey(headers: IncomingHttpHeaders, proxyToken: string, storedKey: string | undefined, noKeyReason?: string, idOf: (key: string) => string = () => ''): KeyChoice {
  const auth = typeof headers.authorization === 'string' ? headers.authorization : undefined;
  const bearer = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : undefined;
  const xKey = typeof headers['x-api-key'] === 'string' ? headers['x-api-key'].trim() : undefined;
  const usesToken = (v: string | undefined) => v !== undefined && v.length > 0 && sameSecret(v, proxyToken);
  if (usesToken(bearer) || usesToken(xKey)) {
    if (!storedKey) {
      throw new ProxyAuthError(
        400,
        noKeyReason
          ? `Spendbar does not insert this account's stored key for the proxy token: ${noKeyReason}.`
          : 'This account has no stored API key for Spendbar to insert: send your own provider key instead of the proxy token.',
      );
    }
    const out: Record<string, string> = {};
    if (usesToken(bearer)) out.authorization = `Bearer ${storedKey}`;
    if (usesToken(xKey)) out['x-api-key'] = storedKey;
    return { headers: out, keyLabel: maskSecret(storedKey), keyId: idOf(storedKey), inserted: true };
  }
  const own = bearer ?? xKey ?? (auth && auth.trim() ? auth.trim() : undefined);
  return { headers: {}, keyLabel: own ? maskSecret(own) : '', keyId: own ? idOf(own) : '', inserted: false };
}

const NO_APP = Object.freeze({ app: '', kind: 'service' as const });

/** `X-Spendbar-App: my-app` or `my-app; kind=internal` → app name and kind (service by default). */
export function parseAppHeader(value: string | string[] | undefined): { app: string; kind: 'service' | 'internal' } {
  const v = (Array.isArray(value) ? value[0] : value) ?? '';
  if (v === '') return NO_APP;
  const [name = '', ...params] = v.split(';');
  const kindParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('kind='));
  const kind = kindParam?.slice(5).trim() === 'internal' ? 'internal' : 'service';
  // Bounded and printable: it is stored and shown.
  const app = name.trim().replace(/[^\x20-\x7e]/g, '').slice(0, 64);
  return { app, kind };
}
