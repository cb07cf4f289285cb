// The HTTP client adapters use. Injectable so tests and the demo can point it anywhere; the default uses fetch
// with a per-request timeout. It never throws on HTTP status: readJson() turns statuses into ProviderErrors.
import { ProviderError, parseRetryAfter } from './errors.ts';
import { formatWait, retryAfterWait } from './refresh-policy.ts';

export interface HttpRequest {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
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

export const fetchHttpClient: HttpClient = async (req) => {
  const signal = AbortSignal.timeout(req.timeoutMs);
  let res: Response;
  try {
    res = await fetch(req.url, { method: req.method ?? 'GET', headers: req.headers, body: req.body, signal, redirect: 'follow' });
    const text = await readCapped(res, req.url);
    return { status: res.status, headers: res.headers, text };
  } catch (err) {
    throw networkError(err, req);
  }
};

/** Reads the body chunk by chunk and stops at the cap, chunked or not: Content-Length alone is only a promise. */
async function readCapped(res: Response, url: string): Promise<string> {
  const host = safeHost(url);
  const tooBig = (how: string) =>
    new ProviderError(
      'bad-response',
      `${host} ${how} more than ${MAX_REPLY_MB} MB in one reply; Spendbar stopped reading there. No usage or balance endpoint sends that much: check the base URL.`,
      { status: res.status },
    );
  const announced = Number(res.headers.get('content-length') ?? 0);
  if (announced > MAX_REPLY_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig('announced');
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > MAX_REPLY_BYTES) {
      // Cancelling closes the connection: the server cannot push the rest into our buffers.
      await reader.cancel().catch(() => undefined);
      throw tooBig('sent');
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
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

/** fetch wraps the socket error (sometimes an AggregateError of several attempts) in its cause chain. */
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
