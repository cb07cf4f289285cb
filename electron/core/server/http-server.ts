// The headless face: the JSON API the dashboard uses, server-sent events for live updates, /metrics for
// Prometheus, and the built dashboard itself. Loopback by default; any other host needs a bearer token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { HTTP_ROUTES, type SpendbarApi, type SpendbarEvent } from '../../../shared/api.ts';
import { formatIssues, MAX_QUERY_SPAN_MS } from '../../../shared/schemas.ts';
import { requestFilterFromQuery } from '../../../shared/metering.ts';
import { MAX_ESTIMATE_BYTES } from '../../../shared/estimate.ts';
import type { UsageTotals } from '../../../shared/domain.ts';
import type { AlertHistoryFilter } from '../../../shared/alerts.ts';
import { AccountInputError } from '../accounts.ts';
import { ConnectionTestError } from '../engine.ts';
import { redact } from '../errors.ts';
import { renderMetrics } from './metrics.ts';
import { serveStatic } from './static.ts';

export interface ServerOptions {
  api: SpendbarApi;
  host?: string;
  port?: number;
  /** Required when host is not loopback. */
  token?: string;
  /** Built dashboard (dist/renderer); the API still works without it. */
  staticDir?: string;
  /** Secrets to scrub from any error text, just in case. */
  secrets?: () => string[];
  /** The metering proxy's handler, mounted at /proxy/ (its own auth rules: electron/core/proxy/auth.ts). */
  proxy?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
/** The estimate's input may be 1 MiB of text; JSON quoting can grow it, so its route reads up to twice that. */
const MAX_ESTIMATE_BODY = 2 * MAX_ESTIMATE_BYTES + 65_536;

const NO_DASHBOARD_PAGE = `<!doctype html><meta charset="utf-8"><title>Spendbar</title>
<h1>Spendbar is running, but this copy has no dashboard</h1>
<p>It was installed without its built dashboard files (<code>dist/renderer</code>). The JSON API under <code>/api/</code> and
Prometheus <code>/metrics</code> work. Reinstall Spendbar from a checkout with <code>npm install</code>: <code>spendbar serve</code> then
builds the dashboard on its first start.</p>
`;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class HttpError extends Error {
  readonly status: number;
  readonly field: string | undefined;
  constructor(status: number, message: string, field?: string) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.token) {
    throw new Error(`Serving on ${host} exposes your spend to the network: set a bearer token with --token or SPENDBAR_TOKEN.`);
  }
  const api = opts.api;
  const sse = new Set<ServerResponse>();
  const pollErrors = new Map<string, number>();
  let keepAlive: NodeJS.Timeout | undefined;

