// The metering proxy's request handler: `/proxy/<accountId>/<path>` → the account's API. Bytes go to the client as
// they arrive (back-pressure honoured); usage, cost and rate-limit headers are read on the side and handed to the
// recorder once the response is over, so nothing on the response path waits for pricing or the database.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Account } from '../../../shared/domain.ts';
import type { RateLimit, RequestKind } from '../../../shared/metering.ts';
import { APP_HEADER, checkClient, chooseKey, parseAppHeader, ProxyAuthError } from './auth.ts';
import { errorBody, HopError, hopError, openUpstream, requestHeaders, responseHeaders } from './forward.ts';
import { readRateLimit } from './ratelimit.ts';
import { isRouter, planBody, styleOf, unmeteredReason, upstreamBase, upstreamUrl } from './upstream.ts';
import { UsageMeter, type ApiStyle, type MeteredUsage, type MissingUsage } from './usage.ts';
import { BodyReader, BodyTooLargeError } from '../server/body-reader.ts';
import { createSideReader, type SideReader } from './side-reader.ts';
import { createAdmission, STARTS_PER_TURN } from './admission.ts';
import { optimizingCompilers } from '../compilers.ts';
import { log } from '../log.ts';
import { closeAfterRefusal } from '../server/refused-upload.ts';

export const PROXY_PREFIX = '/proxy/';
/** Largest request body forwarded (Anthropic's own limit is 32 MB). */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

