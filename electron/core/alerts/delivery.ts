// Channels: webhook payloads for generic JSON, Slack, Discord and ntfy, and delivery with bounded retries.
// Messages name the host only: a webhook URL carries its secret in the path.
import type { AlertChannel, AlertEvent, Delivery, Severity } from '../../../shared/alerts.ts';
import { ProviderError, parseRetryAfter } from '../errors.ts';
import { safeHost, type HttpClient, type HttpRequest } from '../http.ts';
import type { Notifier } from '../ports.ts';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 2_000, maxDelayMs: 60_000, timeoutMs: 10_000 };

/** What goes out: an alert (or a summary or test) in channel-neutral form. */
export interface Outgoing {
  title: string;
  body: string;
  severity: Severity;
  time: number;
  accountId?: string;
  event?: AlertEvent;
  test?: boolean;
}

type Webhook = Extract<AlertChannel, { type: 'webhook' }>;

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** After quiet hours: one popup that sums up every alert held during them, as severe as the worst of them. */
export function quietHoursSummary(held: readonly AlertEvent[], now: number): Outgoing {
  const severity = held.reduce<Severity>((s, e) => (RANK[e.severity] > RANK[s] ? e.severity : s), 'info');
  const lines = held.slice(0, 5).map((e) => `• ${e.title}`);
  if (held.length > 5) lines.push(`… and ${held.length - 5} more`);
  const title = held.length === 1 ? `During quiet hours: ${held[0]?.title}` : `${held.length} alerts during quiet hours`;
  return { title, body: lines.join('\n'), severity, time: now };
}

const DISCORD_COLOR: Record<Severity, number> = { info: 0x3b82f6, warning: 0xf59e0b, critical: 0xdc2626 };
const NTFY_PRIORITY: Record<Severity, number> = { info: 3, warning: 4, critical: 5 };

function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webhookRequest(channel: Webhook, msg: Outgoing, timeoutMs: number): HttpRequest {
  const headers = { 'content-type': 'application/json', 'user-agent': 'Spendbar' };
  let url = channel.url;
  let body: unknown;
  switch (channel.format) {
    case 'slack':
      body = { text: `*${slackEscape(msg.title)}*\n${slackEscape(msg.body)}` };
      break;
    case 'discord':
      body = {
        username: 'Spendbar',
        allowed_mentions: { parse: [] },
        embeds: [{ title: msg.title.slice(0, 256), description: msg.body.slice(0, 4000), color: DISCORD_COLOR[msg.severity], timestamp: new Date(msg.time).toISOString() }],
      };
      break;
    case 'ntfy': {
      // JSON publishing goes to the server root with the topic in the body, so any text is safe (headers are not).
      const u = new URL(channel.url);
      const parts = u.pathname.replace(/\/+$/, '').split('/');
      const topic = parts.pop() ?? '';
      u.pathname = `${parts.join('/')}/`;
      url = u.toString();
      body = { topic, title: msg.title, message: msg.body, priority: NTFY_PRIORITY[msg.severity], tags: msg.severity === 'critical' ? ['rotating_light'] : ['moneybag'] };
      break;
    }
    case 'json': {
      const e = msg.event;
      body = {
        source: 'spendbar',
        test: Boolean(msg.test),
        title: msg.title,
        body: msg.body,
        severity: msg.severity,
        time: new Date(msg.time).toISOString(),
        ...(e
          ? { kind: e.kind, id: e.id, rule: { id: e.ruleId, type: e.ruleType, name: e.ruleName ?? null }, subject: e.subject, accountId: e.accountId ?? null, window: e.window, value: e.value, threshold: e.threshold, unit: e.unit }
          : {}),
      };
      break;
    }
  }
  return { method: 'POST', url, headers, body: JSON.stringify(body), timeoutMs };
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface Attempt {
  ok: boolean;
  /** Worth another try: network, timeout, 408, 429, 5xx. */
  retry: boolean;
  message: string;
  retryAfterMs?: number;
}

/** One try of a webhook: ok, a failure worth retrying, or a final one. Never rejects. */
export async function tryWebhook(http: HttpClient, req: HttpRequest, now: () => number): Promise<Attempt> {
  const host = safeHost(req.url);
  try {
    const res = await http(req);
    if (res.status >= 200 && res.status < 300) return { ok: true, retry: false, message: `${host} accepted it (${res.status})` };
    const retry = res.status === 408 || res.status === 429 || res.status >= 500;
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now());
    const hint = res.status === 404 || res.status === 410 ? ' The webhook may have been deleted: check the URL.' : res.status === 401 || res.status === 403 ? ' Check the webhook URL or its token.' : '';
    return { ok: false, retry, message: `${host} answered ${res.status}.${hint}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  } catch (err) {
    const message = err instanceof ProviderError ? err.message : `Could not reach ${host}.`;
    return { ok: false, retry: true, message };
  }
}

/** The wait before try number `attempts + 1`: exponential, at least what the receiver asked, at most the cap. */
export function retryDelay(policy: RetryPolicy, attempts: number, retryAfterMs?: number): number {
  const backoff = policy.baseDelayMs * 4 ** Math.max(0, attempts - 1);
  return Math.min(policy.maxDelayMs, Math.max(backoff, retryAfterMs ?? 0));
}

/** What a delivery that ended says: the last answer, and how many tries it took to give up. */
export function outcome(channelId: string, last: Attempt, attempts: number, at: number): Delivery {
  const message = last.ok ? last.message : attempts > 1 ? `${last.message} (gave up after ${attempts} tries)` : last.message;
  return { channelId, ok: last.ok, attempts, message, at };
}

/**
 * A popup through the Notifier port. It counts as delivered only when the notifier resolved, which it does only once
 * the desktop accepted the popup; any failure (no daemon, exit status, Electron's "failed") is recorded as such.
 */
export async function sendPopup(channelId: string, notifier: Notifier | undefined, msg: Outgoing, now: () => number): Promise<Delivery> {
  if (!notifier) return { channelId, ok: false, attempts: 0, message: 'No desktop notifier in this mode.', at: now() };
  try {
    await notifier.notify({ title: msg.title, body: msg.body, severity: msg.severity, ...(msg.accountId ? { accountId: msg.accountId } : {}) });
    return { channelId, ok: true, attempts: 1, message: 'shown', at: now() };
  } catch (err) {
    return { channelId, ok: false, attempts: 1, message: `The desktop notification failed: ${err instanceof Error ? err.message : String(err)}`, at: now() };
  }
}
