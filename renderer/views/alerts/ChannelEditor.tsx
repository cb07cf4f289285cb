import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { WebhookFormat } from '../../../shared/alerts.ts';
import { channelFromDraft, WEBHOOK_FORMATS, type ChannelDraft } from '../../lib/alertsChannels.ts';
import { useLive } from '../../state/live.tsx';
import { TestResultLine, type TestState } from './TestResultLine.tsx';

export interface ChannelEditorProps {
  initial: ChannelDraft;
  /** The first problem the core would have with the list including this draft, or null. */
  check: (draft: ChannelDraft) => string | null;
  onSave: (draft: ChannelDraft) => Promise<void>;
  onCancel: () => void;
}

export function ChannelEditor({ initial, check, onSave, onCancel }: ChannelEditorProps) {
  const { api } = useLive();
  const [draft, setDraft] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<TestState | null>(null);
  const uid = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const stored = initial.existing?.type === 'webhook' ? initial.existing.url : null;
  const format = WEBHOOK_FORMATS.find((f) => f.value === draft.format);

  const update = (patch: Partial<ChannelDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setProblem(null);
    setTest(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = check(draft);
    setProblem(found);
    if (found) return;
    setBusy(true);
    try {
      await onSave(draft);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const sendTest = async () => {
    setTest({ kind: 'sending' });
    try {
      setTest({ kind: 'done', delivery: await api.testAlertChannel(channelFromDraft(draft)) });
    } catch (err) {
      setTest({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const field = (name: string) => `${uid}-${name}`;
  const invalid = (name: string) => (problem && new RegExp(`(^|: )${name}:`).test(problem) ? { 'aria-invalid': true, 'aria-describedby': `${uid}-problem` } : {});

  return (
    <form className="card channel-editor" data-testid="channel-editor" onSubmit={(e) => void submit(e)} aria-labelledby={`${uid}-title`} noValidate>
      <h4 id={`${uid}-title`} ref={heading} tabIndex={-1}>
        {initial.existing ? `Edit ${initial.existing.name ?? initial.existing.id}` : draft.type === 'popup' ? 'Add desktop popups' : 'Add a webhook'}
      </h4>
      {draft.type === 'webhook' && (
        <div className="field">
          <label htmlFor={field('format')}>Service</label>
          <select id={field('format')} data-testid="channel-format" value={draft.format} onChange={(e) => update({ format: e.target.value as WebhookFormat })}>
            {WEBHOOK_FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
      )}
      {draft.type === 'webhook' && (
        <div className="field">
          <label htmlFor={field('url')}>Webhook URL{stored ? '' : ' *'}</label>
          <input
            id={field('url')}
            data-testid="channel-url"
            type="url"
            autoComplete="off"
            spellCheck={false}
            placeholder={stored ? `${stored} — leave empty to keep` : format?.placeholder}
            value={draft.url}
            onChange={(e) => update({ url: e.target.value })}
            {...invalid('url')}
          />
          {stored && (
            <small className="muted" data-testid="channel-stored-url">
              Stored: <code>{stored}</code> (the URL is a secret and is never shown in full)
            </small>
          )}
        </div>
      )}
      <div className="field">
        <label htmlFor={field('name')}>Name (optional)</label>
        <input id={field('name')} data-testid="channel-name" value={draft.name} placeholder={draft.type === 'popup' ? 'Desktop popup' : 'e.g. #billing on Slack'} onChange={(e) => update({ name: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={field('id')}>Id</label>
        <input id={field('id')} data-testid="channel-id" value={draft.id} readOnly={Boolean(initial.existing)} spellCheck={false} onChange={(e) => update({ id: e.target.value })} aria-describedby={`${field('id')}-help`} {...invalid('id')} />
        <small className="muted" id={`${field('id')}-help`}>
          Rules name channels by id{initial.existing ? '; it cannot change.' : '.'}
        </small>
      </div>
      {problem && (
        <p className="test-outcome test-failed" role="alert" id={`${uid}-problem`} data-testid="channel-error">
          {problem}
        </p>
      )}
      {test && <TestResultLine state={test} />}
      <div className="form-actions">
        <button type="button" className="btn" data-testid="channel-editor-test" disabled={test?.kind === 'sending'} onClick={() => void sendTest()}>
          {test?.kind === 'sending' ? 'Sending…' : 'Send test'}
        </button>
        <button type="submit" className="btn btn-primary" data-testid="channel-save" disabled={busy}>
          {busy ? 'Saving…' : 'Save channel'}
        </button>
        <button type="button" className="btn" data-testid="channel-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
