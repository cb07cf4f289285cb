// The proxy on a port of its own, loopback only: what the desktop app starts (`spendbar serve` mounts the same
// handler at /proxy/ on its own port instead). Nothing but /proxy/… is served here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeIdleUpstreams } from './forward.ts';
import { PROXY_PREFIX, type ProxyHandler } from './handler.ts';
import { log } from '../log.ts';

/** The desktop app's proxy port, so apps' base URLs stay the same from one launch to the next. */
export const DEFAULT_PROXY_PORT = 8788;

export interface RunningProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startProxyServer(opts: { handler: ProxyHandler; port?: number; host?: string }): Promise<RunningProxy> {
  const host = opts.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy.local').pathname;
    if (!path.startsWith(PROXY_PREFIX)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Spendbar metering proxy: send requests to /proxy/<account id>/<API path>.\n');
      return;
    }
    opts.handler(req, res).catch((err: unknown) => {
      log.error('spendbar: proxy request failed:', err instanceof Error ? err.message : String(err));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"Spendbar\'s proxy hit an internal error."}}');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PROXY_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        closeIdleUpstreams();
      }),
  };
}
