// createCore: the one core both faces start. Wires the account book, poller, store and event fan-out, and
// implements the SpendbarApi every UI talks to. It is also where the redaction rule is applied to everything that
// crosses the core's edge: snapshots as they arrive from a provider (before they are stored, evaluated or sent),
// every event, every API answer and error, and every log line.
import { join } from 'node:path';
import { chmodSync, mkdirSync } from 'node:fs';
import type { AppInfo, SpendbarApi, SpendbarEvent, TestResult } from '../../shared/api.ts';
import type { Account, Snapshot } from '../../shared/domain.ts';
import { seriesQuerySchema, totalsQuerySchema, formatIssues } from '../../shared/schemas.ts';
import { DEFAULT_MAX_POINTS, downsample, storeQuery } from './figures/downsample.ts';
import { AccountBook, AccountInputError, type ConfigAccount } from './accounts.ts';
import { defaultHttpClient, type HttpClient } from './http.ts';
import type { Core, CoreOptions, Preferences } from './ports.ts';
import { AlertService, type AlertConfig } from './alert-service.ts';
import { Poller } from './poller.ts';
import { AccountStatuses } from './statuses.ts';
import { failedSnapshot, pollAccount } from './poll-account.ts';
import { log, useRedactor } from './log.ts';
import { Redactor } from './redaction.ts';
import { scrubbedApi } from './scrubbed-api.ts';
import { addDerivedSpend, addTodaySoFar, deriveHistory } from './derived-usage.ts';
import { getAdapter, listDescriptors } from './providers/registry.ts';
import { RequestBudget } from './request-budget.ts';
import { SnapshotStore } from './store/index.ts';
import type { MetricsTotalsSource } from './store/metrics-totals.ts';
import { Meter } from './proxy/meter.ts';
import type { ProxyTimeouts } from './proxy/handler.ts';
import { windowStart } from './alerts/calendar.ts';
import { meterRangeSchema, requestFilterSchema } from '../../shared/metering.ts';
import type { EstimateService } from './estimate/service.ts';
import { lazySampler } from './estimate/lazy-sampler.ts';
import { Figures } from './figures/service.ts';
import { heapSettler, idleTrim, releaseIdleMemory } from './idle-trim.ts';
import { systemTimeZone } from './store/tz.ts';

export interface EngineOptions extends CoreOptions {
  configAccounts?: ConfigAccount[];
  /** Alert rules, channels and quiet hours from the headless config file (read-only). */
  configAlerts?: AlertConfig;
  /** Preferences from the headless config file; they win over stored ones. */
  configPreferences?: Partial<Preferences>;
  /** For tests: where HTTP goes and what time it is. */
  http?: HttpClient;
  now?: () => number;
  /** Per-request timeout for provider calls (default 15 s). */
  timeoutMs?: number;
  /** The metering proxy's token when the user sets one ($SPENDBAR_PROXY_TOKEN); else one is made and stored. */
  proxyToken?: string;
  /** Puts text on the system clipboard (the desktop app); the proxy token never goes to the page instead. */
  clipboard?: (text: string) => void;
  /** For tests: the proxy's flush interval and upstream timeouts. */
  proxyFlushMs?: number;
  proxyTimeouts?: Partial<ProxyTimeouts>;
}

const DAY_MS = 86_400_000;
/** A poll waiting on its provider this long gives its pool slot to the next account (see Poller.slowAfterMs). */
export const SLOW_POLL_MS = 2_000;

export interface EngineCore extends Core {
  /** Knows every secret the core holds; the server and the CLI scrub what they print with it. */
  redactor: Redactor;
  /** Every secret the core holds, for scrubbing text that leaves the process. */
  allSecrets(): string[];
  /** Polls every account now and returns the fresh snapshots, usage included (the CLI's one-shot). */
  pollAll(): Promise<Snapshot[]>;
  /** Stores snapshots from elsewhere (the demo's history) as if they had been polled: derived spend included. */
  importSnapshots(snapshots: Snapshot[]): void;
  /** Alert rules or channels that were skipped as invalid, each with its reason. */
  alertProblems(): string[];
  /** The metering proxy: its request handler for the servers, and its records. */
  meter: Meter;
  /** All-time counters for /metrics, in one read of the store, and the token that says whether they may have changed. */
  metricsTotals: MetricsTotalsSource;
  /** Work outside the API just ended (an event-stream client left): give memory back once things are quiet. */
  afterBurst(): void;
}

