// The headless face: the JSON API the dashboard uses, server-sent events for live updates, /metrics for
// Prometheus, and the built dashboard itself. Loopback by default; any other host needs a bearer token.
// Who may call is decided in guard.ts; the routes are in routes.ts; live clients are bounded by event-stream.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP_ROUTES, type SpendbarApi, type SpendbarEvent } from '../../../shared/api.ts';
import { MAX_ESTIMATE_BYTES } from '../../../shared/estimate.ts';
import { AccountInputError } from '../accounts.ts';
import { ConnectionTestError } from '../engine.ts';
import { MAX_REQUEST_BODY_BYTES } from '../limits.ts';
import { BodyReader, BodyTooLargeError } from './body-reader.ts';
import { log } from '../log.ts';
import { Redactor } from '../redaction.ts';
import type { MetricsTotalsSource } from '../store/metrics-totals.ts';
import { EventStream, type EventStreamLimits } from './event-stream.ts';
import { HttpError, UNAUTHORIZED_MESSAGE, checkHost, checkSameOrigin, hasToken, isLoopback } from './guard.ts';
import { optimizingCompilers, SCRAPE_WEIGHT } from '../compilers.ts';
import { acceptsGzip, MetricsExposition, type MetricsBody } from './metrics-body.ts';
import { accountIdFromPath, apiRoutes, asObject } from './routes.ts';
import { closeAfterRefusal } from './refused-upload.ts';
import { isDashboardPage, serveDashboardPage } from './page.ts';
import { serveStatic } from './static.ts';

export { HttpError, isLoopback };

