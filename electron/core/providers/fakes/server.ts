// A tiny loopback HTTP server the provider fakes are built on. The same fakes serve the tests and
// `spendbar serve --demo`. Each fake can be told to misbehave the ways real providers do.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  /** Milliseconds to wait before answering (timeouts). */
  delayMs?: number;
}

/** A misbehaviour to inject: applies to matching paths, `times` times (default: until cleared). */
export interface Fault {
  path?: string | RegExp;
  times?: number;
  response: FakeResponse;
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeServer {
  url: string;
  port: number;
  /** Every request received, for assertions (headers include auth: tests only). */
  requests: FakeRequest[];
  /** Queue a misbehaviour. */
  fail(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export async function startFakeServer(handler: FakeHandler, opts: { port?: number; host?: string } = {}): Promise<FakeServer> {
  const faults: Fault[] = [];
  const requests: FakeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const fr: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (requests.length > 5000) requests.splice(0, 1000);
      requests.push(fr);
      void respond(fr, res);
    });
  });

  async function respond(fr: FakeRequest, res: ServerResponse): Promise<void> {
    let out: FakeResponse;
    const fault = faults.find((f) => matches(f.path, fr.path));
    if (fault) {
      out = fault.response;
      if (fault.times !== undefined && --fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
    } else {
      try {
        out = await handler(fr);
      } catch (err) {
        out = { status: 500, body: { error: { message: `fake crashed: ${String(err)}` } } };
      }
    }
    const send = () => {
      if (res.destroyed) return;
      const body = out.body === undefined ? '' : typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      const type = typeof out.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
      res.writeHead(out.status ?? 200, { 'content-type': type, ...out.headers });
      res.end(body);
    };
    if (out.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        send();
      }, out.delayMs);
      timers.add(t);
    } else send();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    fail: (fault) => faults.push({ ...fault }),
    clearFaults: () => void faults.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function matches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? path === pattern : pattern.test(path);
}

export function bearerToken(req: FakeRequest): string | undefined {
  const auth = req.headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

/** Ready-made misbehaviours, so every adapter is tested against the same set. */
export const FAULTS = {
  html: (status = 502): FakeResponse => ({ status, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>' }),
  malformed: (): FakeResponse => ({ status: 200, body: '{"data": {"total_credits": 12.5, "total_us' }),
  rateLimited: (seconds = 7): FakeResponse => ({ status: 429, headers: { 'retry-after': String(seconds) }, body: { error: { message: 'Rate limit exceeded' } } }),
  serverError: (status = 503): FakeResponse => ({ status, body: { error: { message: 'upstream unavailable' } } }),
  hang: (ms = 60_000): FakeResponse => ({ delayMs: ms, body: {} }),
} as const;
