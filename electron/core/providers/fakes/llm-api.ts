// A loopback LLM API for the metering proxy's tests and bench, built from the documented contracts:
//   OpenAI      POST …/chat/completions (stream: chunks, then the usage-only chunk only when stream_options.include_usage,
//               then [DONE]), …/completions, …/responses (response.completed carries usage), …/embeddings;
//               x-ratelimit-{limit,remaining,reset}-{requests,tokens} with Go-duration resets.
//   router      OpenRouter-style: usage carries `cost` (and cost_details) when usage.include is set.
//   gateway     One-API/New-API-style: X-RateLimit-{Limit,Remaining,Reset}-{RPM,TPM} with epoch-second resets.
//   Anthropic   POST …/messages (stream: message_start with input tokens, content deltas, message_delta with the
//               cumulative output tokens, message_stop); anthropic-ratelimit-* headers with RFC 3339 resets.
// Faults make it misbehave the ways real upstreams do: 429 with retry-after, 5xx HTML pages, gzip'd bodies, streams
// that never send usage, malformed lines, stalls and dropped connections.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type LlmFlavor = 'openai' | 'router' | 'gateway';

export interface LlmUsage {
  input: number;
  output: number;
  cached: number;
  reasoning: number;
  /** Anthropic: cache-write tokens (cache_creation_input_tokens). */
  cacheWrite: number;
  /** Router: the cost it reports (credits = USD). */
  cost: number;
}

export type LlmFault =
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'no-usage' }
  | { kind: 'malformed-line' }
  | { kind: 'stall-after'; chunks: number }
  | { kind: 'drop-after'; chunks: number }
  | { kind: 'gzip' }
  | { kind: 'delay'; ms: number }
  | { kind: 'usage-on-every-chunk' };

export interface LlmRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown> | null;
}

export interface LlmFakeOptions {
  flavor?: LlmFlavor;
  usage?: Partial<LlmUsage>;
  /** Text pieces a stream sends, one per chunk. */
  chunks?: string[];
  /** Text of chunk i, made when it is sent (the bench stamps the send time into it). Overrides `chunks` text. */
  chunkText?: (i: number) => string;
  /** Pause between stream chunks. */
  chunkDelayMs?: number;
  /** Pause before every answer, as a provider takes to generate one (the `delay` fault does it for one request). */
  answerDelayMs?: number;
  /** The model the response names (default: the requested one plus a dated suffix for gpt-4o). */
  servedModel?: (requested: string) => string;
  /** Rate-limit figures the headers report. */
  limits?: { requests: number; remainingRequests: number; tokens: number; remainingTokens: number };
  now?: () => number;
}

export interface LlmFake {
  url: string;
  requests: LlmRequest[];
  /** Queue a fault for the next request(s). */
  fail(fault: LlmFault, times?: number): void;
  /** Responses still open (streams in progress or stalled). */
  open(): number;
  /** Resolves once a client has gone away from an open response. */
  closedEarly: number;
  close(): Promise<void>;
}

const DEFAULT_USAGE: LlmUsage = { input: 120, output: 42, cached: 20, reasoning: 5, cacheWrite: 10, cost: 0.00123 };

