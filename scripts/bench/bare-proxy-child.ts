// For scale in the proxy bench: the least a Node HTTP proxy does — the same keep-alive, no-Nagle upstream agent,
// headers passed as they are, bodies piped, nothing read, recorded or priced. Its CPU per request is the floor the
// metering proxy's own cost is measured against. IPC like proxy-child.ts: {url} once ready, {cpu} on request.
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.argv[2] as string);
// noDelay reaches net.connect through the agent's options (Node's typings for AgentOptions lack it).
const agentOptions = { keepAlive: true, maxFreeSockets: 64, noDelay: true };
const agent = new Agent(agentOptions);
const server = createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host };
  const up = request({ hostname: upstream.hostname, port: upstream.port, path: (req.url ?? '/').replace(/^\/proxy\/[^/]+/, ''), method: req.method, headers, agent }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.headers);
    upRes.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on('message', (m: { type: string }) => {
  if (m.type === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ type: 'cpu', micros: u.user + u.system });
  } else if (m.type === 'stop') {
    server.close();
    agent.destroy();
    process.exit(0);
  }
});
// A bench that stops early (an error, Ctrl-C) closes the IPC channel: go with it rather than linger.
process.on('disconnect', () => process.exit(0));
