// The metering service the core starts: its tables, the recorder, the request handler both servers mount, the proxy
// token, and the figures the Requests view and the alerts read. "Metered" usage lives only in the proxy's tables and
// is never summed into the providers' ("billed") usage; see README "Metering proxy" → "Metered vs billed".
import { nodeCrypto } from '../lazy-builtins.ts';
import type { DatabaseSync } from 'node:sqlite';
import type { TotalsQuery } from '../../../shared/api.ts';
import type { Account, SeriesQuery, SeriesResult, UsageTotals } from '../../../shared/domain.ts';
import type { Headroom, MeterSummary, MeteredVsBilled, ProxyInfo, RequestFilter, RequestPage } from '../../../shared/metering.ts';
import type { Money } from '../../../shared/money.ts';
import type { AccountBook } from '../accounts.ts';
import type { SecretStore } from '../ports.ts';
import type { MeterHistory } from '../alerts/preview-ratelimit.ts';
import { priceUsage } from '../pricing/index.ts';
import { getDescriptor } from '../providers/registry.ts';
import type { SnapshotStore } from '../store/index.ts';
import { newProxyToken, proxyTokenProblem } from './auth.ts';
import { createProxyHandler, type ProxyAccount, type ProxyDeps, type ProxyHandler, type ProxyTimeouts } from './handler.ts';
import { applyProxyRetention, headroom, listRequests, meteredCost, rateLimitedSince, rateLimitFigures, rateLimitedTimes, requestCount, totalsByApp } from './queries.ts';
import { RequestRecorder, type PriceFn } from './recorder.ts';
import { deleteProxyAccount, ensureProxyTables } from './tables.ts';
import { noKeyReason, upstreamBase } from './upstream.ts';

const TOKEN_REF = 'spendbar.proxy-token';
/** The secret key ids are hashed with (HMAC-SHA256): kept with the other secrets, never in the database. */
const KEY_ID_REF = 'spendbar.proxy-key-id-secret';
const MAX_CACHED_KEY_IDS = 1000;
/** Credential fields that hold a key the proxy may insert, in order of preference. */
const INSERTABLE = ['inferenceKey', 'apiKey'];

export interface MeterOptions {
  store: SnapshotStore;
  book: AccountBook;
  secrets: SecretStore;
  /** A proxy token set by the user ($SPENDBAR_PROXY_TOKEN); otherwise one is made and kept in the secret store. */
  proxyToken?: string | undefined;
  now: () => number;
  timeZone: () => string;
  onWritten?: (accountIds: string[]) => void;
  price?: PriceFn;
  flushMs?: number;
  timeouts?: Partial<ProxyTimeouts>;
  /** Sees each request body with its record once the response is over (the estimate's accuracy sampler). */
  observe?: ProxyDeps['observe'];
  /** The core's redaction, applied to each request row before it is stored. */
  scrub?: <T>(value: T) => T;
}

export class Meter {
  private readonly opts: MeterOptions;
  private readonly db: DatabaseSync;
  readonly recorder: RequestRecorder;
  private url: string | null = null;
  private token: string | null = null;
  private keyIdSecret: string | null = null;
  /** Full key → its id, in memory only (the HMAC is not redone per request). */
  private readonly keyIds = new Map<string, string>();
  /** Accounts as the handler needs them, so a request does not re-read settings; cleared when accounts change. */
  private readonly accounts = new Map<string, ProxyAccount | null>();

  constructor(opts: MeterOptions) {
    this.opts = opts;
    this.db = opts.store.db;
    ensureProxyTables(this.db);
    this.recorder = new RequestRecorder({ db: this.db, price: opts.price ?? priceUsage, onWritten: opts.onWritten, flushMs: opts.flushMs, ...(opts.scrub ? { scrub: opts.scrub } : {}) });
  }

