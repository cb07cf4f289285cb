// The type-specific inputs of the rule editor: one labelled control per draft field.
import type { ReactNode } from 'react';
import { parseScope, visibleFields, type DraftField, type RuleDraft } from '../../lib/alerts.ts';

interface FieldSpec {
  label: (d: RuleDraft) => string;
  help?: (d: RuleDraft) => string | null;
  kind: 'number' | 'text' | 'select';
  options?: { value: string; label: string }[];
}

const currencyOf = (d: RuleDraft) => parseScope(d.scope).currency ?? (d.currency.trim().toUpperCase() || 'currency');

const SPECS: Record<DraftField, FieldSpec> = {
  amount: { label: (d) => `Amount (${currencyOf(d)})`, kind: 'number' },
  currency: { label: () => 'Currency', help: () => "One of the account's own currencies.", kind: 'select' },
  days: { label: () => 'Days of runway left', help: () => "Balance ÷ the last 7 days' average burn.", kind: 'number' },
  spendWindow: {
    label: () => 'Window',
    help: () => 'Calendar windows in your time zone.',
    kind: 'select',
    options: [
      { value: 'today', label: 'Today' },
      { value: 'week', label: 'This week' },
      { value: 'month', label: 'This month' },
    ],
  },
  levels: { label: () => 'Levels (% used)', help: () => 'Separate several with commas, e.g. 50, 80, 95. Each fires once per quota window.', kind: 'text' },
  tokens: { label: () => 'Monthly budget (tokens)', kind: 'number' },
  percent: { label: (d) => (d.type === 'ratelimit-headroom' ? 'Warn under (% of the limit left)' : 'Warn at (% of the budget)'), kind: 'number' },
  metric: {
    label: () => 'Measure',
    kind: 'select',
    options: [
      { value: 'cost', label: 'Spend' },
      { value: 'requests', label: 'Requests' },
    ],
  },
  spikeWindow: {
    label: () => 'Over',
    kind: 'select',
    options: [
      { value: 'hour', label: 'The last hour' },
      { value: 'day', label: 'The last day' },
    ],
  },
  factor: { label: () => 'Factor (× the usual)', help: () => 'The usual: median of the same hour of the week over the previous 4 weeks.', kind: 'number' },
  minimum: {
    label: (d) => (d.metric === 'requests' ? 'Only above (requests)' : `Only above (${currencyOf(d)})`),
    help: () => 'A minimum, so tiny accounts do not alert on every blip.',
    kind: 'number',
  },
  minutes: { label: (d) => (d.type === 'rate-limited' ? 'Within (minutes)' : 'Minutes failing or stale'), kind: 'number' },
  count: { label: () => '429 answers', help: () => 'Counted over requests through the metering proxy.', kind: 'number' },
};

export interface RuleFieldsProps {
  draft: RuleDraft;
  idFor: (field: string) => string;
  /** Fields the current problem names; they point at the message by id. */
  invalid: Set<string>;
  errorId: string;
  currencies: string[];
  onChange: (patch: Partial<RuleDraft>) => void;
}

export function RuleFields({ draft, idFor, invalid, errorId, currencies, onChange }: RuleFieldsProps) {
  const controls: ReactNode[] = visibleFields(draft).map((field) => {
    const spec = SPECS[field];
    const id = idFor(field);
    const help = spec.help?.(draft);
    const common = {
      id,
      'data-testid': `rule-field-${field}`,
      value: String(draft[field]),
      'aria-invalid': invalid.has(field) || undefined,
      'aria-describedby': [help ? `${id}-help` : '', invalid.has(field) ? errorId : ''].filter(Boolean).join(' ') || undefined,
    };
    let control: ReactNode;
    if (field === 'currency') {
      // Only currencies the accounts report: a rule in XYZ, or in CNY for a USD-only account, cannot be picked.
      control = (
        <select {...common} value={draft.currency} onChange={(e) => onChange({ currency: e.target.value })}>
          {!currencies.includes(draft.currency) && <option value={draft.currency}>{draft.currency ? `${draft.currency} (not reported by this account)` : 'Pick a currency'}</option>}
          {currencies.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
    } else if (spec.kind === 'select') {
      control = (
        <select {...common} onChange={(e) => onChange({ [field]: e.target.value } as Partial<RuleDraft>)}>
          {spec.options!.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    } else {
      control = (
        <input
          {...common}
          type={spec.kind === 'number' ? 'number' : 'text'}
          inputMode={spec.kind === 'number' ? 'decimal' : undefined}
          step={spec.kind === 'number' ? 'any' : undefined}
          autoComplete="off"
          onChange={(e) => onChange({ [field]: e.target.value } as Partial<RuleDraft>)}
        />
      );
    }
    return (
      <div className="field" key={field}>
        <label htmlFor={id}>{spec.label(draft)}</label>
        {control}
        {help && (
          <small className="muted" id={`${id}-help`}>
            {help}
          </small>
        )}
      </div>
    );
  });
  return <div className="rule-fields" data-testid="rule-fields" data-type={draft.type}>{controls}</div>;
}
