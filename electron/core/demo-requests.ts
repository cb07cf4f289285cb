// The demo's metered requests, so `serve --demo` has rows in the Requests view. They are not invented: they are the
// demo gateway's own request log (the one its fake serves and the gateway poll reads) for the last DEMO_REQUEST_HOURS
// hours, every other hour of it — as if the apps behind those requests had gone through the proxy. So each metered
// request has a billed twin with the same time, model and tokens, and "metered vs billed" shows the gateway billing
// more than went through the proxy, as it would. The rows are priced by the bundled table like any metered request;
// the rate-limit headroom is the gateway fake's limiter (60 requests per minute), counted down by the requests.
import type { ProxyRecord } from './proxy/handler.ts';
import type { LogRow } from './providers/fakes/newapi-routes.ts';
import { DEMO_NEWAPI_KEY } from './providers/fakes/newapi.ts';
import { maskSecret } from './errors.ts';

export const DEMO_REQUEST_HOURS = 24;
const HOUR = 3_600_000;
/** Which app each gateway model's calls come from in the demo (kind internal for the indexer). */
const APPS: Record<string, { app: string; kind: 'service' | 'internal' }> = {
  'gpt-4o-mini': { app: 'chat-ui', kind: 'service' },
  'claude-sonnet-4': { app: 'support-bot', kind: 'service' },
  'deepseek-chat': { app: 'indexer', kind: 'internal' },
};

/** The gateway log rows of the last hours, as metered request records of the demo gateway account. */
export function demoProxyRecords(log: readonly LogRow[], now: number, keyId: (key: string) => string): ProxyRecord[] {
  const from = now - DEMO_REQUEST_HOURS * HOUR;
  const rows = log.filter((r) => r.created_at * 1000 >= from && r.created_at * 1000 <= now && Math.floor((r.created_at * 1000) / HOUR) % 2 === 0);
  const key = maskSecret(DEMO_NEWAPI_KEY);
  const id = keyId(DEMO_NEWAPI_KEY);
  return rows
    .sort((a, b) => a.created_at - b.created_at)
    .map((r, i): ProxyRecord => {
      const time = r.created_at * 1000;
      const { app, kind } = APPS[r.model_name] ?? { app: '', kind: 'service' };
      const latencyMs = r.use_time * 1000;
      return {
        time,
        accountId: 'demo-gateway',
        provider: 'newapi',
        key,
        keyId: id,
        app,
        kind,
        modelRequested: r.model_name,
        endpoint: '/v1/chat/completions',
        stream: r.is_stream,
        status: 200,
        usage: { model: r.model_name, inputTokens: r.prompt_tokens, outputTokens: r.completion_tokens, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, providerCost: null, estimated: false },
        latencyMs,
        ttfbMs: r.is_stream ? Math.round(latencyMs / 5) : latencyMs,
        rateLimit: { requests: { limit: 60, remaining: 59 - (i % 60), resetAt: time + 60_000 } },
        note: 'Demo request (from the demo gateway\'s request log).',
      };
    });
}