export interface ProxyTimeouts {
  /** Until the provider accepts the connection. */
  connectMs: number;
  /** Until the provider's response headers arrive (a long completion may think for minutes). */
  headersMs: number;
  /** Longest silence between two chunks of a response. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: ProxyTimeouts = { connectMs: 10_000, headersMs: 600_000, idleMs: 300_000 };

/** What the handler knows about one account: never more than it needs. */
export interface ProxyAccount {
  account: Account;
  defaultBaseUrl: string;
  /** The stored key inserted for the proxy token; undefined when the account has none (or only an admin key). */
  storedKey: string | undefined;
  /** Why no stored key is inserted for this account, when that is by design. */
  noKeyReason?: string | undefined;
}

/** Everything recorded about one request (no text, no key). */
export interface ProxyRecord {
  time: number;
  accountId: string;
  provider: string;
  /** The key, masked. */
  key: string;
  /** Which key (a keyed hash of it: never the key). */
  keyId: string;
  app: string;
  kind: RequestKind;
  modelRequested: string;
  endpoint: string;
  stream: boolean;
  status: number;
  usage: MeteredUsage;
  latencyMs: number;
  ttfbMs: number | null;
  rateLimit: RateLimit | null;
  note: string | null;
  /**
   * Set when the provider did not report every figure: what the recorder needs to estimate the rest before the row
   * is stored (the parsed request body and the reply text held, both dropped once estimated; never stored).
   */
  toEstimate?: { body: unknown; missing: MissingUsage };
}

export interface ProxyDeps {
  account(id: string): ProxyAccount | undefined;
  proxyToken(): string;
  /** A stable, non-reversible id of a key (keyed hash); the key itself is never kept. */
  keyId?(key: string): string;
  serveToken?: string | undefined;
  record(r: ProxyRecord): void;
  /**
   * Sees the parsed request body next to its record, after the response ended (the estimate's accuracy sampler,
   * electron/core/estimate/observed.ts). Must return at once; the body is never kept by the proxy.
   */
  observe?(body: unknown, r: ProxyRecord): void;
  now?: () => number;
  timeouts?: Partial<ProxyTimeouts>;
  maxRequestBytes?: number;
  /** How many new requests start per event-loop turn (admission.ts); null: no limit. Default: STARTS_PER_TURN. */
  startsPerTurn?: number | null;
}

export type ProxyHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function fail(res: ServerResponse, style: ApiStyle, status: number, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(style, status, message);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-spendbar-proxy-error': '1', ...extra });
  res.end(body);
}

export function createProxyHandler(deps: ProxyDeps): ProxyHandler {
  const now = deps.now ?? Date.now;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const maxBytes = deps.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const admission = deps.startsPerTurn === null ? null : createAdmission(deps.startsPerTurn ?? STARTS_PER_TURN);

  return async function handle(req, res) {
    const t0 = now();
    // Traffic turns V8's optimizing compilers on in `spendbar serve` (compilers.ts).
    optimizingCompilers.note();
    // A burst of arrivals starts a few per turn, so the streams already running keep flowing (admission.ts). The
    // latency recorded includes the wait.
    const turn = admission?.enter();
    if (turn) await turn;
    const url = new URL(req.url ?? '/', 'http://proxy.local');
    const rest = url.pathname.slice(PROXY_PREFIX.length);
    const slash = rest.indexOf('/');
    let accountId: string;
    try {
      accountId = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    } catch {
      accountId = rest.slice(0, slash < 0 ? undefined : slash);
    }
    const path = slash < 0 ? '/' : rest.slice(slash);
    const style = styleOf(path);
    try {
      checkClient({ remoteAddress: req.socket.remoteAddress, headers: req.headers, serveToken: deps.serveToken });
    } catch (err) {
      if (err instanceof ProxyAuthError) return fail(res, style, err.status, err.message);
      throw err;
    }
    const entry = deps.account(accountId);
    if (!entry) return fail(res, style, 404, `Spendbar has no account '${accountId}': use /proxy/<account id>/… with the id shown in Spendbar's Accounts view.`);
    let key;
    try {
      key = chooseKey(req.headers, deps.proxyToken(), entry.storedKey, entry.noKeyReason, deps.keyId);
    } catch (err) {
      if (err instanceof ProxyAuthError) return fail(res, style, err.status, err.message);
      // A misconfigured proxy token (its message names the setting, never a value).
      return fail(res, style, 500, `Spendbar's proxy is misconfigured: ${err instanceof Error ? err.message : String(err)}`);
    }
    let raw: Buffer;
    try {
      raw = await new BodyReader(maxBytes).read(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        closeAfterRefusal(res);
        return fail(res, style, 413, `Spendbar's proxy forwards request bodies up to ${Math.round(maxBytes / 1048576)} MB; this one is ${err.size ? `${Math.round(err.size / 1048576)} MB` : 'larger'}. Send smaller requests (e.g. upload files through the provider's files API).`);
      }
      return; // the client went away while sending
    }
    const account = entry.account;
    const plan = planBody(raw, req.headers['content-type'], path, style, isRouter(account));
    const { app, kind } = parseAppHeader(req.headers[APP_HEADER]);
    const base = upstreamBase(account, entry.defaultBaseUrl);
    if (base === null) return fail(res, style, 400, `Spendbar cannot meter account '${account.id}': ${unmeteredReason(account)}.`);
    let target: URL;
    try {
      target = upstreamUrl(base, path, url.search);
    } catch (err) {
      if (err instanceof RangeError) return fail(res, style, 400, err.message);
      return fail(res, style, 502, `Spendbar's proxy cannot build an upstream URL from the account's base URL '${base}'. Fix the base URL in Accounts.`);
    }
    const meter = new UsageMeter(style);
    let status = 0;
    let ttfb: number | null = null;
    let rateHeaders: { headers: IncomingMessage['headers']; at: number } | null = null;
    let note: string | null = null;
    let done = false;
    let reader: SideReader | null = null;
    const finish = (finalStatus: number) => {
      if (done) return;
      done = true;
      if (reader) {
        // Events held unread are read now only if the estimate needs their text (after the client got its end).
        reader.settle();
        note ??= reader.problem();
      }
      const rateLimit: RateLimit | null = rateHeaders ? readRateLimit(rateHeaders.headers, status, rateHeaders.at) : null;
      const usage = meter.result();
      // A failed answer that reported nothing consumed nothing: record it without estimates.
      const failed = finalStatus < 200 || finalStatus >= 300;
      // Nothing was generated: a failed answer that reported no usage, or a call that names no model (GET /v1/models).
      const none = !meter.sawUsage && ((failed && finalStatus !== 499) || (!plan.model && !usage.model));
      const missing = none ? null : meter.missing();
      const record: ProxyRecord = {
        time: t0,
        accountId: account.id,
        provider: account.provider,
        key: key.keyLabel,
        keyId: key.keyId,
        app,
        kind,
        modelRequested: plan.model,
        endpoint: path,
        stream: plan.stream,
        status: finalStatus,
        usage: none ? { ...usage, inputTokens: 0, outputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false } : usage,
        latencyMs: now() - t0,
        ttfbMs: ttfb,
        rateLimit,
        note,
      };
      if (missing) record.toEstimate = { body: plan.json, missing };
      deps.record(record);
      if (deps.observe && plan.json) {
        try {
          deps.observe(plan.json, record);
        } catch (err) {
          log.error('spendbar: the estimate sampler failed:', err instanceof Error ? err.message : err);
        }
      }
    };

    const upReq = openUpstream(target, req.method ?? 'POST', requestHeaders(req.headers, { stream: plan.stream, bodyLength: plan.body.length, key: key.headers }));
    // One timer per request, created once: arming only moves the deadline (no timer churn per phase or per streamed
    // event). A timer that fires before the deadline sleeps on until it; only a deadline earlier than the armed
    // timer's (the idle limit after a longer wait for headers) arms it anew.
    let timer: NodeJS.Timeout | undefined;
    let deadline = 0;
    let firesAt = 0;
    let limitMs = 0;
    let limitWhat = '';
    const schedule = (ms: number) => {
      timer = setTimeout(expire, ms);
      timer.unref?.();
      firesAt = deadline;
    };
    const expire = () => {
      const left = deadline - Date.now();
      if (left > 0) return schedule(left);
      timer = undefined;
      const secs = limitMs >= 10_000 ? String(Math.round(limitMs / 1000)) : (limitMs / 1000).toFixed(1);
      upReq.destroy(new HopError(504, `${target.host} ${limitWhat} within ${secs} s; Spendbar's proxy gave up.`));
    };
    const disarm = () => {
      clearTimeout(timer);
      timer = undefined;
    };
    const arm = (ms: number, what: string) => {
      deadline = Date.now() + ms;
      limitMs = ms;
      limitWhat = what;
      if (timer && firesAt <= deadline) return;
      clearTimeout(timer);
      schedule(ms);
    };
    arm(timeouts.connectMs, 'did not accept the connection');
    upReq.on('socket', (socket) => {
      const connected = () => arm(timeouts.headersMs, 'did not answer');
      if ((socket as { connecting?: boolean }).connecting) socket.once('connect', connected);
      else connected();
    });

    // The client hung up before the response ended: stop the provider's work too, and keep what was measured.
    res.on('close', () => {
      if (res.writableFinished) return;
      disarm();
      if (!done) {
        note = ttfb === null ? 'The client hung up before the provider answered.' : 'The client hung up mid-response; the provider request was aborted.';
        upReq.destroy();
        finish(499);
      }
    });

    upReq.on('error', (err) => {
      disarm();
      if (done) return;
      const e = hopError(err, target.host);
      note = e.message;
      if (res.headersSent) {
        note = `The connection to ${target.host} dropped mid-response.`;
        res.destroy();
        finish(status || 502);
        return;
      }
      fail(res, style, e.status, e.message);
      finish(e.status);
    });

    upReq.on('response', (upRes: IncomingMessage) => {
      status = upRes.statusCode ?? 502;
      // Read once the response is over (finish), against the time the headers came: not in the response's latency.
      rateHeaders = { headers: upRes.headers, at: now() };
      const isSse = /text\/event-stream/i.test(String(upRes.headers['content-type'] ?? ''));
      const side = createSideReader({
        eventStream: isSse,
        encoding: upRes.headers['content-encoding'] as string | undefined,
        // Spendbar asked for the usage-only chunk, so it is not the client's to see.
        stripUsageChunk: (plan.addedStreamUsage || plan.addedRouterUsage) && status < 300,
        meter,
      });
      reader = side;
      res.writeHead(status, responseHeaders(upRes.headers, { dropLength: side.framed }));
      // A stream's headers go at once (the SDK opens its stream on them); a whole body's go with its first bytes.
      if (isSse) res.flushHeaders();
      arm(timeouts.idleMs, 'went silent mid-response');
      upRes.on('data', (chunk: Buffer) => {
        if (ttfb === null) ttfb = now() - t0;
        arm(timeouts.idleMs, 'went silent mid-response');
        let ok = true;
        for (const piece of side.take(chunk)) ok = res.write(piece) && ok;
        if (!ok) {
          upRes.pause();
          res.once('drain', () => upRes.resume());
        }
      });
      upRes.on('end', () => {
        disarm();
        side.end((tail) => {
          for (const piece of tail) res.write(piece);
          res.end();
          finish(status);
        });
      });
      upRes.on('aborted', () => {
        disarm();
        note = `The connection to ${target.host} dropped mid-response.`;
        res.destroy();
        finish(status);
      });
      upRes.on('error', () => {
        disarm();
        if (done) return;
        note = `The connection to ${target.host} dropped mid-response.`;
        res.destroy();
        finish(status);
      });
    });
    upReq.end(plan.body);
  };
}
