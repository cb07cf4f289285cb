// Per-host request budget, shared by every account that polls the same host. Some gateways rate-limit a whole
// group of routes per client IP (New-API's CriticalRateLimit: 20 requests per 20 minutes over /api/log/token,
// /api/usage/token/, login, top-up, …), so what one account spends there, every other account on that host and
// the user's own browser sessions lose. Adapters ask before such a request and skip what does not fit: the
// request is optional by construction (a cheaper route gives the figure, or it waits for a later poll).
// Pure bookkeeping with an injectable clock; nothing here makes a request.

export interface BudgetPool {
  /** Names the shared counter, e.g. "newapi-critical". */
  name: string;
  /** Requests allowed in any window of `windowMs` (a sliding window: it also fits fixed-window limiters). */
  limit: number;
  windowMs: number;
}

export interface TakeOptions {
  /** Who asks (an account id): with `minSpacingMs`, one caller cannot take the pool's slots back to back. */
  by?: string;
  minSpacingMs?: number;
}

interface PoolState {
  /** Times of the requests taken inside the window, oldest first. */
  taken: number[];
  blockedUntil: number;
  lastBy: Map<string, number>;
}

interface Shared {
  at: number;
  value: unknown;
}

/** Entries are dropped once nothing in them can matter any more; this caps what a long run keeps. */
const MAX_HOSTS = 500;

export class RequestBudget {
  private readonly now: () => number;
  private readonly pools = new Map<string, PoolState>();
  private readonly shared = new Map<string, Shared>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** Takes one request from the host's pool when it has room now; false (and nothing recorded) when not. */
  take(host: string, pool: BudgetPool, opts: TakeOptions = {}): boolean {
    const now = this.now();
    const state = this.state(host, pool, now);
    if (state.blockedUntil > now) return false;
    if (state.taken.length >= pool.limit) return false;
    if (opts.by !== undefined && opts.minSpacingMs !== undefined) {
      const last = state.lastBy.get(opts.by);
      if (last !== undefined && now - last < opts.minSpacingMs) return false;
    }
    state.taken.push(now);
    if (opts.by !== undefined) state.lastBy.set(opts.by, now);
    return true;
  }

  /**
   * The host answered 429 for this pool: nothing more is taken until `retryAfterMs` from now, or a whole window when
   * the host did not say (New-API sends an empty 429, and a Retry-After only since mid-2026).
   */
  block(host: string, pool: BudgetPool, retryAfterMs?: number): number {
    const now = this.now();
    const state = this.state(host, pool, now);
    const wait = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : pool.windowMs;
    state.blockedUntil = Math.max(state.blockedUntil, now + wait);
    return state.blockedUntil;
  }

  /** When the pool next has room (now, when it has). */
  nextAvailable(host: string, pool: BudgetPool): number {
    const now = this.now();
    const state = this.state(host, pool, now);
    const free = state.taken.length < pool.limit ? now : (state.taken[state.taken.length - pool.limit] as number) + pool.windowMs;
    return Math.max(free, state.blockedUntil, now);
  }

  /**
   * One answer for every account on a host: a value loaded less than `ttlMs` ago is reused, and a load already
   * running is joined instead of started again (so accounts polled together send one request). Failures are not kept.
   */
  async once<T>(host: string, what: string, ttlMs: number, load: () => Promise<T>, opts: { staleMs?: number } = {}): Promise<T> {
    const k = `${host}\u0000${what}`;
    const hit = this.shared.get(k);
    if (hit && this.now() - hit.at < ttlMs) return hit.value as T;
    const running = this.inFlight.get(k);
    if (running) return running as Promise<T>;
    const p = load().then((value) => {
      this.shared.delete(k);
      this.shared.set(k, { at: this.now(), value });
      if (this.shared.size > MAX_HOSTS) this.shared.delete(this.shared.keys().next().value as string);
      return value;
    });
    this.inFlight.set(k, p);
    try {
      return await p;
    } catch (err) {
      // With `staleMs`, an older answer stands in while the host cannot give a new one.
      if (hit && opts.staleMs !== undefined && this.now() - hit.at < opts.staleMs) return hit.value as T;
      throw err;
    } finally {
      this.inFlight.delete(k);
    }
  }

  /** Forgets a shared answer (e.g. it turned out to be stale). */
  forget(host: string, what: string): void {
    this.shared.delete(`${host}\u0000${what}`);
  }

  private state(host: string, pool: BudgetPool, now: number): PoolState {
    const k = `${host}\u0000${pool.name}`;
    let state = this.pools.get(k);
    if (!state) {
      if (this.pools.size >= MAX_HOSTS) this.prune(now);
      state = { taken: [], blockedUntil: 0, lastBy: new Map() };
      this.pools.set(k, state);
    }
    const cutoff = now - pool.windowMs;
    let drop = 0;
    while (drop < state.taken.length && (state.taken[drop] as number) <= cutoff) drop++;
    if (drop) state.taken.splice(0, drop);
    for (const [by, at] of state.lastBy) if (at <= cutoff) state.lastBy.delete(by);
    return state;
  }

  private prune(now: number): void {
    for (const [k, s] of this.pools) {
      if (s.blockedUntil <= now && (s.taken.at(-1) ?? -Infinity) < now - 86_400_000) this.pools.delete(k);
    }
    if (this.pools.size >= MAX_HOSTS) this.pools.delete(this.pools.keys().next().value as string);
  }
}
