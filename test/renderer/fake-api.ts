// An in-memory SpendbarApi with realistic figures for component tests: four accounts (USD, CNY+USD, a failing
// gateway, a tokens-only config account), a month of hourly usage by model and key, and balance histories.
import type { Budget, SpendSummary } from '../../shared/api.ts';
import type { AccountInput, AlertPreview, AlertsInput, AlertsView, AppInfo, FilterValues, ProviderDescriptor, SnoozeTarget, SnoozeUntil, SpendbarApi, SpendbarEvent, TestResult, TotalsQuery } from '../../shared/api.ts';
import type { AlertChannel, AlertEvent, AlertHistoryFilter, Delivery } from '../../shared/alerts.ts';
import type { Account, AccountStatus, SeriesPoint, SeriesQuery, SeriesResult, Series, Snapshot, UsageBucket, UsageTotals } from '../../shared/domain.ts';
import { money } from '../../shared/money.ts';
import type { MeterSummary, RequestFilter, RequestPage, RequestRow } from '../../shared/metering.ts';
import type { EstimateRequest, EstimateResult } from '../../shared/estimate.ts';
import { FakeAlerts } from './alerts-fake.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const PROVIDERS: ProviderDescriptor[] = [
  {
    id: 'openrouter',
    displayName: 'OpenRouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    credentialFields: [{ name: 'apiKey', label: 'API key', secret: true, required: true, placeholder: 'sk-or-v1-…' }],
    optionFields: [],
    reports: ['balance', 'spend', 'key cap', 'usage by model'],
  },
  {
    id: 'surfercloud',
    displayName: 'SurferCloud',
    defaultBaseUrl: 'https://api.surfercloud.com',
    credentialFields: [
      { name: 'publicKey', label: 'Public key', secret: true, required: true },
      { name: 'privateKey', label: 'Private key', secret: true, required: true },
    ],
    optionFields: [
      { name: 'projectId', label: 'Project ID', secret: false, required: false },
      { name: 'models', label: 'Models', secret: false, required: false, type: 'list' },
    ],
    reports: ['tokens', 'requests'],
  },
];

function snapshot(accountId: string, provider: Account['provider'], time: number, patch: Partial<Snapshot> = {}): Snapshot {
  return { accountId, provider, time, ok: true, error: null, balance: null, balances: [], spent: {}, quota: null, usage: [], estimated: false, notes: [], ...patch };
}

export interface FakeApiOptions {
  now?: number;
  demo?: boolean;
  /** Seeds an alert history (acknowledged, recovered and active alerts); rules and channels are always there. */
  alertHistory?: boolean;
}

export class FakeSpendbarApi implements SpendbarApi {
  readonly now: number;
  readonly demo: boolean;
  accounts: Account[];
  statuses: AccountStatus[];
  buckets: UsageBucket[] = [];
  balances = new Map<string, { currency: string; points: SeriesPoint[] }[]>();
  readonly calls: { method: string; args: unknown[] }[] = [];
  private listeners = new Set<(e: SpendbarEvent) => void>();
  paused = false;
  readonly alerts: FakeAlerts;