export async function createCore(opts: EngineOptions): Promise<EngineCore> {
  // Owner-only: the database holds every figure, and other users of the machine have no business reading it.
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const now = opts.now ?? Date.now;
  const http = opts.http ?? defaultHttpClient;
  // Read once and again after each change: reading settings parses and validates the file, and every poll asks.
  let prefsCache: Preferences | null = null;
  opts.settings.onChange(() => (prefsCache = null));
  const prefs = (): Preferences => (prefsCache ??= { ...opts.settings.get().preferences, ...opts.configPreferences });
  // Asking Intl for the system zone builds a formatter each time: once is enough.
  const systemZone = systemTimeZone();
  const timeZone = () => prefs().timeZone ?? systemZone;
  const dbPath = join(opts.dataDir, 'spendbar.db');
  const store = SnapshotStore.open(dbPath, { timeZone: timeZone() });
  ownerOnly(dbPath);
  const book = new AccountBook({ settings: opts.settings, secrets: opts.secrets, configAccounts: opts.configAccounts });
  const figures = new Figures(store, opts.settings, timeZone, now);
  // Rebuilt only when accounts or channels change (invalidate()), so scrubbing costs the same at any account count.
  const redactor: Redactor = new Redactor((): string[] => [...book.allSecrets(), ...alerts.secretUrls(), ...meter.secrets()]);
  const forgetRedactor = useRedactor(redactor);
  const listeners = new Set<(e: SpendbarEvent) => void>();
  // One per core: accounts on the same host share its rate limits (and a connection test counts too).
  const budget = new RequestBudget({ now });
  let paused = false;
  let retentionTimer: NodeJS.Timeout | undefined;
  // After a poll round or a burst of API calls: SQLite's page cache and V8's garbage go back while idle.
  const settleHeap = heapSettler();
  const trim = idleTrim({ trim: () => releaseIdleMemory(store.db, settleHeap) });

  const emit = (event: SpendbarEvent) => {
    const clean = redactor.value(event);
    for (const l of listeners) {
      try {
        l(clean);
      } catch (err) {
        log.error('spendbar: an event listener failed:', err);
      }
    }
  };

  const status: AccountStatuses = new AccountStatuses({
    store,
    pollState: (id) => poller.state(id),
    exists: (id) => book.get(id) !== undefined,
    ids: () => book.list().map((a) => a.id),
    paused: () => paused,
    runway: (id, lastSuccess) => figures.runway(id, lastSuccess),
  });
  const statuses = () => status.all();

  async function pollOne(account: Account): Promise<Snapshot> {
    const configError = book.configError(account.id);
    const credentials = book.credentialsFor(account.id);
    const polled = configError
      ? failedSnapshot(account, configError, now())
      : await pollAccount(account, {
          adapters: getAdapter,
          credentials,
          http,
          now,
          timeoutMs: opts.timeoutMs ?? 15_000,
          usageSince: usageSince(account.id),
          budget,
        });
    // The choke point for provider data: what a provider echoed of a key never reaches the store, a UI or a log.
    let snapshot = redactor.value(polled, Object.values(credentials));
    // An account removed while its poll ran leaves no rows behind.
    if (!book.get(account.id)) return snapshot;
    try {
      record(snapshot, account);
    } catch (err) {
      // Our own fault (disk full, database locked), not the provider's: the figures are good, show them, say they
      // were not kept, and do not count a failure against the account.
      const reason = redactor.text(err instanceof Error ? err.message : String(err));
      log.error(`spendbar: could not store the poll of ${account.id}: ${reason}`);
      snapshot = { ...snapshot, notes: [...snapshot.notes, `Spendbar could not save these figures on this computer (${reason}); they are shown but not kept.`] };
    }
    status.remember(snapshot);
    alerts.onSnapshot(snapshot);
    trim.poke();
    return snapshot;
  }

  /** Completes a snapshot with what the core derives (spend from balance changes, today so far) and stores it. */
  function record(snapshot: Snapshot, account: Account): void {
    addDerivedSpend(snapshot, account, store, timeZone());
    addTodaySoFar(snapshot, store);
    store.saveSnapshot(snapshot);
    if (snapshot.ok) figures.images.save(snapshot.accountId, snapshot.usage);
  }

  /**
   * Reads usage from the newest stored bucket on, so a re-poll revises it, and at least the last day: a provider's
   * late rows (a day's per-model activity replacing today's single bucket) arrive too. The adapter's look-back otherwise.
   */
  function usageSince(accountId: string): number | undefined {
    const newest = store.usageCoverage(accountId);
    return newest === null ? undefined : Math.min(newest, now() - DAY_MS);
  }

  const poller = new Poller({
    pollOne,
    concurrency: prefs().concurrency,
    slowAfterMs: SLOW_POLL_MS,
    // Usage buckets stay out of events: they can be large, and the views read usage through series and totals.
    onSnapshot: (snapshot) => emit({ type: 'snapshot', snapshot: { ...snapshot, usage: [] } }),
    onStatus: (changed, all) =>
      all ? emit({ type: 'status', statuses: statuses() }) : emit({ type: 'status-delta', statuses: changed.flatMap((s) => status.from(s) ?? []) }),
    lastSuccessAt: (id) => status.lastSuccessAt(id),
    // What keeps a face alive is its server or its window, never the poll schedule: a timer must not hold a
    // process that has nothing else to do.
    unrefTimers: true,
  });
  const meter: Meter = new Meter({
    store,
    book,
    secrets: opts.secrets,
    proxyToken: opts.proxyToken,
    now,
    timeZone,
    flushMs: opts.proxyFlushMs,
    timeouts: opts.proxyTimeouts,
    observe: lazySampler(store.db),
    scrub: (value) => redactor.value(value),
    onWritten: (accountIds) => {
      alerts.onMetered(accountIds);
      emit({ type: 'requests', accountIds });
    },
  });

  const alerts: AlertService = new AlertService({
    store,
    book,
    settings: opts.settings,
    secrets: opts.secrets,
    notifier: opts.notifier,
    config: opts.configAlerts,
    timeZone,
    statuses: () => statuses(),
    status: (id) => status.of(id),
    onAlert: (alert) => emit({ type: 'alert', alert }),
    now,
    http,
    meter: { headroom: (id) => meter.headroom([id]), rateLimitedSince: (id, since) => meter.rateLimitedSince(id, since) },
    meterHistory: meter.history(),
    redact: (text: string): string => redactor.text(text),
  });

  // The estimate (tokenizers, price table) loads with its first use: an idle core never holds it.
  let estimator: Promise<EstimateService> | null = null;
  const estimateService = () =>
    (estimator ??= import('./estimate/service.ts').then(({ EstimateService }) => new EstimateService({ accounts: () => book.list(), totals: (q) => store.totals(q), db: store.db, now })));

  // Known before start(), so a one-shot refresh (`spendbar poll --once`) works without scheduling anything.
  poller.setAccounts(book.list());

  function accountsChanged(): void {
    meter.accountsChanged();
    redactor.invalidate();
    status.prune();
    poller.setAccounts(book.list());
    alerts.reload();
    emit({ type: 'accounts', accounts: book.list() });
    emit({ type: 'status', statuses: statuses() });
  }

  async function test(input: unknown, existingId?: string): Promise<{ prepared: ReturnType<AccountBook['prepare']>; result: TestResult }> {
    const prepared = book.prepare(input, existingId);
    const polled = await pollAccount(prepared.account, {
      adapters: getAdapter,
      credentials: prepared.credentials,
      http,
      now,
      timeoutMs: opts.timeoutMs ?? 15_000,
      budget,
    });
    // The key being tried is not in the book yet: scrub with it as well.
    const snapshot = redactor.value(polled, Object.values(prepared.credentials));
    return { prepared, result: { ok: snapshot.ok, snapshot } };
  }

  const api: SpendbarApi = {
    async getInfo(): Promise<AppInfo> {
      return { version: opts.version ?? '0.0.0', mode: opts.mode, demo: Boolean(opts.demo), timeZone: timeZone(), secretProtection: opts.secrets.protection, paused };
    },
    async listProviders() {
      return listDescriptors();
    },
    async listAccounts() {
      return book.list();
    },
    async saveAccount(input, saveOpts) {
      const existingId = typeof input.id === 'string' && book.get(input.id)?.source === 'settings' ? input.id : undefined;
      const { prepared, result } = await test(input, existingId);
      if (!result.ok && !saveOpts?.force) throw new ConnectionTestError(result);
      const account = book.save(prepared);
      if (result.ok) {
        const first = { ...result.snapshot, accountId: account.id };
        store.saveSnapshot(first);
        status.remember(first);
      }
      accountsChanged();
      return { account, test: result };
    },
    async removeAccount(id) {
      book.remove(id);
      store.deleteAccount(id);
      meter.deleteAccount(id);
      figures.deleteAccount(id);
      status.forget(id);
      accountsChanged();
    },
    async testAccount(input) {
      return (await test(input)).result;
    },
    async getStatus() {
      return statuses();
    },
    async querySeries(query) {
      const parsed = seriesQuerySchema.safeParse(query);
      if (!parsed.success) throw new AccountInputError(formatIssues(parsed.error));
      const q = { ...parsed.data, timeZone: parsed.data.timeZone ?? timeZone() };
      // Metered and billed usage are answered from their own tables: one answer never mixes them. Either answer is
      // then fitted to the chart's maxPoints (figures/downsample.ts), with the bucket span it used.
      const answer = q.source === 'metered' ? meter.series(storeQuery(q)) : store.series(storeQuery(q));
      return { ...downsample(answer, q.maxPoints ?? DEFAULT_MAX_POINTS), query: q };
    },
    async queryTotals(query) {
      const parsed = totalsQuerySchema.safeParse(query);
      if (!parsed.success) throw new AccountInputError(formatIssues(parsed.error));
      return parsed.data.source === 'metered' ? meter.totals(parsed.data) : store.totals(parsed.data);
    },
    async filterValues() {
      const { models, keys } = store.filterValues();
      return { accounts: book.list().map((a) => ({ id: a.id, label: a.label })), models, keys };
    },
    async refresh(accountId) {
      if (accountId !== undefined) {
        if (!book.get(accountId)) throw new AccountInputError(`No account '${accountId}'.`, 'accountId');
        await poller.refresh(accountId);
        return statuses();
      }
      // Every account: answer now (they show as polling); each result arrives as its own events.
      poller.refresh().catch((err: unknown) => log.error('spendbar: refresh failed:', err));
      return statuses();
    },
    async setPaused(value) {
      paused = value;
      if (value) poller.pause();
      else poller.resume();
      emit({ type: 'status', statuses: statuses() });
    },
    async getAlerts() {
      return alerts.view();
    },
    async saveAlerts(input) {
      const view = alerts.save(input);
      // Webhook URLs are secrets too: the redactor learns the new ones.
      redactor.invalidate();
      return view;
    },
    async previewAlertRule(rule, days) {
      return alerts.preview(rule, days);
    },
    async alertHistory(filter) {
      return alerts.history(filter ?? {});
    },
    async snoozeAlert(target, until) {
      return alerts.snooze(target, until);
    },
    async acknowledgeAlert(eventId) {
      return alerts.acknowledge(eventId);
    },
    async testAlertChannel(channel) {
      return alerts.testChannel(channel);
    },
    async listRequests(filter) {
      const parsed = requestFilterSchema.safeParse(filter ?? {});
      if (!parsed.success) throw new AccountInputError(formatIssues(parsed.error));
      return meter.requests(parsed.data);
    },
    async meterSummary(range) {
      const parsed = meterRangeSchema.safeParse(range ?? {});
      if (!parsed.success) throw new AccountInputError(formatIssues(parsed.error));
      const to = parsed.data.to ?? now();
      const monthStart = windowStart(timeZone(), 'month', to);
      const from = parsed.data.from ?? monthStart;
      return meter.summary(from, to, from === monthStart ? { start: monthStart, key: 'month' } : undefined);
    },
    async copyProxyToken() {
      if (!opts.clipboard) {
        return { copied: false, message: 'Run `spendbar proxy-token` in a terminal to print the proxy token (it is never shown in this page).' };
      }
      opts.clipboard(meter.proxyToken());
      return { copied: true, message: 'The proxy token is on the clipboard: paste it as the API key in your app.' };
    },
    async estimateCost(request) {
      const service = await estimateService();
      try {
        return await service.estimate(request);
      } catch (err) {
        // Bad input is the caller's to fix: the same 400-style error every other query gives.
        const { EstimateInputError } = await import('./estimate/prompt.ts');
        if (err instanceof EstimateInputError) throw new AccountInputError(err.message, err.field);
        throw err;
      }
    },
    async getSpendSummary() {
      return figures.summary(statuses().map((s) => s.lastSuccess));
    },
    async saveBudgets(budgets) {
      const shown = statuses().map((s) => s.lastSuccess);
      figures.saveBudgets(budgets, shown);
      alerts.reload();
      return figures.summary(shown);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };

  return {
    api: pokingAfterEachCall(scrubbedApi(api, redactor), () => trim.poke()),
    redactor,
    allSecrets: () => [...book.allSecrets(), ...alerts.secretUrls(), ...meter.secrets()],
    meter,
    metricsTotals: { prepare: () => store.prepareMetricsTotals(), version: () => store.metricsTotalsVersion(), read: (since) => store.metricsTotalsSince(since) },
    afterBurst: () => trim.poke(),
    alertProblems: () => alerts.problems,
    pollAll: () => poller.refresh(),
    importSnapshots: (list) => {
      // Oldest first, each derived from the ones before it, as polls would have been; then stored in one transaction.
      const sorted = [...redactor.value(list)].sort((a, b) => a.time - b.time);
      const byAccount = new Map<string, Snapshot[]>();
      for (const s of sorted) {
        const mine = byAccount.get(s.accountId);
        if (mine) mine.push(s);
        else byAccount.set(s.accountId, [s]);
      }
      const kept: Snapshot[] = [];
      for (const [id, snapshots] of byAccount) {
        const account = book.get(id);
        if (!account) continue;
        deriveHistory(snapshots, account, store);
        kept.push(...snapshots);
      }
      store.saveSnapshots(kept.sort((a, b) => a.time - b.time));
      for (const s of kept) if (s.ok) figures.images.save(s.accountId, s.usage);
      for (const id of byAccount.keys()) {
        figures.forget(id);
        status.forget(id);
      }
    },
    async start() {
      // Made (and stored) now, so `spendbar proxy-token` in another process reads the token this process uses.
      try {
        meter.proxyToken();
      } catch (err) {
        log.error(`spendbar: ${err instanceof Error ? err.message : String(err)}`);
      }
      poller.start();
      const retain = () => {
        try {
          store.applyRetention(now(), { rawDays: prefs().retentionDays });
          meter.applyRetention(now() - prefs().retentionDays * 86_400_000);
        } catch (err) {
          log.error('spendbar: retention failed:', err);
        }
      };
      retain();
      trim.poke();
      retentionTimer = setInterval(retain, DAY_MS);
      retentionTimer.unref?.();
    },
    async stop() {
      if (retentionTimer) clearInterval(retentionTimer);
      trim.stop();
      await poller.stop();
      await meter.close();
      await alerts.close();
      listeners.clear();
      store.close();
      forgetRedactor();
    },
  };
}

/** The API with `poke` called as each call settles (subscribe excepted: it is a channel, not a call). */
function pokingAfterEachCall(api: SpendbarApi, poke: () => void): SpendbarApi {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(api) as [keyof SpendbarApi, (...a: unknown[]) => unknown][]) {
    wrapped[name] = name === 'subscribe' ? fn : (...args: unknown[]) => Promise.resolve(fn(...args)).finally(poke);
  }
  return wrapped as unknown as SpendbarApi;
}

/** Owner-only permissions on the database file (POSIX; on Windows the data folder's ACL protects it). */
function ownerOnly(path: string): void {
  if (process.platform === 'win32') return;
  try {
    chmodSync(path, 0o600);
  } catch (err) {
    log.warn(`spendbar: could not make ${path} private to you: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A save whose connection test failed: carries the test so the UI can show the provider's message. */
export class ConnectionTestError extends Error {
  readonly test: TestResult;
  constructor(test: TestResult) {
    super(test.snapshot.error?.message ?? 'The connection test failed.');
    this.name = 'ConnectionTestError';
    this.test = test;
  }
}