  /** The proxy token: the user's, or the stored one (made on first use). Never a provider key. */
  proxyToken(): string {
    if (this.token) return this.token;
    const keys = this.opts.book.allSecrets();
    if (this.opts.proxyToken) {
      const problem = proxyTokenProblem(this.opts.proxyToken, keys);
      if (problem) throw new Error(`SPENDBAR_PROXY_TOKEN: ${problem}`);
      this.token = this.opts.proxyToken;
      return this.token;
    }
    let stored = this.opts.secrets.get(TOKEN_REF);
    if (!stored || proxyTokenProblem(stored, keys)) {
      stored = newProxyToken();
      this.opts.secrets.set(TOKEN_REF, stored);
    }
    this.token = stored;
    return stored;
  }

  /**
   * A stable id for a key: `k_` + 16 characters of HMAC-SHA256(secret, key). Not reversible, the same across
   * restarts (the secret is kept in the secret store), and different for two keys that mask alike (`sk-…a1b2`).
   */
  keyId(key: string): string {
    let id = this.keyIds.get(key);
    if (id) return id;
    if (!this.keyIdSecret) {
      let secret = this.opts.secrets.get(KEY_ID_REF);
      if (!secret || secret.length < 32) {
        secret = nodeCrypto().randomBytes(32).toString('base64url');
        this.opts.secrets.set(KEY_ID_REF, secret);
      }
      this.keyIdSecret = secret;
    }
    id = `k_${nodeCrypto().createHmac('sha256', this.keyIdSecret).update(key).digest('base64url').slice(0, 16)}`;
    if (this.keyIds.size >= MAX_CACHED_KEY_IDS) this.keyIds.clear();
    this.keyIds.set(key, id);
    return id;
  }

  /** The key Spendbar inserts for the proxy token (never an admin or management key). */
  private storedKey(account: Account): string | undefined {
    const creds = this.opts.book.credentialsFor(account.id);
    if (noKeyReason(account, Boolean(creds.inferenceKey))) return undefined;
    for (const f of INSERTABLE) if (creds[f]) return creds[f];
    return undefined;
  }

  /** A request handler for `/proxy/…`, for a server that may or may not require the serve token off loopback. */
  handler(opts: { serveToken?: string | undefined; startsPerTurn?: number | null } = {}): ProxyHandler {
    return createProxyHandler({
      account: (id) => {
        let entry = this.accounts.get(id);
        if (entry === undefined) {
          const account = this.opts.book.get(id);
          entry = account
            ? {
                account,
                defaultBaseUrl: getDescriptor(account.provider)?.defaultBaseUrl ?? '',
                storedKey: this.storedKey(account),
                noKeyReason: noKeyReason(account, Boolean(this.opts.book.credentialsFor(account.id).inferenceKey)) ?? undefined,
              }
            : null;
          if (this.accounts.size > 1000) this.accounts.clear();
          this.accounts.set(id, entry);
        }
        return entry ?? undefined;
      },
      proxyToken: () => this.proxyToken(),
      keyId: (key) => this.keyId(key),
      serveToken: opts.serveToken,
      ...(opts.startsPerTurn !== undefined ? { startsPerTurn: opts.startsPerTurn } : {}),
      record: (r) => this.recorder.add(r),
      observe: this.opts.observe,
      now: this.opts.now,
      timeouts: this.opts.timeouts,
    });
  }

  /** Accounts or their keys changed: the next request reads them afresh. */
  accountsChanged(): void {
    this.accounts.clear();
  }

  /** Where the proxy listens (set by whoever starts a server), for the setup the Requests view shows. */
  setUrl(url: string | null): void {
    this.url = url;
  }

  info(): ProxyInfo {
    const base = this.url;
    return {
      url: base,
      tokenHint: 'Print the proxy token with `spendbar proxy-token` (or set SPENDBAR_PROXY_TOKEN); in the desktop app, "Copy proxy token" puts it on the clipboard.',
      accounts: this.opts.book.list().map((a) => ({
        accountId: a.id,
        baseUrl: base ? `${base}/proxy/${encodeURIComponent(a.id)}` : '',
        upstream: upstreamBase(a, getDescriptor(a.provider)?.defaultBaseUrl ?? '') ?? '(cannot be metered)',
        canInsertKey: this.storedKey(a) !== undefined,
      })),
    };
  }

