// The HTTP hop to the provider: which headers cross it, keep-alive agents, and what Spendbar says when the provider
// cannot be reached. Bodies are never logged; errors name the host, never a key.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { APP_HEADER, SERVE_TOKEN_HEADER } from './auth.ts';
import type { ApiStyle } from './usage.ts';

// RFC 9110 §7.6.1: connection-specific headers are never forwarded, nor any the Connection header names.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

const NONE = new Set<string>();

function connectionListed(headers: IncomingHttpHeaders): Set<string> {
  const c = headers.connection;
  // The usual values name no other header: no set to build per request.
  if (c === undefined || c === 'keep-alive' || c === 'close') return NONE;
  const text = Array.isArray(c) ? c.join(',') : c;
  return new Set(text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

/** Request headers never sent on: hop-by-hop ones, the ones Spendbar sets itself, and Spendbar's own. */
const SKIPPED = new Set([...HOP_BY_HOP, 'host', 'content-length', 'expect', APP_HEADER, SERVE_TOKEN_HEADER]);

/** The client's headers as they go upstream: hop-by-hop, Spendbar's own and length/host headers left out. */
export function requestHeaders(client: IncomingHttpHeaders, opts: { stream: boolean; bodyLength: number; key: Record<string, string> }): OutgoingHttpHeaders {
  const listed = connectionListed(client);
  const out: OutgoingHttpHeaders = {};
  for (const name in client) {
    const value = client[name];
    if (value === undefined || SKIPPED.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  Object.assign(out, opts.key);
  // Streams are read on the side event by event: ask for them uncompressed (an upstream that compresses anyway is
  // still passed through and decoded on the side).
  if (opts.stream) out['accept-encoding'] = 'identity';
  if (opts.bodyLength > 0 || out['content-type'] !== undefined) out['content-length'] = String(opts.bodyLength);
  return out;
}

/** The provider's headers as they go to the client. */
export function responseHeaders(upstream: IncomingHttpHeaders, opts: { dropLength: boolean }): OutgoingHttpHeaders {
  const listed = connectionListed(upstream);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    if (opts.dropLength && name === 'content-length') continue;
    out[name] = value;
  }
  return out;
}

// Keep-alive (a request reuses an idle connection to the provider) and no Nagle delay: a small request or stream
// chunk goes out at once instead of waiting for the previous segment's ACK (noDelay reaches net.connect through the
// agent's options; Node's typings for AgentOptions lack it, hence the untyped constant).
const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 10_000, maxFreeSockets: 64, noDelay: true };

// node:https (and with it TLS) loads on the first https upstream, not with the proxy: a loopback-only setup never needs it.
const agents: { http: HttpAgent; https: HttpsAgent | null } = {
  http: new HttpAgent(AGENT_OPTIONS),
  https: null,
};

export function openUpstream(url: URL, method: string, headers: OutgoingHttpHeaders): ClientRequest {
  const https = url.protocol === 'https:';
  // The options Node would make of the URL (node:url urlToHttpOptions), made directly: one object fewer per request.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const options: RequestOptions = { protocol: url.protocol, hostname, path: `${url.pathname}${url.search}`, method, headers, agent: agents.http };
  if (url.port !== '') options.port = Number(url.port);
  if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  if (!https) return httpRequest(options);
  const tls = process.getBuiltinModule('node:https');
  options.agent = agents.https ??= new tls.Agent(AGENT_OPTIONS);
  return tls.request(options);
}

/** Closes idle keep-alive sockets (at shutdown, so the process can exit). */
export function closeIdleUpstreams(): void {
  agents.http.destroy();
  agents.https?.destroy();
  agents.http = new HttpAgent(AGENT_OPTIONS);
  agents.https = null;
}

/** A failure of Spendbar's own hop (never the provider's answer): status 502 or 504 and a message that says which. */
export class HopError extends Error {
  readonly status: 502 | 504;
  constructor(status: 502 | 504, message: string) {
    super(message);
    this.name = 'HopError';
    this.status = status;
  }
}

export function hopError(err: unknown, host: string): HopError {
  if (err instanceof HopError) return err;
  const code = (err as { code?: unknown })?.code;
  const detail =
    code === 'ECONNREFUSED' ? 'connection refused'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found'
    : code === 'ECONNRESET' || code === 'EPIPE' ? 'connection dropped'
    : code === 'CERT_HAS_EXPIRED' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ? 'TLS certificate not trusted'
    : typeof code === 'string' ? code
    : 'network error';
  return new HopError(502, `Spendbar's proxy could not reach ${host} (${detail}). Check the account's base URL and your network; the request was not sent on.`);
}

/** An error body in the shape the client's SDK reads (OpenAI or Anthropic), so its message reaches the user. */
export function errorBody(style: ApiStyle, status: number, message: string): string {
  if (style === 'anthropic') {
    return JSON.stringify({ type: 'error', error: { type: status === 413 ? 'request_too_large' : status === 401 || status === 403 ? 'authentication_error' : 'api_error', message } });
  }
  return JSON.stringify({ error: { message, type: 'spendbar_proxy_error', code: status } });
}

export type { IncomingMessage };
