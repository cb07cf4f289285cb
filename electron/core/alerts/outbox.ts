// Webhook deliveries that survive a crash. The engine writes what it owes (alert, channel) in the same transaction
// as the alert itself; the outbox then tries, backs off, and records the outcome on the alert, clearing the debt in
// the same transaction. Each try and its next due time are written as they happen, so a process killed during a
// back-off resumes at the next start where it left off, and an alert is still delivered once per breach (a receiver
// that answered 2xx just before a crash may see it twice: the JSON payload's `id` lets it tell).
import type { AlertChannel, AlertEvent, Delivery } from '../../../shared/alerts.ts';
import type { HttpClient } from '../http.ts';
import { log } from '../log.ts';
import { outcome, retryDelay, sleep, tryWebhook, webhookRequest, type Attempt, type Outgoing, type RetryPolicy } from './delivery.ts';
import type { AlertRepo } from './repo.ts';

type Webhook = Extract<AlertChannel, { type: 'webhook' }>;

export interface OutboxOptions {
  repo: AlertRepo;
  http: () => HttpClient;
  retry: () => RetryPolicy;
  now: () => number;
  /** The core's redaction of outgoing text: a stored alert from an older version is scrubbed again on its way out. */
  scrub: (text: string) => string;
}

/** An alert in channel-neutral form, for its webhooks and popups. */
export function outgoingFor(event: AlertEvent, scrub: (text: string) => string = (t) => t): Outgoing {
  return {
    title: scrub(event.title),
    body: scrub(event.body),
    severity: event.severity,
    time: event.time,
    event,
    ...(event.accountId ? { accountId: event.accountId } : {}),
  };
}

export class Outbox {
  private readonly opts: OutboxOptions;
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();
  /** "eventId|channelId" of deliveries under way in this process, so a resume never runs one twice. */
  private readonly active = new Set<string>();

  constructor(opts: OutboxOptions) {
    this.opts = opts;
  }

  /** Records that the event is owed to the channel. Call inside the transaction that records the event. */
  owe(eventId: number, channelId: string): void {
    this.opts.repo.addPending(eventId, channelId, this.opts.now());
  }

  /** Starts (or continues) delivering one owed alert. */
  send(event: AlertEvent, channel: Webhook, attemptsSoFar = 0, nextAt = this.opts.now()): void {
    const key = `${event.id}|${channel.id}`;
    if (this.active.has(key) || this.abort.signal.aborted) return;
    this.active.add(key);
    const job = this.deliver(event, channel, attemptsSoFar, nextAt)
      .catch((err: unknown) => log.error('spendbar: alert delivery failed:', err))
      .finally(() => {
        this.active.delete(key);
        this.running.delete(job);
      });
    this.running.add(job);
  }

  /** Picks up what an earlier process still owed, with the channels as configured now. */
  resume(channels: readonly AlertChannel[]): void {
    for (const p of this.opts.repo.pending()) {
      const event = this.opts.repo.event(p.eventId);
      const channel = channels.find((c): c is Webhook => c.id === p.channelId && c.type === 'webhook');
      if (!event) {
        this.opts.repo.finishPending(p.eventId, { channelId: p.channelId, ok: false, attempts: p.attempts, message: 'The alert no longer exists.', at: this.opts.now() });
      } else if (!channel) {
        this.finish(p.eventId, { channelId: p.channelId, ok: false, attempts: p.attempts, message: 'The channel was removed before the alert could be delivered.', at: this.opts.now() });
      } else {
        this.send(event, channel, p.attempts, p.nextAt);
      }
    }
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Cuts waits short and lets tries under way finish; what is still owed stays owed for the next start. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private async deliver(event: AlertEvent, channel: Webhook, attemptsSoFar: number, firstAt: number): Promise<void> {
    const { repo, now } = this.opts;
    const signal = this.abort.signal;
    let attempts = attemptsSoFar;
    let nextAt = firstAt;
    const msg = outgoingFor(event, this.opts.scrub);
    for (;;) {
      const policy = this.opts.retry();
      const wait = nextAt - now();
      if (wait > 0) await sleep(Math.min(wait, policy.maxDelayMs), signal);
      if (signal.aborted) return;
      const last: Attempt = await tryWebhook(this.opts.http(), webhookRequest(channel, msg, policy.timeoutMs), now);
      attempts++;
      if (last.ok || !last.retry || attempts >= Math.max(1, policy.attempts)) {
        this.finish(event.id, outcome(channel.id, last, attempts, now()));
        return;
      }
      nextAt = now() + retryDelay(policy, attempts, last.retryAfterMs);
      repo.retryPending(event.id, channel.id, attempts, nextAt, this.opts.scrub(last.message));
    }
  }

  private finish(eventId: number, d: Delivery): void {
    const delivery = d.message === undefined ? d : { ...d, message: this.opts.scrub(d.message) };
    if (!delivery.ok) log.error(`spendbar: alert channel ${delivery.channelId} failed: ${delivery.message}`);
    this.opts.repo.finishPending(eventId, delivery);
  }
}
