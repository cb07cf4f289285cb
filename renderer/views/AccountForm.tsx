import { useId, useState, type FormEvent } from 'react';
import type { FieldDescriptor, ProviderDescriptor, SpendbarApi, TestResult } from '../../shared/api.ts';
import { MIN_POLL_INTERVAL_SEC, type Account, type ProviderId } from '../../shared/domain.ts';
import { FormError, initialValues, toAccountInput, type FormValues } from '../lib/accountForm.ts';
import { TestOutcome } from './TestOutcome.tsx';

export interface AccountFormProps {
  api: SpendbarApi;
  providers: ProviderDescriptor[];
  /** Editing this account; adding a new one when absent. */
  account?: Account;
  onSaved: (account: Account) => void;
  onCancel: () => void;
}

interface Problem {
  message: string;
  field?: string;
  /** A failed connection test: offer "Save anyway" (the provider may just be down right now). */
  test?: TestResult;
}

function problemOf(err: unknown): Problem {
  if (err instanceof FormError) return { message: err.message, field: err.field };
  const e = err as { message?: string; field?: string; test?: TestResult };
  const p: Problem = { message: e?.message ?? String(err) };
  if (e?.field) p.field = e.field;
  if (e?.test) p.test = e.test;
  return p;
}

export function AccountForm({ api, providers, account, onSaved, onCancel }: AccountFormProps) {
  const first = providers.find((p) => p.id === account?.provider) ?? providers[0];
  const [values, setValues] = useState<FormValues | null>(first ? initialValues(first, account) : null);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [test, setTest] = useState<TestResult | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const uid = useId();
  const provider = providers.find((p) => p.id === values?.provider);
  if (!values || !provider) return <p className="error-text">No providers are available.</p>;

  const update = (patch: Partial<FormValues>) => {
    setValues({ ...values, ...patch });
    setTest(null);
  };
  const pickProvider = (id: ProviderId) => {
    const next = providers.find((p) => p.id === id);
    if (next) setValues({ ...initialValues(next), label: values.label });
    setTest(null);
    setProblem(null);
  };

  const runTest = async () => {
    setProblem(null);
    setTest(null);
    try {
      const input = toAccountInput(values, provider, account);
      setBusy('test');
      setTest(await api.testAccount(input));
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(null);
    }
  };

  const save = async (force = false) => {
    setProblem(null);
    try {
      const input = toAccountInput(values, provider, account);
      setBusy('save');
      const saved = await api.saveAccount(input, force ? { force: true } : undefined);
      onSaved(saved.account);
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(null);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save();
  };

  const fieldId = (name: string) => `${uid}-${name}`;
  const invalid = (name: string) => (problem?.field === name ? { 'aria-invalid': true, 'aria-describedby': `${uid}-problem` } : {});

  const renderField = (f: FieldDescriptor, kind: 'credentials' | 'options') => {
    const hint = kind === 'credentials' ? account?.credentials?.[f.name] : undefined;
    const placeholder = hint?.set ? `${hint.masked ?? 'set'} — leave empty to keep` : f.placeholder;
    return (
      <div className="field" key={`${kind}-${f.name}`}>
        <label htmlFor={fieldId(f.name)}>
          {f.label}
          {f.required && !hint?.set ? ' *' : ''}
        </label>
        <input
          id={fieldId(f.name)}
          name={f.name}
          data-testid={`field-${f.name}`}
          type={f.secret ? 'password' : 'text'}
          autoComplete={f.secret ? 'new-password' : 'off'}
          spellCheck={false}
          placeholder={placeholder}
          value={values[kind][f.name] ?? ''}
          onChange={(e) => update({ [kind]: { ...values[kind], [f.name]: e.target.value } } as Partial<FormValues>)}
          {...invalid(f.name)}
        />
        {hint?.set && (
          <small className="muted" data-testid={`stored-${f.name}`}>
            Stored: {hint.masked ?? 'set'}
            {hint.from === 'env' && hint.env ? ` (from $${hint.env})` : ''}
          </small>
        )}
        {f.help && <small className="muted">{f.help}</small>}
        {f.type === 'list' && <small className="muted">Separate several with commas.</small>}
      </div>
    );
  };

  return (
    <form className="card account-form" data-testid="account-form" onSubmit={submit} aria-labelledby={`${uid}-title`} noValidate>
      <h3 id={`${uid}-title`}>{account ? `Edit ${account.label}` : 'Add an account'}</h3>
      <div className="field">
        <label htmlFor={fieldId('provider')}>Provider</label>
        <select id={fieldId('provider')} data-testid="field-provider" value={values.provider} disabled={Boolean(account)} onChange={(e) => pickProvider(e.target.value as ProviderId)}>
          {providers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.displayName}
            </option>
          ))}
        </select>
        {provider.reports.length > 0 && <small className="muted">Reports: {provider.reports.join(', ')}</small>}
      </div>
      <div className="field">
        <label htmlFor={fieldId('label')}>Name *</label>
        <input id={fieldId('label')} data-testid="field-label" value={values.label} onChange={(e) => update({ label: e.target.value })} {...invalid('label')} />
      </div>
      {provider.credentialFields.map((f) => renderField(f, 'credentials'))}
      {provider.optionFields.map((f) => renderField(f, 'options'))}
      <div className="field">
        <label htmlFor={fieldId('baseUrl')}>Base URL</label>
        <input id={fieldId('baseUrl')} data-testid="field-baseUrl" type="url" placeholder={provider.defaultBaseUrl} value={values.baseUrl} onChange={(e) => update({ baseUrl: e.target.value })} {...invalid('baseUrl')} />
      </div>
      <div className="field">
        <label htmlFor={fieldId('pollIntervalSec')}>Poll every (seconds)</label>
        <input
          id={fieldId('pollIntervalSec')}
          data-testid="field-pollIntervalSec"
          type="number"
          inputMode="numeric"
          min={MIN_POLL_INTERVAL_SEC}
          step={1}
          value={values.pollIntervalSec}
          onChange={(e) => update({ pollIntervalSec: e.target.value })}
          {...invalid('pollIntervalSec')}
        />
      </div>

      {problem && (
        <div className="test-outcome test-failed" role="alert" id={`${uid}-problem`} data-testid="account-form-error">
          {problem.test ? <strong>Not saved: the connection test failed. </strong> : null}
          {problem.message}
          {problem.test && (
            <div className="form-actions">
              <button type="button" className="btn" data-testid="save-anyway" disabled={busy !== null} onClick={() => void save(true)}>
                Save anyway
              </button>
            </div>
          )}
        </div>
      )}
      {test && <TestOutcome result={test} />}

      <div className="form-actions">
        <button type="button" className="btn" data-testid="account-test" disabled={busy !== null} onClick={() => void runTest()}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="btn btn-primary" data-testid="account-save" disabled={busy !== null}>
          {busy === 'save' ? 'Testing and saving…' : 'Save'}
        </button>
        <button type="button" className="btn" data-testid="account-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
