import { useEffect, useRef, useState } from 'react';
import type { AlertsView } from '../../../shared/api.ts';
import type { AlertChannel } from '../../../shared/alerts.ts';
import { channelFromDraft, checkChannels, draftFromChannel, freeChannelId, keepChannel, newWebhookDraft, WEBHOOK_FORMATS, type ChannelDraft } from '../../lib/alertsChannels.ts';
import { channelLabel } from '../../lib/alertsHistory.ts';
import { useLive } from '../../state/live.tsx';
import { useAlerts } from './AlertsContext.tsx';
import { ChannelEditor } from './ChannelEditor.tsx';
import { QuietHoursEditor } from './QuietHoursEditor.tsx';
import { settingsRulesOf } from './Rules.tsx';
import { TestResultLine, type TestState } from './TestResultLine.tsx';
import { Outcome } from '../Outcome.tsx';

export function Channels({ view }: { view: AlertsView }) {
  const { api, accounts } = useLive();
  const alerts = useAlerts();
  const [editing, setEditing] = useState<ChannelDraft | null>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rules = settingsRulesOf(view);
  const accountIds = accounts.map((a) => a.id);
  const addButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (!editing && wasEditing.current) addButton.current?.focus();
    wasEditing.current = editing !== null;
  }, [editing]);

  /** The list with one channel replaced, added or (draft null) removed, as the core takes it. */
  const listWith = (draft: ChannelDraft | null, removeId?: string): AlertChannel[] => {
    const kept = view.channels.filter((c) => c.id !== removeId).map((c) => (draft?.existing?.id === c.id ? channelFromDraft(draft) : keepChannel(c)));
    return draft && !draft.existing ? [...kept, channelFromDraft(draft)] : kept;
  };
  const check = (draft: ChannelDraft) => checkChannels(listWith(draft), view.channels, rules, accountIds);

  const save = async (channels: AlertChannel[], done: string) => {
    alerts.replace(await api.saveAlerts({ rules, channels }));
    setNotice(done);
  };

  const remove = async (c: AlertChannel) => {
    setError(null);
    const list = listWith(null, c.id);
    const problem = checkChannels(list, view.channels, rules, accountIds);
    if (problem) {
      setError(problem);
      setConfirming(null);
      return;
    }
    try {
      await save(list, `Removed ${channelLabel(c)}.`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    setConfirming(null);
  };

  const sendTest = async (c: AlertChannel) => {
    setTests((t) => ({ ...t, [c.id]: { kind: 'sending' } }));
    let result: TestState;
    try {
      result = { kind: 'done', delivery: await api.testAlertChannel(c.id) };
    } catch (err) {
      result = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    setTests((t) => ({ ...t, [c.id]: result }));
  };

  const ids = view.channels.map((c) => c.id);
  const hasPopup = view.channels.some((c) => c.type === 'popup');

  return (
    <section className="alerts-section" aria-labelledby="alert-channels-title">
      <div className="section-head">
        <h3 id="alert-channels-title">Where alerts go</h3>
        <div className="row-actions">
          {!hasPopup && (
            <button type="button" className="btn" data-testid="channel-add-popup" disabled={editing !== null} onClick={() => { setNotice(null); setEditing({ ...newWebhookDraft(ids), id: freeChannelId('popup', ids), type: 'popup' }); }}>
              Add desktop popups
            </button>
          )}
          <button type="button" className="btn" data-testid="channel-add" ref={addButton} disabled={editing !== null} onClick={() => { setNotice(null); setEditing(newWebhookDraft(ids)); }}>
            Add webhook
          </button>
        </div>
      </div>
      <Outcome notice={notice} error={error} testId="channels" />
      {editing && (
        <ChannelEditor
          key={editing.existing?.id ?? 'new'}
          initial={editing}
          check={check}
          onSave={async (d) => {
            await save(listWith(d), `Saved ${channelLabel(channelFromDraft(d))}.`);
            setEditing(null);
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {view.channels.length === 0 && <p className="muted">No channels: alerts are kept in the history only.</p>}
      <ul className="channel-list">
        {view.channels.map((c) => (
          <li key={c.id} className="card channel-row" data-testid="channel-row" data-channel-id={c.id}>
            <div className="channel-row-main">
              <strong>{channelLabel(c)}</strong>
              <span className="muted small">
                {c.type === 'popup' ? 'Native notification on this computer' : `${WEBHOOK_FORMATS.find((f) => f.value === c.format)?.label ?? c.format} webhook`} · id <code>{c.id}</code>
              </span>
              {c.type === 'webhook' && (
                <code className="masked-url" data-testid="channel-masked-url">
                  {c.url}
                </code>
              )}
              {tests[c.id] && <TestResultLine state={tests[c.id]!} />}
            </div>
            <div className="row-actions">
              {confirming === c.id ? (
                <div role="alertdialog" aria-label={`Remove ${channelLabel(c)}?`} className="confirm">
                  <span>Remove this channel?</span>
                  <button type="button" className="btn btn-danger" data-testid="channel-remove-yes" autoFocus onClick={() => void remove(c)}>
                    Remove
                  </button>
                  <button type="button" className="btn" onClick={() => setConfirming(null)}>
                    Keep
                  </button>
                </div>
              ) : (
                <>
                  <button type="button" className="btn btn-small" data-testid="channel-test" disabled={tests[c.id]?.kind === 'sending'} aria-label={`Send a test to ${channelLabel(c)}`} onClick={() => void sendTest(c)}>
                    Send test
                  </button>
                  {c.type === 'webhook' && (
                    <button type="button" className="btn btn-small" data-testid="channel-edit" disabled={editing !== null} aria-label={`Edit ${channelLabel(c)}`} onClick={() => { setNotice(null); setEditing(draftFromChannel(c)); }}>
                      Edit
                    </button>
                  )}
                  <button type="button" className="btn btn-small" data-testid="channel-remove" aria-label={`Remove ${channelLabel(c)}`} onClick={() => setConfirming(c.id)}>
                    Remove
                  </button>
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
      <QuietHoursEditor view={view} rules={rules} />
    </section>
  );
}
