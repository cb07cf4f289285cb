// Prometheus text exposition of the latest figures, so a team can scrape Spendbar into Prometheus/Grafana.
// Pure: statuses and totals in, text out.
import type { Account, AccountStatus, UsageTotals } from '../../../shared/domain.ts';
import { fromMicros } from '../../../shared/money.ts';

export interface MetricsInput {
  accounts: Account[];
  statuses: AccountStatus[];
  /** All-time usage per account, grouped by model. */
  usageByAccount: Map<string, UsageTotals[]>;
  /** Failed polls per account since the process started. */
  pollErrors: Map<string, number>;
}

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: string[];
}

export function renderMetrics(input: MetricsInput): string {
  const f = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, samples: [] });
  const balance = f('spendbar_balance', 'gauge', 'Balance left, in major units of the currency label.');
  const spent = f('spendbar_spent', 'gauge', 'Spend in a window (today, week, month, total), in major units of the currency label.');
  const quotaUsed = f('spendbar_quota_used_ratio', 'gauge', 'Share of the quota or key cap used, 0..1.');
  const tokens = f('spendbar_tokens_total', 'counter', 'Tokens reported by the provider, by model and type.');
  const requests = f('spendbar_requests_total', 'counter', 'Requests reported by the provider, by model.');
  const cost = f('spendbar_usage_cost_total', 'counter', 'Cost of reported usage, by model, in major units of the currency label.');
  const up = f('spendbar_up', 'gauge', '1 when the last poll of the account succeeded.');
  const stale = f('spendbar_stale', 'gauge', '1 when the last success is older than three poll intervals.');
  const lastSuccess = f('spendbar_last_success_timestamp_seconds', 'gauge', 'Unix time of the last successful poll.');
  const errors = f('spendbar_poll_errors_total', 'counter', 'Failed polls since Spendbar started.');
  const byId = new Map(input.statuses.map((s) => [s.accountId, s]));

  for (const account of input.accounts) {
    const base = { account: account.id, provider: account.provider };
    const status = byId.get(account.id);
    const good = status?.lastSuccess;
    up.samples.push(sample(base, status?.latest?.ok ? 1 : 0));
    stale.samples.push(sample(base, status?.stale ? 1 : 0));
    errors.samples.push(sample(base, input.pollErrors.get(account.id) ?? 0));
    if (good) {
      lastSuccess.samples.push(sample(base, Math.floor(good.time / 1000)));
      for (const b of good.balances.length ? good.balances : good.balance ? [good.balance] : []) {
        balance.samples.push(sample({ ...base, currency: b.currency }, fromMicros(b.micros)));
      }
      for (const window of ['today', 'week', 'month', 'total'] as const) {
        const m = good.spent[window];
        if (m) spent.samples.push(sample({ ...base, window, currency: m.currency }, fromMicros(m.micros)));
      }
      const q = good.quota;
      if (q?.limit && q.limit.micros > 0) quotaUsed.samples.push(sample(base, q.used.micros / q.limit.micros));
    }
    for (const t of input.usageByAccount.get(account.id) ?? []) {
      const labels = { ...base, model: t.group };
      for (const [type, value] of [['input', t.inputTokens], ['output', t.outputTokens], ['cached', t.cachedTokens], ['reasoning', t.reasoningTokens]] as const) {
        tokens.samples.push(sample({ ...labels, type }, value));
      }
      requests.samples.push(sample(labels, t.requests));
      if (t.costMicros !== null && t.currency) cost.samples.push(sample({ ...labels, currency: t.currency }, fromMicros(t.costMicros)));
    }
  }
  const families = [balance, spent, quotaUsed, tokens, requests, cost, up, stale, lastSuccess, errors];
  return families.map((fam) => [`# HELP ${fam.name} ${fam.help}`, `# TYPE ${fam.name} ${fam.type}`, ...fam.samples.map((s) => `${fam.name}${s}`)].join('\n')).join('\n') + '\n';
}

function sample(labels: Record<string, string>, value: number): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
  return `{${body}} ${formatValue(value)}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}