  const unsubscribe = api.subscribe((event: SpendbarEvent) => {
    if (event.type === 'snapshot' && !event.snapshot.ok) {
      pollErrors.set(event.snapshot.accountId, (pollErrors.get(event.snapshot.accountId) ?? 0) + 1);
    }
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of sse) res.write(line);
  });

  const routes: Record<string, (req: IncomingMessage, body: unknown, url: URL) => Promise<unknown>> = {
    [`GET ${HTTP_ROUTES.info}`]: () => api.getInfo(),
    [`GET ${HTTP_ROUTES.providers}`]: () => api.listProviders(),
    [`GET ${HTTP_ROUTES.accounts}`]: () => api.listAccounts(),
    [`POST ${HTTP_ROUTES.accounts}`]: (_r, body) => {
      const b = asObject(body);
      return api.saveAccount(asObject(b.input) as never, { force: b.force === true });
    },
    [`POST ${HTTP_ROUTES.testAccount}`]: (_r, body) => api.testAccount(asObject(body) as never),
    [`GET ${HTTP_ROUTES.status}`]: () => api.getStatus(),
    [`POST ${HTTP_ROUTES.series}`]: (_r, body) => api.querySeries(asObject(body) as never),
    [`POST ${HTTP_ROUTES.totals}`]: (_r, body) => api.queryTotals(asObject(body) as never),
    [`GET ${HTTP_ROUTES.filters}`]: () => api.filterValues(),
    [`POST ${HTTP_ROUTES.refresh}`]: (_r, body) => {
      const id = body === undefined ? undefined : asObject(body).accountId;
      if (id !== undefined && typeof id !== 'string') throw new HttpError(400, 'accountId must be a string.', 'accountId');
      return api.refresh(id);
    },
    [`GET ${HTTP_ROUTES.alerts}`]: () => api.getAlerts(),
    [`PUT ${HTTP_ROUTES.alerts}`]: (_r, body) => api.saveAlerts(asObject(body) as never),
    [`POST ${HTTP_ROUTES.alertPreview}`]: (_r, body) => {
      const b = asObject(body);
      if (b.days !== undefined && typeof b.days !== 'number') throw new HttpError(400, 'days must be a number.', 'days');
      return api.previewAlertRule(b.rule, b.days as number | undefined);
    },
    [`GET ${HTTP_ROUTES.alertHistory}`]: (_r, _b, url) => api.alertHistory(historyFilter(url.searchParams)),
    [`POST ${HTTP_ROUTES.alertSnooze}`]: (_r, body) => {
      const b = asObject(body);
      const until = b.until;
      if (until !== '1h' && until !== 'tomorrow' && typeof until !== 'number') throw new HttpError(400, 'until must be "1h", "tomorrow" or a time in epoch ms.', 'until');
      const target = typeof b.eventId === 'number' ? { eventId: b.eventId } : typeof b.ruleId === 'string' ? { ruleId: b.ruleId, ...(typeof b.subject === 'string' ? { subject: b.subject } : {}) } : null;
      if (!target) throw new HttpError(400, 'Give the eventId of an alert, or a ruleId, to snooze.', 'eventId');
      return api.snoozeAlert(target, until);
    },
    [`POST ${HTTP_ROUTES.alertAcknowledge}`]: async (_r, body) => {
      const id = asObject(body).eventId;
      if (typeof id !== 'number') throw new HttpError(400, 'eventId must be a number.', 'eventId');
      return { acknowledged: await api.acknowledgeAlert(id) };
    },
    [`POST ${HTTP_ROUTES.alertTest}`]: (_r, body) => {
      const b = asObject(body);
      const channel = typeof b.channelId === 'string' ? b.channelId : b.channel;
      if (channel === undefined) throw new HttpError(400, 'Give a channelId or a channel to test.', 'channelId');
      return api.testAlertChannel(channel as never);
    },
    [`GET ${HTTP_ROUTES.requests}`]: (_r, _b, url) => {
      const parsed = requestFilterFromQuery(url.searchParams);
      if (!parsed.success) throw new HttpError(400, formatIssues(parsed.error));
      return api.listRequests(parsed.data);
    },
    [`GET ${HTTP_ROUTES.requestsSummary}`]: (_r, _b, url) => {
      const q = url.searchParams;
      const range: { from?: number; to?: number } = {};
      for (const k of ['from', 'to'] as const) {
        const v = q.get(k);
        if (v === null) continue;
        if (!/^\d+$/.test(v)) throw new HttpError(400, `${k} must be a time in epoch milliseconds.`, k);
        range[k] = Number(v);
      }
      return api.meterSummary(range);
    },
    [`POST ${HTTP_ROUTES.proxyCopyToken}`]: () => api.copyProxyToken(),
    [`POST ${HTTP_ROUTES.estimate}`]: (_r, body) => api.estimateCost(asObject(body) as never),
    [`GET ${HTTP_ROUTES.spend}`]: () => api.getSpendSummary(),
    [`PUT ${HTTP_ROUTES.budgets}`]: (_r, body) => {
      const budgets = asObject(body).budgets;
      if (!Array.isArray(budgets)) throw new HttpError(400, 'Send {"budgets": [{"currency": "USD", "amount": 50}]}.', 'budgets');
      return api.saveBudgets(budgets as never);
    },
    [`POST ${HTTP_ROUTES.pause}`]: async (_r, body) => {
      const paused = asObject(body).paused;
      if (typeof paused !== 'boolean') throw new HttpError(400, 'paused must be true or false.', 'paused');
      await api.setPaused(paused);
      return undefined;
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://spendbar.local');
    const method = req.method ?? 'GET';
    // Refuse DNS-rebinding: a page on another site resolving its name to 127.0.0.1 sends its own Host header.
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (isLoopback(host) && hostHeader && !isLoopback(hostHeader)) throw new HttpError(403, 'Unexpected Host header.');
    // The metering proxy is for SDKs, not the dashboard: its own rules decide who gets in (the serve token off
    // this machine, never a browser page), not the API's bearer check, since SDKs send a provider key there.
    if (opts.proxy && url.pathname.startsWith('/proxy/')) return opts.proxy(req, res);
    const isApi = url.pathname.startsWith('/api/') || url.pathname === HTTP_ROUTES.metrics;
    if (isApi && opts.token && !authorized(req, url, opts.token)) {
      res.setHeader('www-authenticate', 'Bearer realm="spendbar"');
      throw new HttpError(401, 'Missing or wrong bearer token. Open the dashboard with #token=<token> or send Authorization: Bearer <token>.');
    }
    if (method === 'GET' && url.pathname === HTTP_ROUTES.events) return openEvents(req, res);
    if (method === 'GET' && url.pathname === HTTP_ROUTES.metrics) {
      const text = await metrics();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    const accountMatch = /^\/api\/accounts\/([^/]+)$/.exec(url.pathname);
    // POST /api/accounts/test is the connection test; an old account called "test" is still edited and removed here.
    if (accountMatch && !(method === 'POST' && url.pathname === HTTP_ROUTES.testAccount)) {
      const id = decodeURIComponent(accountMatch[1] ?? '');
      if (method === 'DELETE') {
        await api.removeAccount(id);
        res.writeHead(204).end();
        return;
      }
      if (method === 'PUT') {
        const b = asObject(await readBody(req));
        return sendJson(res, 200, await api.saveAccount({ ...asObject(b.input), id } as never, { force: b.force === true }));
      }
      throw new HttpError(405, `${method} is not allowed on ${url.pathname}.`);
    }
    const route = routes[`${method} ${url.pathname}`];
    if (route) {
      const estimating = url.pathname === HTTP_ROUTES.estimate;
      const body = method === 'POST' || method === 'PUT' ? await readBody(req, estimating ? MAX_ESTIMATE_BODY : MAX_BODY, estimating ? `The estimate input is limited to ${MAX_ESTIMATE_BYTES / 1_048_576} MiB of text.` : undefined) : undefined;
      const out = await route(req, body, url);
      if (out === undefined) res.writeHead(204).end();
      else sendJson(res, 200, out);
      return;
    }
    if (url.pathname.startsWith('/api/')) throw new HttpError(404, `No API route ${method} ${url.pathname}.`);
    if ((method === 'GET' || method === 'HEAD') && opts.staticDir && (await serveStatic(opts.staticDir, url.pathname, res))) return;
    if (!opts.staticDir && url.pathname === '/') {
      // Only a copy installed without its dist/ and without the tools to build it gets here (bin/spendbar.js builds
      // the dashboard before every serve): say what is missing, not how to develop Spendbar.
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'" });
      res.end(NO_DASHBOARD_PAGE);
      return;
    }
    throw new HttpError(404, `Nothing at ${url.pathname}.`);
  }

  function openEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    sse.add(res);
    // Heartbeat only while someone listens: an idle server keeps no timers.
    keepAlive ??= setInterval(() => {
      for (const r of sse) r.write(': keep-alive\n\n');
    }, 25_000);
    void api.getStatus().then((statuses) => res.write(`data: ${JSON.stringify({ type: 'status', statuses })}\n\n`));
    req.on('close', () => {
      sse.delete(res);
      if (sse.size === 0 && keepAlive) {
        clearInterval(keepAlive);
        keepAlive = undefined;
      }
    });
  }

  async function metrics(): Promise<string> {
    const [accounts, statuses] = await Promise.all([api.listAccounts(), api.getStatus()]);
    const usageByAccount = new Map<string, UsageTotals[]>();
    // Counters over the longest span a query may cover (older usage is long past any scrape's interest).
    const to = Date.now() + 86_400_000;
    for (const a of accounts) {
      usageByAccount.set(a.id, await api.queryTotals({ groupBy: 'model', from: to - MAX_QUERY_SPAN_MS, to, accountIds: [a.id] }));
    }
    return renderMetrics({ accounts, statuses, usageByAccount, pollErrors });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err, opts.secrets?.() ?? []));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        if (keepAlive) clearInterval(keepAlive);
        for (const r of sse) r.end();
        sse.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function historyFilter(q: URLSearchParams): AlertHistoryFilter {
  const f: AlertHistoryFilter = {};
  const num = (name: string) => {
    const v = q.get(name);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new HttpError(400, `${name} must be a number.`, name);
    return n;
  };
  const from = num('from');
  const to = num('to');
  const limit = num('limit');
  if (from !== undefined) f.from = from;
  if (to !== undefined) f.to = to;
  if (limit !== undefined) f.limit = limit;
  const ruleId = q.get('ruleId');
  const accountId = q.get('accountId');
  const kind = q.get('kind');
  const ack = q.get('acknowledged');
  if (ruleId) f.ruleId = ruleId;
  if (accountId) f.accountId = accountId;
  if (kind === 'fired' || kind === 'recovered') f.kind = kind;
  if (ack === 'true' || ack === 'false') f.acknowledged = ack === 'true';
  return f;
}

function authorized(req: IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization;
  const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : url.pathname === HTTP_ROUTES.events ? url.searchParams.get('token') : null;
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage, max = MAX_BODY, tooLarge = 'Request body too large.'): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, tooLarge);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  // Only JSON: a cross-site HTML form cannot send application/json without a CORS preflight, which we never grant.
  if (!type.startsWith('application/json')) throw new HttpError(415, 'Send the request body as application/json.');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

function asObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'Expected a JSON object in the request body.');
  return v as Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, err: unknown, secrets: string[]): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof ConnectionTestError) {
    sendJson(res, 422, { error: { message: redact(err.message, secrets) }, test: err.test });
    return;
  }
  if (err instanceof HttpError || err instanceof AccountInputError) {
    const status = err instanceof HttpError ? err.status : 400;
    sendJson(res, status, { error: { message: redact(err.message, secrets), ...(err.field ? { field: err.field } : {}) } });
    return;
  }
  console.error('spendbar: request failed:', redact(err instanceof Error ? err.message : String(err), secrets));
  sendJson(res, 500, { error: { message: 'Spendbar hit an internal error; see the server log.' } });
}
