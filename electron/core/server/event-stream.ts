// The live event stream's clients, with bounded memory. A client that stops reading (a suspended laptop, a hostile
// page holding connections open) must not make the server buffer every event for it forever: each client may have
// at most `maxBufferedBytes` waiting, may stay unable to drain for at most `stallTimeoutMs`, and there are at most
// `maxClients` of them. A client past a limit is disconnected; EventSource reconnects by itself when it can read
// again and gets the full status on connect.

export interface EventStreamLimits {
  maxClients: number;
  /** Bytes an unread client may have queued before it is dropped (one event may go past it). */
  maxBufferedBytes: number;
  /** How long a client may go without draining before it is dropped. */
  stallTimeoutMs: number;
  /** Keep-alive comments (and the stall sweep) while any client listens. */
  heartbeatMs: number;
}

export const EVENT_STREAM_LIMITS: EventStreamLimits = {
  maxClients: 64,
  maxBufferedBytes: 512 * 1024,
  stallTimeoutMs: 30_000,
  heartbeatMs: 25_000,
};

/** What the stream needs of a response: a writable that reports how much it has queued. */
export interface EventSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  readonly destroyed: boolean;
  destroy(): void;
  end(): void;
  once(event: 'drain', listener: () => void): unknown;
}

interface Client {
  sink: EventSink;
  /** Since when a write could not be flushed; null while the client keeps up. */
  stalledSince: number | null;
}

export class EventStream {
  private readonly limits: EventStreamLimits;
  private readonly now: () => number;
  private readonly clients = new Map<EventSink, Client>();
  private timer: NodeJS.Timeout | undefined;
  /** Clients dropped for not reading, since start (for logs and tests). */
  dropped = 0;

  constructor(limits: Partial<EventStreamLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...EVENT_STREAM_LIMITS, ...limits };
    this.now = now;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Registers a client; false when the stream is full (the caller answers 503). */
  add(sink: EventSink): boolean {
    if (this.clients.size >= this.limits.maxClients) return false;
    this.clients.set(sink, { sink, stalledSince: null });
    // Heartbeats only while someone listens: an idle server keeps no timers.
    this.timer ??= setInterval(() => this.heartbeat(), this.limits.heartbeatMs);
    this.timer.unref?.();
    return true;
  }

  remove(sink: EventSink): void {
    this.clients.delete(sink);
    if (this.clients.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Sends to one client (its first full status). */
  sendTo(sink: EventSink, text: string): void {
    const c = this.clients.get(sink);
    if (c) this.write(c, text);
  }

  broadcast(text: string): void {
    for (const c of [...this.clients.values()]) this.write(c, text);
  }

  /** Drops clients that stalled too long; called by the heartbeat and by tests. */
  sweep(): void {
    const now = this.now();
    for (const c of [...this.clients.values()]) {
      if (c.stalledSince !== null && now - c.stalledSince > this.limits.stallTimeoutMs) this.drop(c);
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.sink.end();
    this.clients.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private heartbeat(): void {
    this.sweep();
    this.broadcast(': keep-alive\n\n');
  }

  private write(c: Client, text: string): void {
    if (c.sink.destroyed) return this.remove(c.sink);
    if (c.sink.writableLength > this.limits.maxBufferedBytes) return this.drop(c);
    if (!c.sink.write(text) && c.stalledSince === null) {
      c.stalledSince = this.now();
      c.sink.once('drain', () => {
        c.stalledSince = null;
      });
    }
  }

  private drop(c: Client): void {
    this.dropped++;
    this.remove(c.sink);
    // Destroying the socket frees what was queued for it; end() would wait to flush it.
    c.sink.destroy();
  }
}
