import type { TestResult } from '../../shared/api.ts';
import { formatMoney } from '../../shared/money.ts';
import { formatCount, formatMoneyList } from '../lib/format.ts';

/** What one real poll found: the figures, or the provider's actionable error. */
export function TestOutcome({ result }: { result: TestResult }) {
  const s = result.snapshot;
  if (!result.ok || !s.ok) {
    return (
      <div className="test-outcome test-failed" role="alert" data-testid="test-error">
        <strong>Connection failed.</strong> {s.error?.message ?? 'The provider did not answer as expected.'}
      </div>
    );
  }
  const requests = s.usage.reduce((acc, u) => acc + u.requests, 0);
  return (
    <div className="test-outcome test-ok" role="status" data-testid="test-ok">
      <strong>Connected.</strong>
      <dl className="figures figures-inline">
        <div>
          <dt>Balance</dt>
          <dd>{formatMoneyList(s.balances)}</dd>
        </div>
        {s.spent.today && (
          <div>
            <dt>Today</dt>
            <dd>{formatMoney(s.spent.today)}</dd>
          </div>
        )}
        {s.spent.month && (
          <div>
            <dt>This month</dt>
            <dd>{formatMoney(s.spent.month)}</dd>
          </div>
        )}
        {s.quota && (
          <div>
            <dt>Cap</dt>
            <dd>
              {formatMoney(s.quota.used)} used{s.quota.limit ? ` of ${formatMoney(s.quota.limit)}` : ', no cap'}
            </dd>
          </div>
        )}
        {s.usage.length > 0 && (
          <div>
            <dt>Requests reported</dt>
            <dd>{formatCount(requests)}</dd>
          </div>
        )}
      </dl>
      {s.notes.length > 0 && (
        <ul className="notes small">
          {s.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
