// This month per currency: spent so far, the forecast to month end at the current pace, and the monthly budget,
// all as the core computed them (electron/core/figures/forecast.ts). The budget is edited here.
import { useState, type FormEvent } from 'react';
import type { Budget, MonthSpend, SpendbarApi, SpendSummary } from '../../shared/api.ts';
import { formatMoney } from '../../shared/money.ts';
import { basisWords } from '../../shared/figures.ts';
import { formatMoneyShort } from '../lib/format.ts';

function endDate(monthEnd: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short' }).format(new Date(monthEnd - 1));
}

function BudgetEditor({ month, budgets, api, onSaved, onCancel }: { month: MonthSpend; budgets: Budget[]; api: SpendbarApi; onSaved: (s: SpendSummary) => void; onCancel: () => void }) {
  const [value, setValue] = useState(month.budget ? String(month.budget.micros / 1e6) : '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `budget-${month.currency}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const text = value.trim();
    const amount = text === '' ? 0 : Number(text);
    if (!Number.isFinite(amount) || amount < 0) {
      setError(`Monthly budget: enter an amount in ${month.currency}, such as 50 (or leave it empty for no budget).`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.saveBudgets([...budgets.filter((b) => b.currency !== month.currency), { currency: month.currency, amount }]));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="budget-form" onSubmit={(e) => void submit(e)} data-testid="budget-form" noValidate>
      <label htmlFor={id}>Monthly budget ({month.currency})</label>
      <input id={id} data-testid="budget-input" type="number" inputMode="decimal" min={0} step="any" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} autoFocus />
      <button type="submit" className="btn btn-primary btn-small" data-testid="budget-save" disabled={busy}>
        Save
      </button>
      <button type="button" className="btn btn-small" onClick={onCancel}>
        Cancel
      </button>
      {error && (
        <p className="error-text small" role="alert" id={`${id}-error`} data-testid="budget-error">
          {error}
        </p>
      )}
    </form>
  );
}

function MonthCard({ month, budgets, api, zone, onSaved }: { month: MonthSpend; budgets: Budget[]; api: SpendbarApi; zone: string; onSaved: (s: SpendSummary) => void }) {
  const [editing, setEditing] = useState(false);
  const budget = month.budget;
  const over = budget ? month.forecast.micros - budget.micros : 0;
  const share = budget && budget.micros > 0 ? month.monthToDate.micros / budget.micros : null;
  const forecastShare = budget && budget.micros > 0 ? month.forecast.micros / budget.micros : null;
  const level = forecastShare === null ? 'ok' : forecastShare > 1 ? 'danger' : forecastShare > 0.9 ? 'warn' : 'ok';
  return (
    <div className="month-card" data-testid="month-card" data-currency={month.currency}>
      <div className="month-head">
        <span className="muted small">This month ({month.currency})</span>
        {!editing && (
          <button type="button" className="btn btn-small" data-testid="budget-edit" onClick={() => setEditing(true)} aria-label={`${budget ? 'Change' : 'Set'} the monthly ${month.currency} budget`}>
            {budget ? `Budget ${formatMoneyShort(budget)}` : 'Set budget'}
          </button>
        )}
      </div>
      <strong className="month-value" data-testid="month-to-date" title={formatMoney(month.monthToDate)}>
        {formatMoneyShort(month.monthToDate)}
      </strong>
      <span className="small" data-testid="month-forecast">
        Forecast <strong>{formatMoneyShort(month.forecast)}</strong> by {endDate(month.monthEnd, zone)}
        {month.pacePerDay ? (
          <span className="muted">
            {' '}
            at {formatMoneyShort(month.pacePerDay)}/day (last {basisWords(month.paceBasisMs)} pace)
          </span>
        ) : (
          <span className="muted"> (too little history for a pace yet)</span>
        )}
      </span>
      {budget && share !== null && (
        <>
          <div className={`bar bar-${level}`} role="progressbar" aria-label={`Monthly ${month.currency} budget used`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(Math.min(share, 1) * 100)}>
            <div className="bar-fill" style={{ width: `${Math.min(share, 1) * 100}%` }} />
            {forecastShare !== null && <div className="bar-marker" style={{ left: `${Math.min(forecastShare, 1) * 100}%` }} title="Forecast" />}
          </div>
          <span className={`small ${over > 0 ? 'error-text' : 'muted'}`} data-testid="budget-status">
            {over > 0 ? `On pace to exceed the ${formatMoneyShort(budget)} budget by ${formatMoneyShort({ micros: over, currency: month.currency })}` : `Within the ${formatMoneyShort(budget)} budget at this pace`}
          </span>
        </>
      )}
      {editing && (
        <BudgetEditor
          month={month}
          budgets={budgets}
          api={api}
          onCancel={() => setEditing(false)}
          onSaved={(s) => {
            setEditing(false);
            onSaved(s);
          }}
        />
      )}
    </div>
  );
}

export function MonthSummary({ summary, api, zone, onSaved }: { summary: SpendSummary; api: SpendbarApi; zone: string; onSaved: (s: SpendSummary) => void }) {
  if (summary.months.length === 0) return null;
  return (
    <div className="months" data-testid="month-summary">
      {summary.months.map((m) => (
        <MonthCard key={m.currency} month={m} budgets={summary.budgets} api={api} zone={zone} onSaved={onSaved} />
      ))}
    </div>
  );
}
