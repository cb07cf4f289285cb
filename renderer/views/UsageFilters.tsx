import { useState, type FormEvent } from 'react';
import type { FilterValues } from '../../shared/api.ts';
import { keyLabel } from '../lib/format.ts';
import { ALL, DEFAULT_FILTER, PERIOD_DAYS, periodLabel, resolveRange, type UsageFilter } from '../lib/period.ts';

export interface UsageFiltersProps {
  values: FilterValues | null;
  applied: UsageFilter;
  onApply: (filter: UsageFilter) => void;
  timeZone: string;
}

/** The console-style filter bar: pick, then Query; Clear goes back to every account over the last 7 days. */
export function UsageFilters({ values, applied, onApply, timeZone }: UsageFiltersProps) {
  const [draft, setDraft] = useState<UsageFilter>(applied);
  const [error, setError] = useState<string | null>(null);
  const set = <K extends keyof UsageFilter>(k: K, v: UsageFilter[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    try {
      resolveRange(draft, Date.now(), timeZone);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return;
    }
    setError(null);
    onApply(draft);
  };
  const clear = () => {
    setDraft(DEFAULT_FILTER);
    setError(null);
    onApply(DEFAULT_FILTER);
  };

  return (
    <form className="card filters" onSubmit={submit} data-testid="usage-filters" aria-label="Usage filters">
      <label>
        <span>Account</span>
        <select data-testid="filter-account" value={draft.accountId} onChange={(e) => set('accountId', e.target.value)}>
          <option value={ALL}>All accounts</option>
          {values?.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>API key</span>
        <select data-testid="filter-key" value={draft.key} onChange={(e) => set('key', e.target.value)}>
          <option value={ALL}>All keys</option>
          {values?.keys.map((k) => (
            <option key={k} value={k}>
              {keyLabel(k)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Model</span>
        <select data-testid="filter-model" value={draft.model} onChange={(e) => set('model', e.target.value)}>
          <option value={ALL}>All models</option>
          {values?.models.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Period</span>
        <select
          data-testid="filter-period"
          value={String(draft.period)}
          onChange={(e) => set('period', e.target.value === 'custom' ? 'custom' : (Number(e.target.value) as UsageFilter['period']))}
        >
          {PERIOD_DAYS.map((d) => (
            <option key={d} value={d}>
              {periodLabel(d)}
            </option>
          ))}
          <option value="custom">Custom range</option>
        </select>
      </label>
      {draft.period === 'custom' && (
        <>
          <label>
            <span>From</span>
            <input type="date" data-testid="filter-from" value={draft.customFrom} onChange={(e) => set('customFrom', e.target.value)} />
          </label>
          <label>
            <span>To</span>
            <input type="date" data-testid="filter-to" value={draft.customTo} onChange={(e) => set('customTo', e.target.value)} />
          </label>
        </>
      )}
      <div className="filter-actions">
        <button type="submit" className="btn btn-primary" data-testid="filter-query">
          Query
        </button>
        <button type="button" className="btn" data-testid="filter-clear" onClick={clear}>
          Clear
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert" data-testid="filter-error">
          {error}
        </p>
      )}
    </form>
  );
}