export interface ServerOptions {
  api: SpendbarApi;
  host?: string;
  port?: number;
  /** Required when host is not loopback. */
  token?: string;
  /** Built dashboard (dist/renderer); the API still works without it. */
  staticDir?: string;
  /**
   * The core's redactor. The API's answers and events were scrubbed by the core already; the server adds its token
   * to the redactor and scrubs what it writes itself (errors, /metrics, log lines).
   */
  redactor?: Redactor;
  eventStream?: Partial<EventStreamLimits>;
  /**
   * The store's all-time counters for /metrics (read when its version moved since the last scrape); without it the
   * counter families are empty. Their tables are made when the server starts.
   */
  metricsTotals?: MetricsTotalsSource;
  /** The metering proxy's handler, mounted at /proxy/ (its own auth rules: electron/core/proxy/auth.ts). */
  proxy?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** An event-stream client went away: what was queued for it is garbage now (the core's idle trim). */
  afterBurst?: () => void;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Live event-stream clients now. */
  eventClients(): number;
  close(): Promise<void>;
}

const NO_DASHBOARD_PAGE = `<!doctype html><meta charset="utf-8"><title>Spendbar</title>
<h1>Spendbar is running, but this copy has no dashboard</h1>
<p>It was installed without its built dashboard files (<code>dist/renderer</code>). The JSON API under <code>/api/</code> and
Prometheus <code>/metrics</code> work. Reinstall Spendbar from a checkout with <code>npm install</code>: <code>spendbar serve</code> then
builds the dashboard on its first start.</p>
`;

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.token) {
    throw new Error(`Serving on ${host} exposes your spend to the network: set a bearer token with --token or SPENDBAR_TOKEN.`);
  }
  const api = opts.api;
  const redactor = opts.redactor ?? new Redactor();
  const token = opts.token;
  const forgetToken = token ? redactor.include(() => [token]) : () => undefined;
  const scrub = <T>(v: T): T => redactor.value(v);
  const stream = new EventStream(opts.eventStream);
  const pollErrors = new Map<string, number>();
  const routes = apiRoutes(api);
  // Numbers and fixed names cannot hold a secret: the redactor looks at each label value, not the whole text.
  const exposition = new MetricsExposition({ source: opts.metricsTotals, scrub: (v) => redactor.text(v), scrubGeneration: () => redactor.generation });
  // Seconds on a year of history, once per database: now, before anything is polled or scraped, not in a scrape.
  // Should it fail (a database from a newer Spendbar), the rest still serves and each scrape tries again.
  try {
    opts.metricsTotals?.prepare();
    // Building them over a year fills SQLite's page cache and grows the heap: give that back, as after any burst.
    opts.afterBurst?.();
  } catch (err) {
    log.error('spendbar: could not make the /metrics counter tables:', redactor.text(err instanceof Error ? err.message : String(err)));
  }

  const unsubscribe = api.subscribe((event: SpendbarEvent) => {
    if (event.type === 'snapshot' && !event.snapshot.ok) {
      pollErrors.set(event.snapshot.accountId, (pollErrors.get(event.snapshot.accountId) ?? 0) + 1);
    }
    stream.broadcast(`data: ${JSON.stringify(event)}\n\n`);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://spendbar.local');
    const method = req.method ?? 'GET';
    checkHost(req, host);
    // The metering proxy is for SDKs, not the dashboard: its own rules decide who gets in (the serve token off
    // this machine, never a browser page), not the API's bearer check, since SDKs send a provider key there.
    if (opts.proxy && url.pathname.startsWith('/proxy/')) return opts.proxy(req, res);
    const isApi = url.pathname.startsWith('/api/') || url.pathname === HTTP_ROUTES.metrics;
    const isEvents = method === 'GET' && url.pathname === HTTP_ROUTES.events;
    if (isApi && opts.token && !hasToken(req, url, opts.token, isEvents)) {
      res.setHeader('www-authenticate', 'Bearer realm="spendbar"');
      throw new HttpError(401, UNAUTHORIZED_MESSAGE);
    }
    checkSameOrigin(req);
    if (isEvents) return openEvents(req, res);
    if (method === 'GET' && url.pathname === HTTP_ROUTES.metrics) {
      optimizingCompilers.note(SCRAPE_WEIGHT);
      const body = await metrics();
      const zipped = acceptsGzip(req.headers['accept-encoding']) ? body.gzipped() : null;
      const bytes = zipped ?? body.text;
      res.writeHead(200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'cache-control': 'no-store',
        vary: 'accept-encoding',
        'content-length': bytes.length,
        ...(zipped ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(bytes);
      return;
    }
    const accountMatch = /^\/api\/accounts\/([^/]+)$/.exec(url.pathname);
    // POST /api/accounts/test is the connection test; an old account called "test" is still edited and removed here.
    if (accountMatch && !(method === 'POST' && url.pathname === HTTP_ROUTES.testAccount)) {
      const id = accountIdFromPath(accountMatch[1] ?? '');
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
      const body =
        method === 'POST' || method === 'PUT'
          ? await readBody(req, estimating ? MAX_ESTIMATE_BODY : MAX_REQUEST_BODY_BYTES, estimating ? `The estimate input is limited to ${MAX_ESTIMATE_BYTES / 1_048_576} MiB of text.` : undefined)
          : undefined;
      const out = await route(req, body, url);
      if (out === undefined) res.writeHead(204).end();
      else sendJson(res, 200, out);
      return;
    }
    if (url.pathname.startsWith('/api/')) throw new HttpError(404, `No API route ${method} ${url.pathname}.`);
    const reading = method === 'GET' || method === 'HEAD';
    // With a token the page request carries none (see page.ts): then the page is served as built and asks the API.
    if (reading && opts.staticDir && !opts.token && isDashboardPage(url.pathname) && (await serveDashboardPage(opts.staticDir, api, res, method === 'HEAD', (t) => redactor.text(t)))) return;
    if (reading && opts.staticDir && (await serveStatic(opts.staticDir, url.pathname, res))) return;
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
    if (!stream.add(res)) {
      throw new HttpError(503, 'Too many live connections to Spendbar; close a dashboard tab and retry.');
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    req.on('close', () => {
      stream.remove(res);
      opts.afterBurst?.();
    });
    // The full status once, on connect; after that only what changes.
    api.getStatus().then(
      (statuses) => stream.sendTo(res, `data: ${JSON.stringify({ type: 'status', statuses })}\n\n`),
      (err: unknown) => {
        log.error('spendbar: could not read the statuses for a new event stream:', redactor.text(err instanceof Error ? err.message : String(err)));
        // Without a status the client would show nothing; it reconnects (retry: 3000) and tries again.
        stream.remove(res);
        res.end();
      },
    );
  }

  async function metrics(): Promise<MetricsBody> {
    // Accounts and statuses are held in memory by the core; the counters are one read of the store, when it changed.
    const [accounts, statuses] = await Promise.all([api.listAccounts(), api.getStatus()]);
    return exposition.render({ accounts, statuses, pollErrors });
  }

  function sendError(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof ConnectionTestError) {
      sendJson(res, 422, scrub({ error: { message: err.message }, test: err.test }));
      return;
    }
    if (err instanceof HttpError || err instanceof AccountInputError) {
      const status = err instanceof HttpError ? err.status : 400;
      if (status === 413) closeAfterRefusal(res);
      sendJson(res, status, scrub({ error: { message: err.message, ...(err.field ? { field: err.field } : {}) } }));
      return;
    }
    log.error('spendbar: request failed:', redactor.text(err instanceof Error ? err.message : String(err)));
    sendJson(res, 500, { error: { message: 'Spendbar hit an internal error; see the server log.' } });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err));
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
    eventClients: () => stream.size,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        forgetToken();
        stream.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage, max = MAX_REQUEST_BODY_BYTES, message?: string): Promise<unknown> {
  let body: Buffer;
  try {
    body = await new BodyReader(max).read(req);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw tooLarge(max, message);
    throw new HttpError(400, 'The request body was cut off before its end.');
  }
  const text = body.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

function tooLarge(max: number, message?: string): HttpError {
  return new HttpError(413, message ?? `Request body too large: Spendbar reads at most ${Math.round(max / 1024 / 1024)} MB.`);
}

/** The estimate's input may be 1 MiB of text; JSON quoting can grow it, so its route reads up to twice that. */
const MAX_ESTIMATE_BODY = 2 * MAX_ESTIMATE_BYTES + 65_536;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
