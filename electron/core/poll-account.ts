// One poll of one account: check the account is set up right, ask its adapter for a reading, check the
// reading is sane, and stamp it into a Snapshot. Never throws: every failure is a snapshot with an error
// whose message has the account's secrets masked out.
import { BUCKET_MS, MIN_POLL_INTERVAL_SEC, type Account, type Snapshot, type UsageBucket } from '../../shared/domain.ts';
import type { Money } from '../../shared/money.ts';
import { blankSnapshot } from './snapshots.ts';
import { ProviderError, redact, toPollError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, type HttpClient } from './http.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './providers/types.ts';
import type { RequestBudget } from './request-budget.ts';

export interface PollAccountDeps {
  adapters: (id: string) => ProviderAdapter | undefined;
  /** Resolved secrets by field name. */
  credentials: Record<string, string>;
  http: HttpClient;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /**
   * The whole fetch, however many requests the adapter makes (default 4 × timeoutMs). A hung adapter would
   * otherwise hold its account's poll slot forever, and the poller never polls an account twice at once.
   */
  deadlineMs?: number;
  now?: () => number;
  usageSince?: number;
  /** Shared by every account of the core, so accounts on one host share its rate limits. */
  budget?: RequestBudget;
}

/** Usage dated further ahead than this means one of the two clocks is wrong. */
export const MAX_CLOCK_SKEW_MS = BUCKET_MS.day;

export async function pollAccount(account: Account, deps: PollAccountDeps): Promise<Snapshot> {
  const now = deps.now ?? Date.now;
  const secrets = Object.values(deps.credentials).filter((s) => typeof s === 'string' && s.length > 0);
  try {
    const { adapter, baseUrl } = checkAccount(account, deps);
    const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const ctx: FetchContext = { account, baseUrl, credentials: deps.credentials, http: deps.http, timeoutMs, now };
    if (deps.usageSince !== undefined) ctx.usageSince = deps.usageSince;
    if (deps.budget) ctx.budget = deps.budget;
    const reading = await withDeadline(adapter.fetch(ctx), deps.deadlineMs ?? timeoutMs * 4, baseUrl);
    const time = now();
    checkReading(reading, time);
    return okSnapshot(account, reading, time, secrets);
  } catch (err) {
    return failedSnapshot(account, toPollError(err, secrets), now());
  }
}

/** A snapshot that carries only an error: no figures, so the last good ones keep being shown. */
export function failedSnapshot(account: Account, error: Snapshot['error'], time: number): Snapshot {
  return blankSnapshot(account.id, account.provider, time, { ok: false, error, ...(account.demo !== undefined ? { demo: account.demo } : {}) });
}

function okSnapshot(account: Account, r: ProviderReading, time: number, secrets: string[]): Snapshot {
  // The main balance and the list must agree: the UI reads one, the store the other.
  const balances = r.balances.length > 0 ? r.balances : r.balance ? [r.balance] : [];
  const s: Snapshot = {
    accountId: account.id,
    provider: account.provider,
    time,
    ok: true,
    error: null,
    balance: r.balance ?? balances[0] ?? null,
    balances,
    spent: r.spent,
    quota: r.quota,
    usage: r.usage,
    estimated: r.estimated,
    notes: r.notes.map((n) => redact(n, secrets)),
  };
  if (r.available !== undefined) s.available = r.available;
  if (r.keys) s.keys = r.keys;
  if (account.demo !== undefined) s.demo = account.demo;
  return s;
}

function config(message: string): ProviderError {
  return new ProviderError('config', message);
}

/** Catches set-up mistakes before any request, with a message that names the field to fix. */
function checkAccount(account: Account, deps: PollAccountDeps): { adapter: ProviderAdapter; baseUrl: string } {
  const name = `"${account.label || account.id}"`;
  const adapter = deps.adapters(account.provider);
  if (!adapter) {
    throw config(`Account ${name} uses provider "${account.provider}", which Spendbar does not know. Pick a supported provider (provider).`);
  }
  const d = adapter.descriptor;
  for (const f of d.credentialFields) {
    if (f.required && !deps.credentials[f.name]?.trim()) {
      throw config(`Account ${name} has no ${f.label} (${f.name}). Add it in the account's settings; ${d.displayName} needs it.`);
    }
  }
  for (const f of d.optionFields) {
    const v = account.options?.[f.name];
    const missing = v === undefined || (Array.isArray(v) ? v.length === 0 : !v.trim());
    if (f.required && missing) throw config(`Account ${name} has no ${f.label} (options.${f.name}). ${d.displayName} needs it.`);
  }
  const raw = account.baseUrl?.trim() || d.defaultBaseUrl;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.host) {
    throw config(`Account ${name} has a base URL (baseUrl) that is not an http(s) address: "${raw}". Use a full address such as ${d.defaultBaseUrl}.`);
  }
  const sec = account.pollIntervalSec;
  if (typeof sec !== 'number' || !Number.isFinite(sec) || sec < MIN_POLL_INTERVAL_SEC) {
    throw config(`Account ${name} polls every ${String(sec)} s (pollIntervalSec); the minimum is ${MIN_POLL_INTERVAL_SEC} s. Raise it so the provider does not rate-limit the key.`);
  }
  // Adapters append paths ("/key"); a trailing slash would double it.
  return { adapter, baseUrl: raw.replace(/\/+$/, '') };
}

