// Prometheus text exposition (format 0.0.4) of the latest figures, so a team can scrape Spendbar into
// Prometheus/Grafana. Pure: statuses and stored totals in, text out.
// Counters (`*_total`) only go up: they are all-time sums the store keeps for them (store/metrics-totals.ts), never
// sums over a window, so neither a sliding window, a month roll-over nor retention takes anything off. Figures that
// can go down (spend today, balance, runway) are gauges.
import type { Account, AccountStatus } from '../../../shared/domain.ts';
import { fromMicros } from '../../../shared/money.ts';
import type { MetricsTotals } from '../store/metrics-totals.ts';

export interface MetricsInput {
  accounts: Account[];
  statuses: AccountStatus[];
  /** All-time counters from the store (null: the server has no store to read; the families are served empty). */
  totals: MetricsTotals | null;
  /** Failed polls per account since the process started. */
  pollErrors: Map<string, number>;
  /**
   * Scrubs secrets from a label value (the server's redactor). Applied to each distinct value once, not to the
   * whole text: scanning ~600 KB of exposition for every secret cost more than building it.
   */
  scrub?: (text: string) => string;
}

class Family {
  /** Sample lines, each ending in a line feed: one string grown in place (joining an array cost a third of a scrape). */
  private body = '';
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  constructor(name: string, type: 'gauge' | 'counter', help: string) {
    this.name = name;
    this.type = type;
    this.help = help;
  }
  /** A sample; its labels are escaped text (`a="x",b="y"`), built once per account and per model row. */
  addText(labels: string, value: number): void {
    this.body += `${this.name}{${labels}} ${formatValue(value)}\n`;
  }
  text(): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n${this.body}`;
  }
}

const MAJOR = 'in major units of the currency label';

/** Every family /metrics serves, in order: the Grafana board and its test read names from the served text. */
function families() {
  const f = (name: string, type: Family['type'], help: string) => new Family(name, type, help);
  return {
    info: f('spendbar_account_info', 'gauge', 'Always 1; carries the account label.'),
    balance: f('spendbar_balance', 'gauge', `Balance left, ${MAJOR}.`),
    spent: f('spendbar_spent', 'gauge', `Spend in a window (today, week, month, total) as the provider last reported it, ${MAJOR}; resets when its window starts again.`),
    quotaUsed: f('spendbar_quota_used_ratio', 'gauge', 'Share of the quota or key cap used, 0..1.'),
    runway: f('spendbar_runway_days', 'gauge', 'Days until the balance reaches zero at its recent burn.'),
    burn: f('spendbar_burn_per_day', 'gauge', `Average spend per day the runway rests on, ${MAJOR}.`),
    up: f('spendbar_up', 'gauge', '1 when the last poll of the account succeeded.'),
    stale: f('spendbar_stale', 'gauge', '1 when the last success is older than three poll intervals.'),
    lastSuccess: f('spendbar_last_success_timestamp_seconds', 'gauge', 'Unix time of the last successful poll.'),
    lastPoll: f('spendbar_last_poll_timestamp_seconds', 'gauge', 'Unix time of the last poll, successful or not.'),
    failures: f('spendbar_consecutive_poll_failures', 'gauge', 'Failed polls in a row since the last success.'),
    pollErrors: f('spendbar_poll_errors_total', 'counter', 'Failed polls since Spendbar started.'),
    tokens: f('spendbar_tokens_total', 'counter', 'Tokens the provider reported, all time, by model and type (a usage revised down keeps its highest figure).'),
    requests: f('spendbar_requests_total', 'counter', 'Requests the provider reported, all time, by model.'),
    cost: f('spendbar_usage_cost_total', 'counter', `Cost of the usage the provider reported, all time, by model, ${MAJOR}.`),
    meteredRequests: f('spendbar_metered_requests_total', 'counter', 'Requests through the metering proxy, by model.'),
    meteredErrors: f('spendbar_metered_errors_total', 'counter', 'Requests through the metering proxy that failed (a status other than 2xx).'),
    meteredLimited: f('spendbar_metered_rate_limited_total', 'counter', 'Requests through the metering proxy answered 429 (rate limited).'),
    meteredTokens: f('spendbar_metered_tokens_total', 'counter', 'Tokens of requests through the metering proxy, by model and type.'),
    meteredCost: f('spendbar_metered_cost_total', 'counter', `Estimated cost of requests through the metering proxy (price table), ${MAJOR}.`),
    meteredUnpriced: f('spendbar_metered_unpriced_requests_total', 'counter', 'Requests through the metering proxy whose cost is unknown (no price for the model).'),
  };
}

/** Names of every family /metrics serves. */
export const METRIC_FAMILIES: readonly string[] = Object.values(families()).map((f) => f.name);

/** The families that come from the store's counter tables (the bulk of the text), last; the rest come from the core's memory. */
const COUNTER_FAMILIES = new Set(['tokens', 'requests', 'cost', 'meteredRequests', 'meteredErrors', 'meteredLimited', 'meteredTokens', 'meteredCost', 'meteredUnpriced']);

/** Label text of each account (`account="…",provider="…"`), escaped and scrubbed once per scrape; both halves use it. */
export type AccountLabels = ReadonlyMap<string, string>;

export function accountLabels(accounts: readonly Account[], scrub?: (text: string) => string): AccountLabels {
  const label = labeler(scrub);
  return new Map(accounts.map((a) => [a.id, `account="${label(a.id)}",provider="${label(a.provider)}"`]));
}

export function renderMetrics(input: MetricsInput): string {
  const labels = accountLabels(input.accounts, input.scrub);
  return renderAccountMetrics(input, labels) + renderCounterMetrics(labels, input.totals, input.scrub).join('');
}

/**
 * The families of the latest polls (every family but the store's counters), first in the exposition. Small (a few
 * lines per account) and made from what the core holds in memory, so it is built on every scrape.
 */
export function renderAccountMetrics(input: Omit<MetricsInput, 'totals'>, labels: AccountLabels): string {
  const m = families();
  const label = labeler(input.scrub);
  const statusOf = new Map(input.statuses.map((s) => [s.accountId, s]));
  for (const account of input.accounts) {
    const base = labels.get(account.id) as string;
    const status = statusOf.get(account.id);
    const good = status?.lastSuccess;
    m.info.addText(`${base},label="${label(account.label)}"`, 1);
    m.up.addText(base, status?.latest?.ok ? 1 : 0);
    m.stale.addText(base, status?.stale ? 1 : 0);
    m.failures.addText(base, status?.consecutiveFailures ?? 0);
    m.pollErrors.addText(base, input.pollErrors.get(account.id) ?? 0);
    if (status?.latest) m.lastPoll.addText(base, Math.floor(status.latest.time / 1000));
    if (good) {
      m.lastSuccess.addText(base, Math.floor(good.time / 1000));
      for (const b of good.balances.length ? good.balances : good.balance ? [good.balance] : []) {
        m.balance.addText(`${base},currency="${label(b.currency)}"`, fromMicros(b.micros));
      }
      for (const window of ['today', 'week', 'month', 'total'] as const) {
        const s = good.spent[window];
        if (s) m.spent.addText(`${base},window="${window}",currency="${label(s.currency)}"`, fromMicros(s.micros));
      }
      const q = good.quota;
      if (q?.limit && q.limit.micros > 0) m.quotaUsed.addText(base, q.used.micros / q.limit.micros);
    }
    const runway = status?.runway;
    if (runway) {
      m.runway.addText(`${base},currency="${label(runway.balance.currency)}"`, runway.days);
      m.burn.addText(`${base},currency="${label(runway.burnPerDay.currency)}"`, fromMicros(runway.burnPerDay.micros));
    }
  }
  let out = '';
  for (const [key, fam] of Object.entries(m)) if (!COUNTER_FAMILIES.has(key)) out += fam.text();
  return out;
}

/**
 * The all-time counter families, one text each, from the store's totals (null: no store; the families are served
 * empty): the provider-reported ones (renderUsageCounters), then the metering proxy's (renderMeteredCounters).
 */
export function renderCounterMetrics(labels: AccountLabels, t: MetricsTotals | null, scrub?: (text: string) => string): string[] {
  return [...renderUsageCounters(labels, t, scrub), ...renderMeteredCounters(labels, t?.metered ?? null, scrub)];
}

/**
 * Tokens, requests and cost the providers reported, one text per family. They depend only on these rows, the account
 * labels and the scrubber, so the server keeps them while none of those changed (a metered request changes none).
 */
export function renderUsageCounters(labels: AccountLabels, t: Pick<MetricsTotals, 'usage' | 'cost'> | null, scrub?: (text: string) => string): string[] {
  const m = families();
  if (t) {
    const modelLabels = modelLabeler(labels, scrub);
    // Rows of removed accounts stay in the store (a re-added id carries on counting) but are not served.
    for (const u of t.usage) {
      const labels = modelLabels(u.accountId, u.model);
      if (labels === undefined) continue;
      addTokens(m.tokens, labels, u.inputTokens, u.outputTokens, u.cachedTokens, u.reasoningTokens);
      m.requests.addText(labels, u.requests);
    }
    const label = labeler(scrub);
    for (const c of t.cost) {
      const labels = modelLabels(c.accountId, c.model);
      if (labels !== undefined) m.cost.addText(`${labels},currency="${label(c.currency)}"`, fromMicros(c.costMicros));
    }
  }
  return [m.tokens.text(), m.requests.text(), m.cost.text()];
}

/** The metering proxy's counter families, one text each (see renderUsageCounters). */
export function renderMeteredCounters(labels: AccountLabels, metered: MetricsTotals['metered'] | null, scrub?: (text: string) => string): string[] {
  const m = families();
  if (metered) {
    const modelLabels = modelLabeler(labels, scrub);
    const label = labeler(scrub);
    // Metered rows are kept per currency; requests and tokens are one series per model whatever their price.
    const perModel = new Map<string, { labels: string; requests: number; errors: number; limited: number; unpriced: number; i: number; o: number; c: number; r: number }>();
    for (const r of metered) {
      const k = `${r.accountId}\u0000${r.model}`;
      let sum = perModel.get(k);
      if (!sum) {
        const labels = modelLabels(r.accountId, r.model);
        if (labels === undefined) continue;
        perModel.set(k, (sum = { labels, requests: 0, errors: 0, limited: 0, unpriced: 0, i: 0, o: 0, c: 0, r: 0 }));
      }
      sum.requests += r.requests;
      sum.errors += r.errors;
      sum.limited += r.rateLimited;
      sum.unpriced += r.unpriced;
      sum.i += r.inputTokens;
      sum.o += r.outputTokens;
      sum.c += r.cachedTokens;
      sum.r += r.reasoningTokens;
      if (r.currency) m.meteredCost.addText(`${sum.labels},currency="${label(r.currency)}"`, fromMicros(r.costMicros));
    }
    for (const s of perModel.values()) {
      m.meteredRequests.addText(s.labels, s.requests);
      m.meteredErrors.addText(s.labels, s.errors);
      m.meteredLimited.addText(s.labels, s.limited);
      m.meteredUnpriced.addText(s.labels, s.unpriced);
      addTokens(m.meteredTokens, s.labels, s.i, s.o, s.c, s.r);
    }
  }
  return [m.meteredRequests, m.meteredErrors, m.meteredLimited, m.meteredTokens, m.meteredCost, m.meteredUnpriced].map((f) => f.text());
}

/** Labels of an account × model row (`account=…,provider=…,model=…`); undefined for an account not served. */
function modelLabeler(labels: AccountLabels, scrub?: (text: string) => string): (accountId: string, model: string) => string | undefined {
  const label = labeler(scrub);
  const models = new Map<string, string>();
  return (accountId, model) => {
    const a = labels.get(accountId);
    if (a === undefined) return undefined;
    let text = models.get(model);
    if (text === undefined) models.set(model, (text = label(model)));
    return `${a},model="${text}"`;
  };
}

function labeler(scrub?: (text: string) => string): (v: string) => string {
  return scrub ? (v: string) => escapeLabel(scrub(v)) : escapeLabel;
}

function addTokens(fam: Family, labels: string, input: number, output: number, cached: number, reasoning: number): void {
  fam.addText(`${labels},type="input"`, input);
  fam.addText(`${labels},type="output"`, output);
  fam.addText(`${labels},type="cached"`, cached);
  fam.addText(`${labels},type="reasoning"`, reasoning);
}

const NEEDS_ESCAPE = /[\\"\n]/;

/** Label values: backslash, double quote and line feed are escaped (text format 0.0.4). */
export function escapeLabel(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text: backslash and line feed are escaped. */
function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}