  constructor(opts: FakeApiOptions = {}) {
    this.now = opts.now ?? Date.now();
    this.demo = opts.demo ?? false;
    const now = this.now;
    this.accounts = [
      { id: 'or', provider: 'openrouter', label: 'OpenRouter personal', pollIntervalSec: 300, credentials: { apiKey: { set: true, masked: 'sk-or-…a1b2', from: 'store' } }, source: 'settings' },
      { id: 'ds', provider: 'deepseek', label: 'DeepSeek', pollIntervalSec: 600, credentials: { apiKey: { set: true, masked: 'sk-…9f3c', from: 'store' } }, source: 'settings' },
      { id: 'gw', provider: 'newapi', label: 'smai gateway', pollIntervalSec: 300, credentials: { apiKey: { set: true, masked: 'sk-…77aa', from: 'store' } }, source: 'settings' },
      { id: 'sc', provider: 'surfercloud', label: 'SurferCloud team', pollIntervalSec: 900, options: { projectId: 'org-123' }, credentials: { publicKey: { set: true, masked: 'ucl…e.com', from: 'env', env: 'SURFER_PUBLIC_KEY' } }, source: 'config' },
    ];
    const or = snapshot('or', 'openrouter', now - 2 * 60_000, {
      balance: money(74.5, 'USD'),
      balances: [money(74.5, 'USD')],
      spent: { today: money(1.2, 'USD'), week: money(8.3, 'USD'), month: money(25.5, 'USD') },
      quota: { limit: money(100, 'USD'), used: money(25.5, 'USD'), remaining: money(74.5, 'USD'), resets: 'monthly' },
    });
    const ds = snapshot('ds', 'deepseek', now - 5 * 60_000, {
      balance: money(110, 'CNY'),
      balances: [money(110, 'CNY'), money(5, 'USD')],
      spent: { today: money(3.4, 'CNY'), month: money(48.25, 'CNY') },
      available: true,
      notes: ['DeepSeek reports balance only; spend is derived from balance changes.'],
      estimated: true,
    });
    const gwOld = snapshot('gw', 'newapi', now - 3 * HOUR, { balance: money(12, 'USD'), balances: [money(12, 'USD')], spent: { total: money(88, 'USD') } });
    const gwFail = snapshot('gw', 'newapi', now - 60_000, {
      ok: false,
      error: { kind: 'auth', status: 401, message: 'smai gateway rejected the API key (HTTP 401): check the key in Accounts, or create a new one in the gateway console.' },
    });
    const sc = snapshot('sc', 'surfercloud', now - 10 * 60_000, { notes: ['SurferCloud reports tokens and requests only, no money.'] });
    const st = (accountId: string, latest: Snapshot, lastSuccess: Snapshot | null, extra: Partial<AccountStatus> = {}): AccountStatus => ({
      accountId, latest, lastSuccess, stale: false, polling: false, paused: false, nextPollAt: now + 300_000, consecutiveFailures: 0, ...extra,
    });
    // Runways as the core serves them: balance ÷ the burn of the generated balance histories below.
    const runway = (s: Snapshot, perDay: number) => ({
      balance: s.balance!, at: s.time, burnPerDay: money(perDay, s.balance!.currency), days: s.balance!.micros / 1e6 / perDay, windowMs: 7 * DAY, basisMs: 7 * DAY,
    });
    this.statuses = [
      st('or', or, or, { runway: runway(or, 1.5) }),
      st('ds', ds, ds, { runway: runway(ds, 3) }),
      st('gw', gwFail, gwOld, { stale: true, consecutiveFailures: 3, runway: runway(gwOld, 0.4) }),
      st('sc', sc, sc, { runway: null }),
    ];
    this.generateUsage();
    this.generateBalances();
    this.alerts = new FakeAlerts({ now, accounts: () => this.accounts, balances: this.balances, usage: () => this.matching({ from: 0, to: Infinity }), emit: (e) => this.emit(e) });
    if (opts.alertHistory) this.alerts.seedHistory();
  }

  private generateUsage(): void {
    const start = Math.floor((this.now - 30 * DAY) / HOUR) * HOUR;
    const plan: { account: string; model: string; key: string; rate: number; usdPerMTok?: number; cnyPerMTok?: number }[] = [
      { account: 'or', model: 'openai/gpt-4.1', key: 'sk-or-…a1b2', rate: 6, usdPerMTok: 4 },
      { account: 'or', model: 'anthropic/claude-sonnet-4', key: 'sk-or-…c3d4', rate: 3, usdPerMTok: 9 },
      { account: 'ds', model: 'deepseek-chat', key: '', rate: 10, cnyPerMTok: 2 },
      { account: 'sc', model: 'deepseek-ai/DeepSeek-V3', key: 'key-42', rate: 4 },
    ];
    for (let t = start, i = 0; t < this.now; t += HOUR, i++) {
      for (const [j, p] of plan.entries()) {
        const requests = Math.round(p.rate * (1 + Math.sin((i + j * 5) / 7) * 0.5));
        if (requests === 0) continue;
        const inputTokens = requests * 1200;
        const outputTokens = requests * 300;
        const mtok = (inputTokens + outputTokens) / 1e6;
        const cost = p.usdPerMTok ? money(mtok * p.usdPerMTok, 'USD') : p.cnyPerMTok ? money(mtok * p.cnyPerMTok, 'CNY') : null;
        this.buckets.push({ start: t, width: 'hour', model: p.model, key: p.key, requests, inputTokens, outputTokens, cachedTokens: requests * 200, reasoningTokens: requests * 50, cost });
      }
    }
  }

