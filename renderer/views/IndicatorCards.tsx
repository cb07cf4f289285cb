import type { UsageTotals } from '../../shared/domain.ts';
import { formatMoney, totalsByCurrency } from '../../shared/money.ts';
import { formatCompact, formatCount, formatMoneyShort } from '../lib/format.ts';

export interface Indicators {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  cost: { micros: number; currency: string }[];
}

/** Sums breakdown rows; counts add up across rows, cost only within a currency. */
export function indicators(rows: readonly UsageTotals[]): Indicators {
  const sum = (f: (r: UsageTotals) => number) => rows.reduce((acc, r) => acc + f(r), 0);
  const inputTokens = sum((r) => r.inputTokens);
  const outputTokens = sum((r) => r.outputTokens);
  return {
    requests: sum((r) => r.requests),
    inputTokens,
    outputTokens,
    cachedTokens: sum((r) => r.cachedTokens),
    reasoningTokens: sum((r) => r.reasoningTokens),
    totalTokens: inputTokens + outputTokens,
    cost: totalsByCurrency(rows.map((r) => (r.costMicros === null || !r.currency ? null : { micros: r.costMicros, currency: r.currency }))),
  };
}

function Indicator({ label, value, exact, testId }: { label: string; value: string; exact: string; testId: string }) {
  return (
    <div className="card indicator" data-testid={testId} title={exact}>
      <span className="muted small">{label}</span>
      <strong className="indicator-value" data-exact={exact}>
        {value}
      </strong>
    </div>
  );
}

export function IndicatorCards({ rows }: { rows: readonly UsageTotals[] }) {
  const ind = indicators(rows);
  const count = (n: number) => ({ value: formatCompact(n), exact: formatCount(n) });
  return (
    <div className="indicators" data-testid="indicators">
      <Indicator label="Requests" testId="indicator-requests" {...count(ind.requests)} />
      <Indicator label="Total tokens" testId="indicator-total-tokens" {...count(ind.totalTokens)} />
      <Indicator label="Input tokens" testId="indicator-input-tokens" {...count(ind.inputTokens)} />
      <Indicator label="Output tokens" testId="indicator-output-tokens" {...count(ind.outputTokens)} />
      <Indicator label="Cached tokens" testId="indicator-cached-tokens" {...count(ind.cachedTokens)} />
      <Indicator label="Reasoning tokens" testId="indicator-reasoning-tokens" {...count(ind.reasoningTokens)} />
      <div className="card indicator" data-testid="indicator-cost">
        <span className="muted small">Cost</span>
        <strong className="indicator-value">
          {ind.cost.length === 0 ? '—' : ind.cost.map((m) => (
            <span key={m.currency} className="total-value" data-currency={m.currency} title={formatMoney(m)}>
              {formatMoneyShort(m)}
            </span>
          ))}
        </strong>
      </div>
    </div>
  );
}
