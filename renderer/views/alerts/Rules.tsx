import { useEffect, useRef, useState } from 'react';
import type { AlertRuleView, AlertsView } from '../../../shared/api.ts';
import type { RuleType } from '../../../shared/alerts.ts';
import { accountCurrency, accountScope, describeRule, draftFromRule, newDraft, RULE_TYPE_LABELS, SCOPE_ALL, type RuleDraft } from '../../lib/alerts.ts';
import { useLive } from '../../state/live.tsx';
import { useAlerts } from './AlertsContext.tsx';
import { RuleEditor } from './RuleEditor.tsx';
import { Outcome } from '../Outcome.tsx';

type Editing = { index: number | null; draft: RuleDraft } | null;

export const settingsRulesOf = (view: AlertsView) => view.rules.filter((r) => r.source === 'settings').map((r) => r.rule);

export function Rules({ view }: { view: AlertsView }) {
  const { api, accounts, statuses } = useLive();
  const alerts = useAlerts();
  const [editing, setEditing] = useState<Editing>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const settingsRules = settingsRulesOf(view);
  const labelOf = (id: string) => accounts.find((a) => a.id === id)?.label ?? id;
  // Back from the editor, keyboard focus returns to where it started instead of the top of the page.
  const addButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (!editing && wasEditing.current) addButton.current?.focus();
    wasEditing.current = editing !== null;
  }, [editing]);

  const saveList = async (rules: Record<string, unknown>[], done: string) => {
    setError(null);
    try {
      alerts.replace(await api.saveAlerts({ rules }));
      setNotice(done);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const startNew = () => {
    const first = accounts[0]?.id;
    setNotice(null);
    setEditing({ index: null, draft: newDraft('balance-below', first ? accountScope(first) : SCOPE_ALL, accountCurrency(statuses, first) ?? 'USD') });
  };

  if (editing) {
    return (
      <RuleEditor
        key={editing.index ?? 'new'}
        initial={editing.draft}
        index={editing.index}
        settingsRules={settingsRules}
        channels={view.channels}
        onSaved={(next) => {
          alerts.replace(next);
          setEditing(null);
          setNotice('Rule saved.');
        }}
        onCancel={() => setEditing(null)}
      />
    );
  }

  const row = (r: AlertRuleView, settingsIndex: number) => {
    const readOnly = r.source === 'config';
    const title = typeof r.rule.name === 'string' && r.rule.name ? r.rule.name : describeRule(r.rule, labelOf);
    const enabled = r.rule.enabled !== false;
    return (
      <li key={`${r.source}-${r.rule.id}`} className={`card rule-row${enabled ? '' : ' is-disabled'}`} data-testid="rule-row" data-rule-id={r.rule.id} data-source={r.source}>
        <label className="switch" title={readOnly ? 'Config-file rules are changed in the file' : undefined}>
          <input
            type="checkbox"
            role="switch"
            data-testid="rule-enabled-toggle"
            checked={enabled}
            disabled={readOnly}
            aria-label={`${enabled ? 'Disable' : 'Enable'} ${title}`}
            onChange={() => void saveList(settingsRules.map((x, i) => (i === settingsIndex ? { ...x, enabled: !enabled } : x)), `${enabled ? 'Disabled' : 'Enabled'} "${title}".`)}
          />
          <span className="switch-track" aria-hidden="true" />
        </label>
        <div className="rule-row-main">
          <strong className="rule-title">{title}</strong>
          {title !== describeRule(r.rule, labelOf) && <span className="small">{describeRule(r.rule, labelOf)}</span>}
          <span className="badges badges-start">
            <span className="badge">{RULE_TYPE_LABELS[r.rule.type as RuleType] ?? r.rule.type}</span>
            {!enabled && <span className="badge">Off</span>}
            {readOnly && (
              <span className="badge badge-info" data-testid="rule-readonly">
                Config file · read-only
              </span>
            )}
          </span>
        </div>
        <div className="row-actions">
          {confirming === r.rule.id ? (
            <div role="alertdialog" aria-label={`Delete ${title}?`} className="confirm">
              <span>Delete this rule?</span>
              <button type="button" className="btn btn-danger" data-testid="rule-delete-yes" autoFocus onClick={() => void saveList(settingsRules.filter((_, i) => i !== settingsIndex), `Deleted "${title}".`).then(() => setConfirming(null))}>
                Delete
              </button>
              <button type="button" className="btn" onClick={() => setConfirming(null)}>
                Keep
              </button>
            </div>
          ) : (
            <>
              <button type="button" className="btn btn-small" data-testid="rule-edit" disabled={readOnly} aria-label={`Edit ${title}`} onClick={() => { setNotice(null); setEditing({ index: settingsIndex, draft: draftFromRule(r.rule) }); }}>
                Edit
              </button>
              <button type="button" className="btn btn-small" data-testid="rule-delete" disabled={readOnly} aria-label={`Delete ${title}`} onClick={() => setConfirming(r.rule.id)}>
                Delete
              </button>
            </>
          )}
        </div>
      </li>
    );
  };

  let settingsIndex = -1;
  return (
    <section className="alerts-section" aria-labelledby="alert-rules-title">
      <div className="section-head">
        <h3 id="alert-rules-title">Rules</h3>
        <button type="button" className="btn btn-primary" data-testid="rule-add" ref={addButton} onClick={startNew}>
          Add rule
        </button>
      </div>
      <Outcome notice={notice} error={error} testId="rules" />
      {view.rules.length === 0 ? (
        <p className="muted" data-testid="rules-empty">
          No alert rules yet. Add one to hear about a low balance or a spending spike before it hurts.
        </p>
      ) : (
        <ul className="rule-list" data-testid="rule-list">
          {view.rules.map((r) => row(r, r.source === 'settings' ? ++settingsIndex : -1))}
        </ul>
      )}
    </section>
  );
}
