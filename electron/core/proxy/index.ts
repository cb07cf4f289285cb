// The metering proxy's public surface for the core's wiring.
export { Meter, type MeterOptions } from './meter.ts';
export { createProxyHandler, PROXY_PREFIX, MAX_REQUEST_BYTES, type ProxyDeps, type ProxyHandler, type ProxyRecord, type ProxyTimeouts } from './handler.ts';
export { startProxyServer, DEFAULT_PROXY_PORT, type RunningProxy } from './server.ts';
export { closeIdleUpstreams } from './forward.ts';
export { newProxyToken, proxyTokenProblem, PROXY_TOKEN_PREFIX } from './auth.ts';