export async function startLlmFake(opts: LlmFakeOptions = {}): Promise<LlmFake> {
  const flavor = opts.flavor ?? 'openai';
  const usage = { ...DEFAULT_USAGE, ...opts.usage };
  const chunks = opts.chunks ?? ['Hel', 'lo', ' there', '!'];
  const now = opts.now ?? Date.now;
  const limits = opts.limits ?? { requests: 500, remainingRequests: 499, tokens: 30000, remainingTokens: 29000 };
  const faults: { fault: LlmFault; times: number }[] = [];
  const requests: LlmRequest[] = [];
  const live = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const fake = { closedEarly: 0 };

  const take = (): LlmFault[] => {
    const out: LlmFault[] = [];
    for (const f of faults) if (f.times > 0) {
      out.push(f.fault);
      f.times--;
    }
    return out;
  };
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function rateHeaders(anthropic: boolean): Record<string, string> {
    if (anthropic) {
      const reset = new Date(now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return {
        'anthropic-ratelimit-requests-limit': String(limits.requests),
        'anthropic-ratelimit-requests-remaining': String(limits.remainingRequests),
        'anthropic-ratelimit-requests-reset': reset,
        'anthropic-ratelimit-tokens-limit': String(limits.tokens),
        'anthropic-ratelimit-tokens-remaining': String(limits.remainingTokens),
        'anthropic-ratelimit-tokens-reset': reset,
      };
    }
    if (flavor === 'gateway') {
      const reset = String(Math.floor(now() / 1000) + 60);
      return {
        'X-RateLimit-Limit-RPM': String(limits.requests),
        'X-RateLimit-Remaining-RPM': String(limits.remainingRequests),
        'X-RateLimit-Reset-RPM': reset,
        'X-RateLimit-Limit-TPM': 'unlimited',
        'X-RateLimit-Remaining-TPM': 'unlimited',
      };
    }
    return {
      'x-ratelimit-limit-requests': String(limits.requests),
      'x-ratelimit-remaining-requests': String(limits.remainingRequests),
      'x-ratelimit-reset-requests': '2m59.56s',
      'x-ratelimit-limit-tokens': String(limits.tokens),
      'x-ratelimit-remaining-tokens': String(limits.remainingTokens),
      'x-ratelimit-reset-tokens': '6m0s',
    };
  }

  function openAiUsage(json: Record<string, unknown>, responses: boolean): Record<string, unknown> {
    if (responses) {
      return { input_tokens: usage.input, input_tokens_details: { cached_tokens: usage.cached }, output_tokens: usage.output, output_tokens_details: { reasoning_tokens: usage.reasoning }, total_tokens: usage.input + usage.output };
    }
    const u: Record<string, unknown> = {
      prompt_tokens: usage.input,
      completion_tokens: usage.output,
      total_tokens: usage.input + usage.output,
      prompt_tokens_details: { cached_tokens: usage.cached },
      completion_tokens_details: { reasoning_tokens: usage.reasoning },
    };
    const include = (json.usage as { include?: unknown } | undefined)?.include === true;
    if (flavor === 'router' && include) {
      u.cost = usage.cost;
      u.is_byok = false;
      u.cost_details = { upstream_inference_cost: null };
    }
    return u;
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string, gzip: boolean): void {
    if (gzip) {
      res.writeHead(status, { ...headers, 'content-encoding': 'gzip' });
      res.end(gzipSync(body));
    } else {
      res.writeHead(status, headers);
      res.end(body);
    }
  }

  function stream(res: ServerResponse, events: string[], f: LlmFault[], headers: Record<string, string>): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    live.add(res);
    res.on('close', () => {
      if (!res.writableFinished) fake.closedEarly++;
      live.delete(res);
    });
    const stall = f.find((x) => x.kind === 'stall-after') as { chunks: number } | undefined;
    const drop = f.find((x) => x.kind === 'drop-after') as { chunks: number } | undefined;
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (stall && i >= stall.chunks) return; // keeps the response open, sending nothing
      if (drop && i >= drop.chunks) {
        res.socket?.destroy();
        return;
      }
      if (i >= events.length) {
        res.end();
        return;
      }
      const event = events[i++] as string;
      res.write(opts.chunkText ? event.replace('@@CHUNK@@', opts.chunkText(i - 1)) : event);
      if (opts.chunkDelayMs) later(opts.chunkDelayMs, next);
      else setImmediate(next);
    };
    next();
  }

  function openAi(req: LlmRequest, res: ServerResponse, f: LlmFault[]): void {
    const json = req.json ?? {};
    const requested = typeof json.model === 'string' ? json.model : 'gpt-4o';
    const model = opts.servedModel?.(requested) ?? (requested === 'gpt-4o' ? 'gpt-4o-2024-08-06' : requested);
    const headers = rateHeaders(false);
    const responses = req.path.endsWith('/responses');
    const noUsage = f.some((x) => x.kind === 'no-usage');
    if (req.path.endsWith('/embeddings')) {
      send(res, 200, { 'content-type': 'application/json', ...headers }, JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model, usage: { prompt_tokens: usage.input, total_tokens: usage.input } }), f.some((x) => x.kind === 'gzip'));
      return;
    }
    if (json.stream !== true) {
      const body = responses
        ? { id: 'resp_1', object: 'response', model, status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text: chunks.join('') }] }], ...(noUsage ? {} : { usage: openAiUsage(json, true) }) }
        : { id: 'chatcmpl-1', object: 'chat.completion', created: Math.floor(now() / 1000), model, choices: [{ index: 0, message: { role: 'assistant', content: chunks.join('') }, finish_reason: 'stop' }], ...(noUsage ? {} : { usage: openAiUsage(json, false) }) };
      send(res, 200, { 'content-type': 'application/json', ...headers }, JSON.stringify(body), f.some((x) => x.kind === 'gzip'));
      return;
    }
    const events: string[] = [];
    if (responses) {
      events.push(`event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { id: 'resp_1', model, status: 'in_progress' } })}\n\n`);
      for (const c of chunks) events.push(`event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', delta: c })}\n\n`);
      events.push(`event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { id: 'resp_1', model, status: 'completed', ...(noUsage ? {} : { usage: openAiUsage(json, true) }) } })}\n\n`);
    } else {
      const include = (json.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true || (flavor === 'router' && (json.usage as { include?: unknown } | undefined)?.include === true);
      const every = f.some((x) => x.kind === 'usage-on-every-chunk');
      const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: Math.floor(now() / 1000), model };
      chunks.forEach((c, n) => {
        const last = n === chunks.length - 1;
        const text = opts.chunkText ? '@@CHUNK@@' : c;
        const chunk: Record<string, unknown> = { ...base, choices: [{ index: 0, delta: n === 0 ? { role: 'assistant', content: text } : { content: text }, finish_reason: last ? 'stop' : null }] };
        if (include) chunk.usage = every && !noUsage ? { ...openAiUsage(json, false), completion_tokens: Math.round((usage.output * (n + 1)) / chunks.length) } : null;
        events.push(`data: ${JSON.stringify(chunk)}\n\n`);
      });
      if (f.some((x) => x.kind === 'malformed-line')) events.splice(1, 0, 'data: {"id": "broken", \n\n');
      if (include && !noUsage && !every) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: openAiUsage(json, false) })}\n\n`);
      events.push('data: [DONE]\n\n');
    }
    stream(res, events, f, headers);
  }

  function anthropic(req: LlmRequest, res: ServerResponse, f: LlmFault[]): void {
    const json = req.json ?? {};
    const model = typeof json.model === 'string' ? json.model : 'claude-sonnet-4-20250514';
    const headers = rateHeaders(true);
    const noUsage = f.some((x) => x.kind === 'no-usage');
    const start = { input_tokens: usage.input - usage.cached - usage.cacheWrite, cache_creation_input_tokens: usage.cacheWrite, cache_read_input_tokens: usage.cached, output_tokens: 1 };
    if (json.stream !== true) {
      const body = { id: 'msg_1', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: chunks.join('') }], stop_reason: 'end_turn', usage: { ...start, output_tokens: usage.output } };
      send(res, 200, { 'content-type': 'application/json', ...headers }, JSON.stringify(body), f.some((x) => x.kind === 'gzip'));
      return;
    }
    const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    const events = [ev('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage: start } }), ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }), ev('ping', { type: 'ping' })];
    chunks.forEach((c, n) => {
      events.push(ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: c } }));
      // Cumulative, like the real API: a client that added these up would count too much.
      if (f.some((x) => x.kind === 'usage-on-every-chunk') && n < chunks.length - 1) events.push(ev('message_delta', { type: 'message_delta', delta: {}, usage: { output_tokens: Math.round((usage.output * (n + 1)) / chunks.length) } }));
    });
    events.push(ev('content_block_stop', { type: 'content_block_stop', index: 0 }));
    if (!noUsage) events.push(ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } }));
    events.push(ev('message_stop', { type: 'message_stop' }));
    stream(res, events, f, headers);
  }

  const server: Server = createServer((r, res) => {
    const parts: Buffer[] = [];
    r.on('data', (c: Buffer) => parts.push(c));
    r.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      let json: Record<string, unknown> | null;
      try {
        json = body ? (JSON.parse(body) as Record<string, unknown>) : null;
      } catch {
        json = null;
      }
      const path = new URL(r.url ?? '/', 'http://fake').pathname;
      const req: LlmRequest = { method: r.method ?? 'GET', path, headers: r.headers, body, json };
      if (requests.length > 2000) requests.splice(0, 1000);
      requests.push(req);
      const f = take();
      const answer = () => {
        const status = f.find((x) => x.kind === 'status') as Extract<LlmFault, { kind: 'status' }> | undefined;
        if (status) {
          const headers = { 'content-type': status.contentType ?? 'application/json', ...(status.status === 429 ? rateHeaders(path.endsWith('/messages')) : {}), ...status.headers };
          send(res, status.status, headers, status.body ?? '', false);
          return;
        }
        if (path.endsWith('/messages')) anthropic(req, res, f);
        else if (/\/(chat\/completions|completions|responses|embeddings)$/.test(path)) openAi(req, res, f);
        else send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ error: { message: `No route ${path}` } }), false);
      };
      const delay = (f.find((x) => x.kind === 'delay') as { ms: number } | undefined)?.ms ?? opts.answerDelayMs;
      if (delay) later(delay, answer);
      else answer();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (fault, times = 1) => void faults.push({ fault, times }),
    open: () => live.size,
    get closedEarly() {
      return fake.closedEarly;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
