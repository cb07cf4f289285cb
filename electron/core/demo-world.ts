// One demo world: a clock and a ledger per demo account, from which every fake provider's state is derived. The
// fakes' figures (balances, lifetime spend, caps, per-model activity, token counts) and the generated history all come
// from the same ledger, so live balances fall at the history's pace, usage cost equals balance drops, a cap is never
// below the lifetime spend, and day and month windows start where the calendar says. New demo accounts build on
// `DemoWorld.ledger()` and implement `DemoAccount` the same way.
import type { Account } from '../../shared/domain.ts';
import { MIN_POLL_INTERVAL_SEC } from '../../shared/domain.ts';
import type { ConfigAccount } from './accounts.ts';
import { maskSecret } from './errors.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** How far back the world's ledgers begin: a month of history and some before it. */
export const WORLD_DAYS = 40;

/** A demo account: its configuration, and how to set its fake provider's state to the world at time t. */
export interface DemoAccount {
  account: ConfigAccount;
  /** Sets the fake's state to what the world holds at `t` (epoch ms). */
  sync(t: number): void;
  /**
   * Days of past hours to poll it for: a provider that serves its own usage history (per-model activity) needs only
   * enough balance history for the runway; 0 for one with nothing to poll but usage. All history days when absent.
   */
  historyDays?: number;
}

/** A deterministic value in [0, 1) for an integer seed (32-bit integer hash). */
export function seeded(n: number): number {
  let x = (n | 0) ^ 0x9e3779b9;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

export type DayShape = 'office' | 'asia' | 'steady';

/** Relative load of an hour: busier in working hours (UTC office hours, or Asian ones) and on weekdays. */
export function hourLoad(hourStart: number, shape: DayShape): number {
  if (shape === 'steady') return 1;
  const d = new Date(hourStart);
  const hour = d.getUTCHours();
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
  const peak = shape === 'office' ? 6 : 23;
  const daytime = 0.25 + Math.max(0, Math.sin((((hour - peak + 24) % 24) / 24) * 2 * Math.PI));
  return daytime * (weekend ? 0.4 : 1);
}

export interface LedgerSpec {
  /** Average spend per day, in micro-units of the account's unit (money or tokens). */
  perDay: number;
  seed: number;
  shape: DayShape;
  /** Money put in: at `daysAgo` before the world's start time (the first at or before WORLD_DAYS is the opening deposit). */
  deposits: { daysAgo: number; micros: number }[];
}

/**
 * One account's money over time. Spend runs at a constant rate within each hour (a deterministic rate per hour), so
 * `spent(from, to)` is exact for any interval and the sum of any split of an interval is the whole.
 */
export class Ledger {
  private readonly spec: LedgerSpec;
  private readonly origin: number;
  private readonly anchor: number;
  private readonly prefix: number[] = [0];
  private readonly norm: number;

  constructor(spec: LedgerSpec, origin: number, anchor: number) {
    this.spec = spec;
    this.origin = origin;
    this.anchor = anchor;
    // The shape's average over a week, so `perDay` is the real average.
    let sum = 0;
    for (let h = 0; h < 7 * 24; h++) sum += hourLoad(origin + h * HOUR_MS, spec.shape);
    this.norm = sum / (7 * 24);
  }

  /** Spend in the hour starting at `hourStart` (micro-units; integer). */
  hourly(hourStart: number): number {
    const h = Math.floor(hourStart / HOUR_MS);
    const jitter = 0.6 + 0.8 * seeded(h * 7919 + this.spec.seed);
    return Math.round(((this.spec.perDay / 24) * hourLoad(h * HOUR_MS, this.spec.shape) * jitter) / this.norm);
  }

  /** Everything spent from the world's origin up to `t`. */
  cumulative(t: number): number {
    if (t <= this.origin) return 0;
    const hours = Math.floor((t - this.origin) / HOUR_MS);
    for (let i = this.prefix.length; i <= hours; i++) this.prefix.push(this.prefix[i - 1]! + this.hourly(this.origin + (i - 1) * HOUR_MS));
    const start = this.origin + hours * HOUR_MS;
    return this.prefix[hours]! + Math.round((this.hourly(start) * (t - start)) / HOUR_MS);
  }

  spent(from: number, to: number): number {
    return Math.max(0, this.cumulative(to) - this.cumulative(from));
  }

  /** Money put in up to `t`. */
  deposited(t: number): number {
    return this.spec.deposits.filter((d) => this.depositTime(d.daysAgo) <= t).reduce((s, d) => s + d.micros, 0);
  }

  depositTime(daysAgo: number): number {
    return Math.max(this.origin, this.anchor - daysAgo * DAY_MS);
  }

  /** What is left at `t`: deposits minus spend. */
  balance(t: number): number {
    return this.deposited(t) - this.cumulative(t);
  }
}

/**
 * The demo's clock and ledgers. `now()` is the wall clock, or a fixed time while the history is generated (and in
 * tests), so every fake reads the same instant.
 */
export class DemoWorld {
  /** The world's "now" when it was made: deposits are placed relative to it. */
  readonly anchor: number;
  /** Hour-aligned start of every ledger. */
  readonly origin: number;
  private fixed: number | null = null;
  private readonly clock: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.clock = opts.now ?? Date.now;
    this.anchor = this.clock();
    this.origin = Math.floor((this.anchor - WORLD_DAYS * DAY_MS) / HOUR_MS) * HOUR_MS;
  }

  now(): number {
    return this.fixed ?? this.clock();
  }

  /** Pins the clock (history generation, tests); null lets it run again. */
  setTime(t: number | null): void {
    this.fixed = t;
  }

  ledger(spec: LedgerSpec): Ledger {
    return new Ledger(spec, this.origin, this.anchor);
  }
}

/** Start of the UTC day / ISO week (Monday) / month containing t: the windows OpenRouter's key counters use. */
export function utcStart(kind: 'day' | 'week' | 'month', t: number): number {
  const day = Math.floor(t / DAY_MS) * DAY_MS;
  if (kind === 'day') return day;
  if (kind === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** A demo account's public record: labelled demo, read-only, with masked credential hints. */
export function demoConfigAccount(
  id: string,
  provider: Account['provider'],
  label: string,
  baseUrl: string,
  credentials: Record<string, string>,
  opts: { options?: Account['options']; pollIntervalSec?: number } = {},
): ConfigAccount {
  const a: Account = {
    id,
    provider,
    label: `${label} (demo)`,
    baseUrl,
    pollIntervalSec: Math.max(MIN_POLL_INTERVAL_SEC, opts.pollIntervalSec ?? MIN_POLL_INTERVAL_SEC),
    demo: true,
    source: 'config',
    credentials: Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, { set: true, masked: maskSecret(v), from: 'inline' as const }])),
  };
  if (opts.options) a.options = opts.options;
  return { account: a, credentials };
}

