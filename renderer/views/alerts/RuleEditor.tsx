import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { AlertsView } from '../../../shared/api.ts';
import { RULE_TYPES, type AlertChannel, type RuleType } from '../../../shared/alerts.ts';
import {
  accountCurrency,
  accountScope,
  checkRuleList,
  currenciesByAccount,
  currencyScope,
  draftToRule,
  fieldsInMessage,
  knownCurrencies,
  newDraft,
  parseScope,
  RULE_TYPE_HELP,
  RULE_TYPE_LABELS,
  SCOPE_ALL,
  type RuleDraft,
} from '../../lib/alerts.ts';
import { channelLabel } from '../../lib/alertsHistory.ts';
import { isMoneyCurrency } from '../../../shared/money.ts';
import { useLive } from '../../state/live.tsx';
import { RuleFields } from './RuleFields.tsx';
import { RulePreview } from './RulePreview.tsx';

export interface RuleEditorProps {
  initial: RuleDraft;
  /** Position among the settings rules; null for a new rule (appended). */
  index: number | null;
  settingsRules: Record<string, unknown>[];
  channels: AlertChannel[];
  onSaved: (view: AlertsView) => void;
  onCancel: () => void;
}

export function RuleEditor({ initial, index, settingsRules, channels, onSaved, onCancel }: RuleEditorProps) {
  const { api, accounts, statuses } = useLive();
  const [draft, setDraft] = useState<RuleDraft>(initial);
  const [dirty, setDirty] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const uid = useId();
  const idFor = (field: string) => `${uid}-${field}`;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const rule = useMemo(() => draftToRule(draft), [draft]);
  const at = index ?? settingsRules.length;
  const list = useMemo(() => (index === null ? [...settingsRules, rule] : settingsRules.map((r, i) => (i === index ? rule : r))), [settingsRules, rule, index]);
  const byAccount = useMemo(() => currenciesByAccount(statuses), [statuses]);
  const ctx = useMemo(
    () => ({ accountIds: accounts.map((a) => a.id), channelIds: channels.map((c) => c.id), accountCurrencies: byAccount, label: (id: string) => accounts.find((a) => a.id === id)?.label ?? id }),
    [accounts, channels, byAccount],
  );
  const clientError = checkRuleList(list, at, ctx);
  const ownError = clientError !== null && checkRuleList([rule], 0, ctx) !== null;
  const shownError = serverError ?? (dirty || attempted ? clientError : null);
  const invalid = shownError ? fieldsInMessage(shownError, draft) : new Set<string>();
  const currencies = useMemo(() => knownCurrencies(statuses), [statuses]);
  // The currency picker offers the chosen account's own currencies (every account's for "every account").
  const scopeAccount = parseScope(draft.scope).account;
  const pickable = useMemo(() => {
    const own = scopeAccount && scopeAccount !== SCOPE_ALL ? byAccount[scopeAccount] : undefined;
    const list = own && own.length > 0 ? own : currencies;
    return draft.currency && !list.includes(draft.currency) ? [...list, draft.currency] : list;
  }, [scopeAccount, byAccount, currencies, draft.currency]);
  const scopeCurrencies = parseScope(draft.scope).currency;

  // A type's own default where the draft still holds another type's untouched default (80 % budget ≠ 10 % headroom).
  const retype = (d: RuleDraft, type: RuleType): Partial<RuleDraft> => {
    const fresh = newDraft(type, d.scope, d.currency);
    const old = newDraft(d.type, d.scope, d.currency);
    const keep = (k: 'percent' | 'minutes') => (d[k] === old[k] ? fresh[k] : d[k]);
    return { type, percent: keep('percent'), minutes: keep('minutes') };
  };
  const update = (patch: Partial<RuleDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    setServerError(null);
  };
  // A budget is per currency: that rule starts on the currency of the account picked, or the first one known.
  const pickType = (type: RuleType) => {
    const scope = parseScope(draft.scope);
    const currency = scope.currency ?? accountCurrency(statuses, scope.account) ?? currencies.find(isMoneyCurrency);
    const patch = retype(draft, type);
    update(type === 'budget-pace' && scope.currency === undefined && currency ? { ...patch, scope: currencyScope(currency) } : patch);
  };
  const pickScope = (scope: string) => {
    const account = parseScope(scope).account;
    update({ scope, ...(account && account !== SCOPE_ALL ? { currency: accountCurrency(statuses, account) ?? draft.currency } : {}) });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAttempted(true);
    if (clientError) return;
    setBusy(true);
    try {
      onSaved(await api.saveAlerts({ rules: list }));
    } catch (err) {
      setServerError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const errorId = `${uid}-error`;
  const describedBy = (field: string) => ({ 'aria-invalid': invalid.has(field) || undefined, 'aria-describedby': invalid.has(field) ? errorId : undefined });

  return (
    <form className="card rule-editor" data-testid="rule-editor" data-type={draft.type} onSubmit={(e) => void submit(e)} aria-labelledby={`${uid}-title`} noValidate>
      <h3 id={`${uid}-title`} ref={heading} tabIndex={-1}>
        {index === null ? 'New alert rule' : 'Edit alert rule'}
      </h3>
      <div className="rule-grid">
        <div className="field">
          <label htmlFor={idFor('type')}>Alert when</label>
          <select id={idFor('type')} data-testid="rule-type" value={draft.type} aria-describedby={`${idFor('type')}-help`} onChange={(e) => pickType(e.target.value as RuleType)}>
            {RULE_TYPES.map((t) => (
              <option key={t} value={t}>
                {RULE_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
          <small className="muted" id={`${idFor('type')}-help`}>
            {RULE_TYPE_HELP[draft.type]}
          </small>
        </div>
        <div className="field">
          <label htmlFor={idFor('scope')}>For</label>
          <select id={idFor('scope')} data-testid="rule-account" value={draft.scope} onChange={(e) => pickScope(e.target.value)} {...describedBy('scope')}>
            <optgroup label="One account">
              {accounts.map((a) => (
                <option key={a.id} value={accountScope(a.id)}>
                  {a.label}
                </option>
              ))}
              {parseScope(draft.scope).account && draft.scope !== SCOPE_ALL && !accounts.some((a) => accountScope(a.id) === draft.scope) && (
                <option value={draft.scope}>{parseScope(draft.scope).account} (unknown)</option>
              )}
            </optgroup>
            <option value={SCOPE_ALL}>Every account, each on its own</option>
            <optgroup label="All accounts of a currency, together">
              {[...new Set([...currencies, ...(scopeCurrencies ? [scopeCurrencies] : [])])].map((c) => (
                <option key={c} value={currencyScope(c)}>
                  All {c} accounts
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <RuleFields draft={draft} idFor={idFor} invalid={invalid} errorId={errorId} currencies={pickable} onChange={update} />
        <div className="field">
          <label htmlFor={idFor('margin')}>Re-arm margin (%)</label>
          <input id={idFor('margin')} data-testid="rule-margin" type="number" inputMode="decimal" step="any" placeholder="10" value={draft.margin} aria-describedby={`${idFor('margin')}-help`} aria-invalid={invalid.has('margin') || undefined} onChange={(e) => update({ margin: e.target.value })} />
          <small className="muted" id={`${idFor('margin')}-help`}>
            After firing, the value must recover this far past the threshold before the rule fires again.
          </small>
        </div>
        <div className="field">
          <label htmlFor={idFor('name')}>Name (optional)</label>
          <input id={idFor('name')} data-testid="rule-name" value={draft.name} maxLength={80} placeholder="e.g. Top up OpenRouter" onChange={(e) => update({ name: e.target.value })} {...describedBy('name')} />
        </div>
      </div>
      <fieldset className="rule-channels" data-testid="rule-channels" aria-invalid={invalid.has('channels') || undefined}>
        <legend>Send to</legend>
        <label className="check">
          <input type="checkbox" data-testid="rule-channel-all" checked={draft.channels === null} onChange={(e) => update({ channels: e.target.checked ? null : channels.map((c) => c.id) })} />
          Every channel
        </label>
        {draft.channels !== null &&
          channels.map((c) => (
            <label className="check" key={c.id}>
              <input
                type="checkbox"
                data-testid="rule-channel"
                data-channel-id={c.id}
                checked={draft.channels?.includes(c.id) ?? false}
                onChange={(e) => update({ channels: e.target.checked ? [...(draft.channels ?? []), c.id] : (draft.channels ?? []).filter((x) => x !== c.id) })}
              />
              {channelLabel(c)}
            </label>
          ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" data-testid="rule-enabled" checked={draft.enabled} onChange={(e) => update({ enabled: e.target.checked })} />
        Enabled
      </label>

      <RulePreview api={api} rule={rule} valid={!ownError} />
      {shownError && (
        <p className="test-outcome test-failed" role="alert" id={errorId} data-testid="rule-error">
          {shownError}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="rule-save" disabled={busy}>
          {busy ? 'Saving…' : 'Save rule'}
        </button>
        <button type="button" className="btn" data-testid="rule-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
