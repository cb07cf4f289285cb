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

export function renderMetrics(input: MetricsInput): string {
  const m = families();
  const scrub = input.scrub;
  const label = scrub ? (v: string) => escapeLabel(scrub(v)) : escapeLabel;
  const statusOf = new Map(input.statuses.map((s) => [s.accountId, s]));
  // Labels of account and provider, escaped once per account; a model's are added once per row.
  const accountLabels = new Map<string, string>();
  for (const account of input.accounts) {
    const base = `account="${label(account.id)}",provider="${label(account.provider)}"`;
    accountLabels.set(account.id, base);
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

  const t = input.totals;
  if (t) {
    const models = new Map<string, string>();
    const modelLabels = (accountId: string, model: string) => {
      const a = accountLabels.get(accountId);
      if (a === undefined) return undefined;
      let text = models.get(model);
      if (text === undefined) models.set(model, (text = label(model)));
      return `${a},model="${text}"`;
    };
    // Rows of removed accounts stay in the store (a re-added id carries on counting) but are not served.
    for (const u of t.usage) {
      const labels = modelLabels(u.accountId, u.model);
      if (labels === undefined) continue;
      addTokens(m.tokens, labels, u.inputTokens, u.outputTokens, u.cachedTokens, u.reasoningTokens);
      m.requests.addText(labels, u.requests);
    }
    for (const c of t.cost) {
      const labels = modelLabels(c.accountId, c.model);
      if (labels !== undefined) m.cost.addText(`${labels},currency="${label(c.currency)}"`, fromMicros(c.costMicros));
    }
    // Metered rows are kept per currency; requests and tokens are one series per model whatever their price.
    const perModel = new Map<string, { labels: string; requests: number; errors: number; limited: number; unpriced: number; i: number; o: number; c: number; r: number }>();
    for (const r of t.metered) {
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
  let out = '';
  for (const fam of Object.values(m)) out += fam.text();
  return out;
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