async function withDeadline<T>(work: Promise<T>, ms: number, baseUrl: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const host = new URL(baseUrl).host;
      reject(new ProviderError('timeout', `${host} did not finish answering within ${Math.round(ms / 1000)} s. The provider may be slow or down; Spendbar will retry.`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function bad(message: string): ProviderError {
  return new ProviderError('bad-response', message);
}

function checkMoney(m: Money | null | undefined, field: string): void {
  if (m === null || m === undefined) return;
  if (!Number.isSafeInteger(m.micros)) throw bad(`The provider reported an unusable amount for ${field} (${String(m.micros)} micro-units); Spendbar kept the previous figures.`);
  if (typeof m.currency !== 'string' || !m.currency) throw bad(`The provider reported ${field} without a currency; Spendbar kept the previous figures.`);
}

/**
 * Where a bucket may start. Hours are UTC hours. Days may start at midnight of the provider's zone (SurferCloud's
 * China-time days start at 16:00 UTC): every zone's offset is a whole number of quarter hours. The store counts a
 * bucket in the query bucket holding its start, so such a day lands whole in one local day of the user's zone.
 */
export const BUCKET_ALIGN_MS: Record<UsageBucket['width'], number> = { hour: BUCKET_MS.hour, day: 15 * 60_000 };

const COUNTS = ['requests', 'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens'] as const;

/** Rejects readings no store should keep: non-integer money, negative or NaN counts, misaligned or future buckets. */
export function checkReading(r: ProviderReading, now: number): void {
  checkMoney(r.balance, 'the balance');
  r.balances.forEach((m, i) => checkMoney(m, `balance ${i + 1}`));
  for (const [w, m] of Object.entries(r.spent)) checkMoney(m, `spend (${w})`);
  if (r.quota) {
    checkMoney(r.quota.limit, 'the quota limit');
    checkMoney(r.quota.used, 'quota used');
    checkMoney(r.quota.remaining, 'quota remaining');
  }
  for (const b of r.usage) checkBucket(b, now);
  for (const k of r.keys ?? []) {
    for (const [w, m] of Object.entries(k.spent)) checkMoney(m, `the spend (${w}) of key ${k.name}`);
    checkMoney(k.limit, `the cap of key ${k.name}`);
    checkMoney(k.remaining, `the remaining cap of key ${k.name}`);
  }
}

function checkBucket(b: UsageBucket, now: number): void {
  const width = BUCKET_MS[b.width];
  const what = `usage of ${b.model || 'an unnamed model'}`;
  if (width === undefined) throw bad(`The provider reported ${what} in buckets of "${String(b.width)}", which Spendbar does not store.`);
  if (!Number.isSafeInteger(b.start) || b.start % BUCKET_ALIGN_MS[b.width] !== 0) {
    throw bad(`The provider reported ${what} for a time (${String(b.start)}) that is not the start of ${b.width === 'hour' ? 'a UTC hour' : 'a day in any time zone'}; Spendbar kept the previous figures.`);
  }
  for (const k of COUNTS) {
    const v = b[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`The provider reported ${String(v)} for ${k} in ${what}, which is not a count; Spendbar kept the previous figures.`);
  }
  checkMoney(b.cost, `the cost of ${what}`);
  if (b.start - now > MAX_CLOCK_SKEW_MS) {
    throw bad(
      `The provider reported ${what} for ${new Date(b.start).toISOString()}, more than a day after this computer's time (${new Date(now).toISOString()}). ` +
        `Check that this computer's clock and time zone are right; if they are, the provider's clock is off.`,
    );
  }
}
