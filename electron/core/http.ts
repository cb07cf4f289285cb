// The HTTP client adapters use. Injectable so tests and the demo can point it anywhere; the default speaks
// node:http / node:https directly with a per-request deadline. It never throws on HTTP status: readJson() turns
// statuses into ProviderErrors. Not fetch(): Node's fetch is undici, whose first use loads a second HTTP stack and a
// WebAssembly parser that stay resident (~17 MB in a process that only polls a few endpoints an hour).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { decoderFor } from './content-encoding.ts';
import { ProviderError, parseRetryAfter } from './errors.ts';
import { formatWait, retryAfterWait } from './refresh-policy.ts';

export interface HttpRequest {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** A reply's headers, looked up case-insensitively (a fetch `Headers` object satisfies it too). */
export interface ReplyHeaders {
  get(name: string): string | null;
}

export interface HttpResponse {
  status: number;
  headers: ReplyHeaders;
  text: string;
}

export type HttpClient = (req: HttpRequest) => Promise<HttpResponse>;

export const DEFAULT_TIMEOUT_MS = 15_000;
/**
 * The most of one reply Spendbar reads. A month of per-model usage is well under a megabyte; anything near this is
 * a wrong base URL or a hostile server, and reading on would only grow memory.
 */
export const MAX_REPLY_BYTES = 8 * 1024 * 1024;
const MAX_REPLY_MB = MAX_REPLY_BYTES / 1024 / 1024;
/** Redirects followed before giving up (fetch's own limit). */
export const MAX_REDIRECTS = 20;
/** Headers that go on to another origin after a redirect; everything else (keys, cookies) stays with the first. */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'content-type', 'user-agent']);

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The reply headers node:http parsed, joined as fetch joins repeated ones. */
function replyHeaders(res: IncomingMessage): ReplyHeaders {
  const raw = res.headers;
  return {
    get(name: string) {
      const v = raw[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
    },
  };
}

export const defaultHttpClient: HttpClient = (req) => {
  const deadline = Date.now() + req.timeoutMs;
  return send(req, new URL(req.url), req.method ?? 'GET', withDefaults(req.headers, req.body), req.body, deadline, 0).catch((err: unknown) => {
    throw networkError(err, req);
  });
};

function withDefaults(given: Record<string, string> | undefined, body: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(given ?? {})) headers[k.toLowerCase()] = v;
  headers['accept'] ??= '*/*';
  headers['user-agent'] ??= 'spendbar';
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  if (body !== undefined) headers['content-type'] ??= 'text/plain;charset=UTF-8';
  return headers;
}

function send(req: HttpRequest, url: URL, method: string, headers: Record<string, string>, body: string | undefined, deadline: number, hops: number): Promise<HttpResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new ProviderError('network', `${safeHost(req.url)} redirected to a ${url.protocol} address, which Spendbar does not follow. Check the base URL.`));
  }
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new TimeoutError('deadline passed'));
  const payload = body === undefined ? undefined : Buffer.from(body);
  const out = payload ? { ...headers, 'content-length': String(payload.length) } : headers;
  return new Promise<HttpResponse>((resolve, reject) => {
    // node:https (and TLS) loads with the first https provider, not at start.
    const call = (url.protocol === 'https:' ? process.getBuiltinModule('node:https').request : httpRequest)(url, { method, headers: out });
    let settled = false;
    const finish = (err: unknown, value?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        call.destroy();
        reject(err);
      } else resolve(value as HttpResponse);
    };
    const timer = setTimeout(() => finish(new TimeoutError(`no answer within ${req.timeoutMs} ms`)), remaining);
    call.on('error', (err) => finish(err));
    call.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (location && [301, 302, 303, 307, 308].includes(status)) {
        res.resume();
        if (hops >= MAX_REDIRECTS) return finish(new ProviderError('network', `${safeHost(req.url)} redirected more than ${MAX_REDIRECTS} times. Check the base URL.`));
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return finish(new ProviderError('bad-response', `${safeHost(req.url)} redirected to an address that is not a URL. Check the base URL.`, { status }));
        }
        if (url.protocol === 'https:' && next.protocol === 'http:') {
          return finish(new ProviderError('network', `${safeHost(req.url)} redirected from https to plain http (${next.host}); Spendbar does not send your key unencrypted. Check the base URL.`, { status }));
        }
        // 303, and 301/302 after a POST, continue as a GET without the body, as browsers and fetch do.
        const asGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
        const nextHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(headers)) {
          if (next.origin !== url.origin && !CROSS_ORIGIN_HEADERS.has(k)) continue;
          if (asGet && k === 'content-type') continue;
          nextHeaders[k] = v;
        }
        clearTimeout(timer);
        settled = true;
        send(req, next, asGet ? 'GET' : method, nextHeaders, asGet ? undefined : body, deadline, hops + 1).then(resolve, reject);
        return;
      }
      readCapped(res, req.url).then(
        (text) => finish(null, { status, headers: replyHeaders(res), text }),
        (err: unknown) => finish(err),
      );
    });
    call.end(payload);
  });
}