  requests(filter: RequestFilter): RequestPage {
    return listRequests(this.db, filter);
  }

  private view() {
    return this.opts.store.usageView({ raw: 'proxy_hourly', rawTime: 'hour', rollup: null });
  }

  series(q: SeriesQuery): SeriesResult {
    return this.view().series(q);
  }

  totals(q: TotalsQuery): UsageTotals[] {
    return this.view().totals(q);
  }

  headroom(accountIds?: readonly string[]): Headroom[] {
    return headroom(this.db, this.opts.now(), accountIds);
  }

  rateLimitedSince(accountId: string, since: number): number {
    return rateLimitedSince(this.db, accountId, since);
  }

  /** The recorded rows the rate-limit rules' preview replays (alerts/preview-ratelimit.ts). */
  history(): MeterHistory {
    return {
      requestCount: (ids, from, to) => requestCount(this.db, ids, from, to),
      rateLimitedTimes: (ids, from, to) => rateLimitedTimes(this.db, ids, from, to),
      rateLimitFigures: (ids, from, to) => rateLimitFigures(this.db, ids, from, to),
    };
  }

  /**
   * Metered next to billed for each account with metered requests in [from, to). Billed is the provider's usage cost
   * in that range (derived spend included); for an account that reports none, its spend-window figure when the range
   * is that window. The two are compared per currency, never added.
   */
  meteredVsBilled(from: number, to: number, spendWindow?: { start: number; key: 'today' | 'week' | 'month' }): MeteredVsBilled[] {
    const out: MeteredVsBilled[] = [];
    for (const a of this.opts.book.list()) {
      const m = meteredCost(this.db, a.id, from, to);
      if (m.requests === 0) continue;
      const billedUsage = this.opts.store
        .totals({ groupBy: 'account', from, to, accountIds: [a.id] })
        .flatMap((t): Money[] => (t.costMicros !== null && t.currency ? [{ micros: t.costMicros, currency: t.currency }] : []));
      let billed = billedUsage;
      let billedFrom: MeteredVsBilled['billedFrom'] = billed.length ? 'usage' : 'none';
      if (!billed.length && spendWindow && spendWindow.start === from) {
        const last = this.opts.store.lastSuccess(a.id);
        const w = last && last.time >= from ? last.spent[spendWindow.key] : undefined;
        if (w) {
          billed = [w];
          billedFrom = 'spend-window';
        }
      }
      const gap = billed.flatMap((b) => {
        const metered = m.costs.find((c) => c.currency === b.currency);
        return metered ? [{ micros: b.micros - metered.micros, currency: b.currency }] : [];
      });
      out.push({ accountId: a.id, from, to, metered: m.costs, meteredUnpriced: m.unpriced, billed, billedFrom, gap });
    }
    return out;
  }

  summary(from: number, to: number, spendWindow?: { start: number; key: 'today' | 'week' | 'month' }): MeterSummary {
    return { from, to, proxy: this.info(), byApp: totalsByApp(this.db, from, to), headroom: this.headroom(), meteredVsBilled: this.meteredVsBilled(from, to, spendWindow) };
  }

  deleteAccount(accountId: string): void {
    deleteProxyAccount(this.db, accountId);
  }

  applyRetention(cutoff: number): number {
    return applyProxyRetention(this.db, cutoff);
  }

  /** The proxy token as a secret to scrub from any text leaving the process. */
  secrets(): string[] {
    return [this.token, this.keyIdSecret].filter((s): s is string => s !== null);
  }

  close(): Promise<void> {
    return this.recorder.close();
  }
}

