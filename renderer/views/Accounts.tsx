import { useEffect, useState } from 'react';
import type { Account } from '../../shared/domain.ts';
import { useLive } from '../state/live.tsx';
import { AccountForm } from './AccountForm.tsx';
import { SecretProtection } from './SecretProtection.tsx';
import { Outcome } from './Outcome.tsx';

type Mode = { kind: 'list' } | { kind: 'add' } | { kind: 'edit'; account: Account };

function Credentials({ account }: { account: Account }) {
  const entries = Object.entries(account.credentials ?? {});
  if (entries.length === 0) return <span className="muted">No credentials</span>;
  return (
    <ul className="inline-list">
      {entries.map(([name, hint]) => (
        <li key={name} data-testid="credential-hint">
          {name}: <code>{hint.set ? (hint.masked ?? 'set') : 'not set'}</code>
          {hint.from === 'env' && hint.env ? <span className="muted"> from ${hint.env}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** `addRequest` moves when another view asks for the add form (the Overview's "Add account"). */
export function Accounts({ addRequest = 0 }: { addRequest?: number }) {
  const live = useLive();
  const { api, accounts, providers, info } = live;
  const [mode, setMode] = useState<Mode>(addRequest > 0 ? { kind: 'add' } : { kind: 'list' });
  useEffect(() => {
    if (addRequest > 0) setMode({ kind: 'add' });
  }, [addRequest]);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const onSaved = (account: Account) => {
    setMode({ kind: 'list' });
    setNotice(`Saved ${account.label}.`);
    void live.reloadAccounts();
  };

  const remove = async (account: Account) => {
    setError(null);
    try {
      await api.removeAccount(account.id);
      setConfirming(null);
      setNotice(`Removed ${account.label}.`);
      await live.reloadAccounts();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  if (mode.kind !== 'list') {
    return (
      <section aria-label="Account settings">
        <AccountForm
          key={mode.kind === 'edit' ? mode.account.id : 'new'}
          api={api}
          providers={providers}
          account={mode.kind === 'edit' ? mode.account : undefined}
          onSaved={onSaved}
          onCancel={() => setMode({ kind: 'list' })}
        />
      </section>
    );
  }

  return (
    <section aria-labelledby="accounts-title">
      <div className="section-head">
        <h2 id="accounts-title">Accounts</h2>
        <button type="button" className="btn btn-primary" data-testid="account-add" onClick={() => { setNotice(null); setMode({ kind: 'add' }); }}>
          Add account
        </button>
      </div>
      <SecretProtection protection={info?.secretProtection} />
      <Outcome notice={notice} error={error} testId="accounts" />
      {accounts.length === 0 && <p className="muted">No accounts yet.</p>}
      <ul className="account-list" data-testid="account-list">
        {accounts.map((a) => {
          const readOnly = a.source === 'config';
          const provider = providers.find((p) => p.id === a.provider);
          return (
            <li key={a.id} className="card account-row" data-testid="account-row" data-account-id={a.id}>
              <div className="account-row-main">
                <strong>{a.label}</strong>
                <span className="muted small">
                  {provider?.displayName ?? a.provider} · every {a.pollIntervalSec} s{a.baseUrl ? ` · ${a.baseUrl}` : ''}
                  {a.demo ? ' · demo' : ''}
                </span>
                <Credentials account={a} />
                {readOnly && <span className="muted small">From the config file: edit the file to change it.</span>}
              </div>
              <div className="account-row-actions">
                {confirming === a.id ? (
                  <div role="alertdialog" aria-label={`Remove ${a.label}?`} className="confirm" data-testid="remove-confirm">
                    <span>Remove {a.label} and its stored key?</span>
                    <button type="button" className="btn btn-danger" data-testid="remove-confirm-yes" onClick={() => void remove(a)} autoFocus>
                      Remove
                    </button>
                    <button type="button" className="btn" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </div>
                ) : (
                  <>
                    <button type="button" className="btn" data-testid="account-edit" disabled={readOnly} aria-label={`Edit ${a.label}`} onClick={() => { setNotice(null); setMode({ kind: 'edit', account: a }); }}>
                      Edit
                    </button>
                    <button type="button" className="btn" data-testid="account-remove" disabled={readOnly} aria-label={`Remove ${a.label}`} onClick={() => setConfirming(a.id)}>
                      Remove
                    </button>
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