/** Reads the body chunk by chunk and stops at the cap, chunked or compressed or not: Content-Length alone is only a promise. */
function readCapped(res: IncomingMessage, url: string): Promise<string> {
  const host = safeHost(url);
  const tooBig = (how: string) =>
    new ProviderError(
      'bad-response',
      `${host} ${how} more than ${MAX_REPLY_MB} MB in one reply; Spendbar stopped reading there. No usage or balance endpoint sends that much: check the base URL.`,
      { status: res.statusCode },
    );
  const announced = Number(res.headers['content-length'] ?? 0);
  if (announced > MAX_REPLY_BYTES) {
    res.destroy();
    return Promise.reject(tooBig('announced'));
  }
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const inflate = decoderFor(encoding);
  const source = inflate ? res.pipe(inflate) : res;
  return new Promise<string>((resolve, reject) => {
    const parts: Buffer[] = [];
    let bytes = 0;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      reject(err);
      res.destroy();
      inflate?.destroy();
    };
    // The cap counts what Spendbar would hold: decompressed bytes, so a small compressed bomb is stopped too.
    source.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_REPLY_BYTES) return fail(tooBig('sent'));
      if (!failed) parts.push(chunk);
    });
    source.on('end', () => resolve(new TextDecoder().decode(Buffer.concat(parts))));
    source.on('error', (err: unknown) =>
      fail(inflate && err !== null && typeof err === 'object' && !(err instanceof ProviderError) && (err as { code?: string }).code?.startsWith('Z_')
        ? new ProviderError('bad-response', `${host} sent a reply marked ${encoding} that does not decompress.`, { status: res.statusCode })
        : err),
    );
    res.on('error', (err) => fail(err));
    res.on('aborted', () => fail(Object.assign(new Error('reply cut off'), { code: 'ECONNRESET' })));
  });
}

function networkError(err: unknown, req: HttpRequest): ProviderError {
  if (err instanceof ProviderError) return err;
  const host = safeHost(req.url);
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderError('timeout', `${host} did not answer within ${Math.round(req.timeoutMs / 1000)} s. The provider may be slow or down; Spendbar will retry.`, { cause: err });
  }
  const code = errorCode(err);
  const detail =
    code === 'ECONNREFUSED' ? 'connection refused'
    : code === 'ENOTFOUND' ? 'host not found'
    : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'connection dropped'
    : code ?? innermostMessage(err);
  return new ProviderError('network', `Could not reach ${host} (${detail}). Check the base URL and your network connection.`, { cause: err });
}

/** A socket error may come wrapped (an AggregateError of several address attempts, or in a cause chain). */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string' && !e.code.startsWith('ERR_')) return e.code;
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const code = errorCode(inner, depth + 1);
    if (code) return code;
  }
  return typeof e.code === 'string' ? e.code : undefined;
}

function innermostMessage(err: unknown): string {
  let e: unknown = err;
  while (e && typeof e === 'object' && (e as { cause?: unknown }).cause) e = (e as { cause: unknown }).cause;
  return e instanceof Error ? e.message : String(e);
}

export function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the provider';
  }
}

export interface ReadJsonOptions {
  /** Says what the endpoint is for in messages: "balance", "key usage". */
  what: string;
  now?: number;
  /** Statuses that are handled by the caller instead of thrown (e.g. 403 on OpenRouter /credits). */
  passStatuses?: number[];
}

/**
 * Classifies a response: HTTP errors become ProviderErrors with actionable messages, HTML pages and
 * non-JSON bodies are reported as such, and the parsed JSON is returned.
 */
export function readJson(res: HttpResponse, url: string, opts: ReadJsonOptions): unknown {
  const host = safeHost(url);
  const status = res.status;
  if (status >= 400 && !opts.passStatuses?.includes(status)) {
    // Only an error's body is searched for the provider's message: a good reply is parsed once, below.
    const providerMessage = errorMessageFrom(res.text);
    const suffix = providerMessage ? ` The provider said: "${providerMessage}".` : '';
    // The wait the poller will honour (at most a day), so the message states what Spendbar actually does.
    const asked = parseRetryAfter(res.headers.get('retry-after'), opts.now ?? Date.now());
    const retryAfterMs = asked === undefined ? undefined : retryAfterWait(asked);
    const extra = retryAfterMs !== undefined ? { retryAfterMs } : {};
    if (status === 401) throw new ProviderError('auth', `${host} rejected the API key (401) while reading ${opts.what}. Check that the key is correct and not revoked.${suffix}`, { status });
    if (status === 403) throw new ProviderError('forbidden', `${host} refused access (403) to ${opts.what}. The key lacks the permission this needs.${suffix}`, { status });
    if (status === 404) throw new ProviderError('not-found', `${host} has no ${opts.what} endpoint at ${new URL(url).pathname} (404). Check the base URL.${suffix}`, { status });
    if (status === 429) throw new ProviderError('rate-limited', `${host} is rate limiting requests (429)${retryAfterMs !== undefined ? `; retrying in ${formatWait(retryAfterMs)}` : ''}.${suffix}`, { status, ...extra });
    if (status >= 500) throw new ProviderError('server', `${host} had a server error (${status}) while serving ${opts.what}; Spendbar will retry.${suffix}`, { status, ...extra });
    throw new ProviderError('provider', `${host} answered ${status} for ${opts.what}.${suffix}`, { status });
  }
  const text = res.text.trim();
  if (/^<(!doctype|html|head|body)/i.test(text)) {
    throw new ProviderError('bad-response', `${host} sent an HTML page instead of JSON for ${opts.what} (HTTP ${status}). The base URL probably points at a website, not the API.`, { status });
  }
  if (!text) throw new ProviderError('bad-response', `${host} sent an empty response for ${opts.what} (HTTP ${status}).`, { status });
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError('bad-response', `${host} sent a response for ${opts.what} that is not valid JSON (HTTP ${status}, ${text.length} bytes); it may be truncated.`, { status });
  }
}

/** Pulls a provider's error message out of common error bodies, for inclusion in our message. */
function errorMessageFrom(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const err = body.error;
    if (typeof err === 'string') return clip(err);
    if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') return clip((err as { message: string }).message);
    if (typeof body.message === 'string' && body.message) return clip(body.message);
    if (typeof body.Message === 'string' && body.Message) return clip(body.Message);
  } catch {
    /* not JSON: no message to quote */
  }
  return undefined;
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