  private generateBalances(): void {
    const series = (startMajor: number, perDay: number, currency: string) => {
      const points: SeriesPoint[] = [];
      for (let t = this.now - 30 * DAY; t <= this.now; t += HOUR) {
        const days = (t - (this.now - 30 * DAY)) / DAY;
        points.push({ t, v: Math.round((startMajor - perDay * days) * 1e6) });
      }
      return { currency, points };
    };
    this.balances.set('or', [series(74.5 + 30 * 1.5, 1.5, 'USD')]);
    this.balances.set('ds', [series(110 + 30 * 3, 3, 'CNY'), series(5, 0, 'USD')]);
    this.balances.set('gw', [series(12 + 30 * 0.4, 0.4, 'USD')]);
  }

  private log(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  callsTo(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Pushes an event to every subscriber, as the core does when a poll finishes. */
  emit(event: SpendbarEvent): void {
    for (const l of this.listeners) l(event);
  }

  async getInfo(): Promise<AppInfo> {
    this.log('getInfo');
    return { version: '0.1.0', mode: 'serve', demo: this.demo, timeZone: 'UTC', secretProtection: 'file-key', paused: this.paused };
  }
  async listProviders(): Promise<ProviderDescriptor[]> {
    return PROVIDERS;
  }
  async listAccounts(): Promise<Account[]> {
    this.log('listAccounts');
    return structuredClone(this.accounts);
  }
  async getStatus(): Promise<AccountStatus[]> {
    return structuredClone(this.statuses);
  }
  async filterValues(): Promise<FilterValues> {
    return {
      accounts: this.accounts.map((a) => ({ id: a.id, label: a.label })),
      models: [...new Set(this.buckets.map((b) => b.model))].sort(),
      keys: [...new Set(this.buckets.map((b) => b.key))].sort(),
    };
  }

  private test(input: AccountInput): TestResult {
    const key = input.credentials?.apiKey ?? '';
    if (key.includes('wrong')) {
      const snap = snapshot('test', input.provider, this.now, { ok: false, error: { kind: 'auth', status: 401, message: 'OpenRouter rejected the API key (HTTP 401): copy a current key from openrouter.ai/settings/keys.' } });
      return { ok: false, snapshot: snap };
    }
    return { ok: true, snapshot: snapshot('test', input.provider, this.now, { balance: money(20, 'USD'), balances: [money(20, 'USD')], spent: { today: money(0.5, 'USD') } }) };
  }

  async testAccount(input: AccountInput): Promise<TestResult> {
    this.log('testAccount', input);
    return this.test(input);
  }

  async saveAccount(input: AccountInput, opts?: { force?: boolean }): Promise<{ account: Account; test: TestResult }> {
    this.log('saveAccount', input, opts);
    if (!input.label.trim()) throw Object.assign(new Error('Give the account a name.'), { field: 'label' });
    const test = this.test(input);
    if (!test.ok && !opts?.force) throw Object.assign(new Error(test.snapshot.error!.message), { test });
    const existing = this.accounts.find((a) => a.id === input.id);
    const credentials = { ...existing?.credentials };
    for (const [name, value] of Object.entries(input.credentials ?? {})) credentials[name] = { set: true, masked: `${value.slice(0, 3)}…${value.slice(-4)}`, from: 'store' };
    const account: Account = { id: input.id ?? `acc-${this.accounts.length + 1}`, provider: input.provider, label: input.label, pollIntervalSec: input.pollIntervalSec ?? 300, credentials, source: 'settings' };
    if (input.options) account.options = input.options;
    this.accounts = existing ? this.accounts.map((a) => (a.id === account.id ? account : a)) : [...this.accounts, account];
    return { account, test };
  }

  async removeAccount(id: string): Promise<void> {
    this.log('removeAccount', id);
    this.accounts = this.accounts.filter((a) => a.id !== id);
    this.statuses = this.statuses.filter((s) => s.accountId !== id);
  }

  async refresh(accountId?: string): Promise<AccountStatus[]> {
    this.log('refresh', accountId);
    return structuredClone(this.statuses);
  }
  async setPaused(paused: boolean): Promise<void> {
    this.log('setPaused', paused);
    this.paused = paused;
  }
  // Alerts: see alerts-fake.ts. Every call is logged so tests can see what the UI sent.
  async getAlerts(): Promise<AlertsView> {
    this.log('getAlerts');
    return this.alerts.view();
  }
  async saveAlerts(input: AlertsInput): Promise<AlertsView> {
    this.log('saveAlerts', structuredClone(input));
    return this.alerts.save(structuredClone(input));
  }
  async previewAlertRule(rule: unknown, days = 30): Promise<AlertPreview> {
    this.log('previewAlertRule', structuredClone(rule), days);
    return this.alerts.preview(structuredClone(rule), days);
  }
  async alertHistory(filter?: AlertHistoryFilter): Promise<AlertEvent[]> {
    this.log('alertHistory', filter);
    return this.alerts.history(filter);
  }
  async snoozeAlert(target: SnoozeTarget, until: SnoozeUntil): Promise<{ until: number }> {
    this.log('snoozeAlert', target, until);
    return this.alerts.snooze(target, until);
  }
  async acknowledgeAlert(eventId: number): Promise<boolean> {
    this.log('acknowledgeAlert', eventId);
    return this.alerts.acknowledge(eventId);
  }
  async testAlertChannel(channel: string | AlertChannel): Promise<Delivery> {
    this.log('testAlertChannel', structuredClone(channel));
    return this.alerts.test(structuredClone(channel));
  }
  requestRows: RequestRow[] = [];
  summary: MeterSummary | null = null;
  async listRequests(filter?: RequestFilter): Promise<RequestPage> {
    this.log('listRequests', filter);
    const f = filter ?? {};
    const rows = this.requestRows
      .filter((r) => (f.accountId ? r.accountId === f.accountId : true) && (f.app !== undefined ? r.app === f.app : true) && (f.kind ? r.kind === f.kind : true) && (f.before ? r.id < f.before : true))
      .sort((a, b) => b.id - a.id);
    const limit = f.limit ?? 50;
    const page = rows.slice(0, limit);
    return { rows: page, nextBefore: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
  }
  async meterSummary(range?: { from?: number; to?: number }): Promise<MeterSummary> {
    this.log('meterSummary', range);
    return this.summary ?? { from: range?.from ?? this.now - 30 * DAY, to: range?.to ?? this.now, proxy: { url: null, tokenHint: 'Run spendbar proxy-token', accounts: [] }, byApp: [], headroom: [], meteredVsBilled: [] };
  }
  async copyProxyToken(): Promise<{ copied: boolean; message: string }> {
    this.log('copyProxyToken');
    return { copied: false, message: 'Run `spendbar proxy-token` in a terminal to print the proxy token.' };
  }
  /** The real core estimate (tokenizer, price table), with this fake's used models as the default list. */
  async estimateCost(request: EstimateRequest): Promise<EstimateResult> {
    this.log('estimateCost', request);
    const { estimate, checkModels } = await import('../../electron/core/estimate/estimate.ts');
    const asked = checkModels(request.models);
    const used = ['deepseek-chat', 'gpt-4o-mini', 'claude-sonnet-4-5'];
    const models = (asked ?? used).map((model) => ({ model, known: used.includes(model) }));
    // Prices can depend on the time of day (DeepSeek's off-peak hours): the fake's own clock, not the wall's.
    return estimate(request, { models, modelsFrom: asked ? 'caller' : 'used-30-days', now: this.now });
  }
  budgets: Budget[] = [{ currency: 'USD', amount: 40 }];
  async getSpendSummary(): Promise<SpendSummary> {
    this.log('getSpendSummary');
    const monthStart = Date.UTC(new Date(this.now).getUTCFullYear(), new Date(this.now).getUTCMonth(), 1);
    const monthEnd = Date.UTC(new Date(this.now).getUTCFullYear(), new Date(this.now).getUTCMonth() + 1, 1);
    const month = (currency: string, mtd: number, pace: number) => {
      const budget = this.budgets.find((b) => b.currency === currency);
      return {
        currency, monthToDate: money(mtd, currency), pacePerDay: money(pace, currency), paceBasisMs: 7 * DAY,
        forecast: money(mtd + (pace * (monthEnd - this.now)) / DAY, currency), budget: budget ? money(budget.amount, currency) : null, monthStart, monthEnd,
      };
    };
    return { months: [month('CNY', 48.25, 3), month('USD', 25.5, 1.5)], budgets: structuredClone(this.budgets), images: [{ accountId: 'sc', today: 4, month: 57 }] };
  }
  async saveBudgets(budgets: Budget[]): Promise<SpendSummary> {
    this.log('saveBudgets', structuredClone(budgets));
    if (budgets.some((b) => b.currency === 'XYZ')) throw Object.assign(new Error('No account reports XYZ: a budget can be set in CNY, USD.'), { field: 'currency' });
    this.budgets = budgets.filter((b) => b.amount > 0);
    return this.getSpendSummary();
  }
  subscribe(listener: (event: SpendbarEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private matching(q: { from: number; to: number; accountIds?: string[]; models?: string[]; keys?: string[] }): (UsageBucket & { account: string })[] {
    const accountOf = (b: UsageBucket) => (b.model.startsWith('deepseek-ai') ? 'sc' : b.model === 'deepseek-chat' ? 'ds' : 'or');
    return this.buckets
      .map((b) => ({ ...b, account: accountOf(b) }))
      .filter((b) => b.start >= q.from && b.start < q.to && (!q.accountIds || q.accountIds.includes(b.account)) && (!q.models || q.models.includes(b.model)) && (!q.keys || q.keys.includes(b.key)));
  }

  async querySeries(query: SeriesQuery): Promise<SeriesResult> {
    this.log('querySeries', query);
    const widths = { hour: HOUR, day: DAY, week: 7 * DAY, month: 30 * DAY };
    let bucket = query.bucket;
    const max = query.maxPoints ?? 1000;
    while ((query.to - query.from) / widths[bucket] > max && bucket !== 'month') bucket = bucket === 'hour' ? 'day' : bucket === 'day' ? 'week' : 'month';
    const width = widths[bucket];
    const groups = new Map<string, Series>();
    const add = (group: string, currency: string | undefined, t: number, v: number) => {
      const id = `${group}|${currency ?? ''}`;
      let s = groups.get(id);
      if (!s) groups.set(id, (s = { group, ...(currency ? { currency } : {}), points: [] }));
      const start = Math.floor(t / width) * width;
      const last = s.points.at(-1);
      if (last && last.t === start) last.v = query.metric === 'balance' ? v : last.v + v;
      else s.points.push({ t: start, v });
    };
    if (query.metric === 'balance') {
      for (const [account, list] of this.balances) {
        if (query.accountIds && !query.accountIds.includes(account)) continue;
        for (const b of list) for (const p of b.points) if (p.t >= query.from && p.t <= query.to) add(account, b.currency, p.t, p.v);
      }
    } else {
      for (const b of this.matching(query)) {
        const group = query.groupBy === 'none' ? 'all' : query.groupBy === 'account' ? b.account : b[query.groupBy];
        if (query.metric === 'cost') {
          if (b.cost) add(group, b.cost.currency, b.start, b.cost.micros);
        } else {
          const v = query.metric === 'totalTokens' ? b.inputTokens + b.outputTokens : b[query.metric];
          add(group, undefined, b.start, v);
        }
      }
    }
    const starts: number[] = [];
    for (let t = Math.floor(query.from / width) * width; t < query.to; t += width) starts.push(t);
    return { query, bucket, starts, series: [...groups.values()] };
  }

  async queryTotals(query: TotalsQuery): Promise<UsageTotals[]> {
    this.log('queryTotals', query);
    const rows = new Map<string, UsageTotals>();
    for (const b of this.matching(query)) {
      const group = query.groupBy === 'account' ? b.account : b[query.groupBy];
      const id = `${group}|${b.cost?.currency ?? ''}`;
      let r = rows.get(id);
      if (!r) rows.set(id, (r = { group, ...(b.cost ? { currency: b.cost.currency } : {}), requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, costMicros: b.cost ? 0 : null }));
      r.requests += b.requests;
      r.inputTokens += b.inputTokens;
      r.outputTokens += b.outputTokens;
      r.cachedTokens += b.cachedTokens;
      r.reasoningTokens += b.reasoningTokens;
      if (b.cost && r.costMicros !== null) r.costMicros += b.cost.micros;
    }
    return [...rows.values()];
  }
}

/** The fake core behind a proxy that counts every call the page makes; `counts` reports the methods named. */
export function counting(api: FakeSpendbarApi, counted: readonly string[]): { page: SpendbarApi; counts: () => Record<string, number> } {
  const calls = new Map<string, number>();
  const page = new Proxy(api, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { page, counts: () => Object.fromEntries(counted.map((m) => [m, calls.get(m) ?? 0])) };
}
