import { useId, useMemo, useState } from 'react';
import type { AlertsView, SnoozeUntil } from '../../../shared/api.ts';
import type { AlertEvent } from '../../../shared/alerts.ts';
import { describeRule } from '../../lib/alerts.ts';
import { EMPTY_HISTORY_FILTER, formatAlertValue, formatTime, newestFirst, PERIODS, snoozedUntil, toHistoryFilter, type HistoryFilterState } from '../../lib/alertsHistory.ts';
import { useLive } from '../../state/live.tsx';
import { useNow } from '../../state/useNow.ts';
import { useQuery } from '../../state/useQuery.ts';
import { useAlerts } from './AlertsContext.tsx';

const SEVERITY_BADGE = { critical: 'badge-danger', warning: 'badge-warn', info: 'badge-info' } as const;
const SEVERITY_LABEL = { critical: 'Critical', warning: 'Warning', info: 'Info' } as const;

export function History({ view }: { view: AlertsView }) {
  const { api, accounts } = useLive();
  const alerts = useAlerts();
  const now = useNow();
  const uid = useId();
  const [filter, setFilter] = useState<HistoryFilterState>(EMPTY_HISTORY_FILTER);
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const labelOf = (id: string) => accounts.find((a) => a.id === id)?.label ?? id;
  const activeIds = useMemo(() => new Set(alerts.active.map((a) => a.id)), [alerts.active]);

  const history = useQuery(() => api.alertHistory(toHistoryFilter(filter, Date.now())), [api, filter, alerts.revision]);
  const events = useMemo(() => newestFirst(history.data ?? []), [history.data]);

  const set = (patch: Partial<HistoryFilterState>) => setFilter((f) => ({ ...f, ...patch }));
  const act = async (e: AlertEvent, run: () => Promise<unknown>) => {
    setBusy(e.id);
    setError(null);
    try {
      await run();
      alerts.changed();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };
  const snooze = (e: AlertEvent, until: SnoozeUntil) => void act(e, () => api.snoozeAlert({ eventId: e.id }, until));
  const ack = (e: AlertEvent) => void act(e, () => api.acknowledgeAlert(e.id));
  const ruleLabel = (r: AlertsView['rules'][number]['rule']) => (typeof r.name === 'string' && r.name ? r.name : describeRule(r, labelOf));

  const select = (name: keyof HistoryFilterState, label: string, options: { value: string; label: string }[]) => (
    <label htmlFor={`${uid}-${name}`}>
      {label}
      <select id={`${uid}-${name}`} data-testid={`history-filter-${name}`} value={filter[name]} onChange={(e) => set({ [name]: e.target.value } as Partial<HistoryFilterState>)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section className="alerts-section" aria-labelledby="alert-history-title">
      <div className="section-head">
        <h3 id="alert-history-title">History</h3>
        {history.loading && <span className="muted small">Loading…</span>}
      </div>
      <div className="filters" role="group" aria-label="Filter the alert history">
        {select('accountId', 'Account', [{ value: '', label: 'All accounts' }, ...accounts.map((a) => ({ value: a.id, label: a.label }))])}
        {select('ruleId', 'Rule', [{ value: '', label: 'All rules' }, ...view.rules.map((r) => ({ value: r.rule.id, label: ruleLabel(r.rule) }))])}
        {select('kind', 'Kind', [
          { value: '', label: 'Fired or recovered' },
          { value: 'fired', label: 'Fired' },
          { value: 'recovered', label: 'Recovered' },
        ])}
        {select('acknowledged', 'State', [
          { value: '', label: 'Any' },
          { value: 'no', label: 'Not acknowledged' },
          { value: 'yes', label: 'Acknowledged' },
        ])}
        {select('period', 'Period', PERIODS.map((p) => ({ value: p.id, label: p.label })))}
        <div className="filter-actions">
          <button type="button" className="btn" data-testid="history-filter-clear" onClick={() => setFilter(EMPTY_HISTORY_FILTER)}>
            Clear
          </button>
        </div>
      </div>
      {(error ?? history.error) && (
        <p role="alert" className="error-text" data-testid="history-error">
          {error ?? history.error}
        </p>
      )}
      {history.data && events.length === 0 && (
        <p className="muted" data-testid="history-empty">
          No alerts match.
        </p>
      )}
      <ol className="history-list" data-testid="history-list" aria-label="Alerts, newest first">
        {events.map((e) => {
          const active = activeIds.has(e.id);
          const snoozed = snoozedUntil(e, now);
          const failed = e.deliveries.filter((d) => !d.ok);
          return (
            <li
              key={e.id}
              className={`card history-row${active ? ' is-active' : ''} severity-${e.severity}`}
              data-testid="history-row"
              data-event-id={e.id}
              data-rule-id={e.ruleId}
              data-kind={e.kind}
              data-active={active}
              data-acknowledged={e.acknowledgedAt !== null}
            >
              <div className="history-main">
                <div className="history-head">
                  <strong className="history-title">{e.title}</strong>
                  <span className="badges">
                    {active && <span className="badge badge-danger">Active</span>}
                    <span className={`badge ${e.kind === 'recovered' ? 'badge-ok' : SEVERITY_BADGE[e.severity]}`}>{e.kind === 'recovered' ? 'Recovered' : SEVERITY_LABEL[e.severity]}</span>
                  </span>
                </div>
                <p className="history-body">{e.body}</p>
                <p className="muted small history-meta">
                  <time dateTime={new Date(e.time).toISOString()}>{formatTime(e.time)}</time>
                  {e.accountId ? ` · ${labelOf(e.accountId)}` : e.subject.startsWith('currency:') ? ` · all ${e.subject.slice(9)} accounts` : ''}
                  {e.kind === 'fired' ? ` · ${formatAlertValue(e.value, e.unit)} (threshold ${formatAlertValue(e.threshold, e.unit)})` : ''}
                  {e.acknowledgedAt !== null && <span data-testid="history-acked"> · Acknowledged {formatTime(e.acknowledgedAt)}</span>}
                  {snoozed !== null && <span data-testid="history-snoozed"> · Snoozed until {formatTime(snoozed)}</span>}
                  {e.popup === 'held' && ' · Popup held for quiet hours'}
                </p>
                {failed.length > 0 && (
                  <p className="error-text small" data-testid="history-delivery-failed">
                    {failed.map((d) => `${d.channelId}: ${d.message ?? 'not delivered'}`).join(' · ')}
                  </p>
                )}
              </div>
              <div className="row-actions">
                {e.kind === 'fired' && e.acknowledgedAt === null && (
                  <>
                    <button type="button" className="btn btn-small" data-testid="history-snooze" disabled={busy === e.id} aria-label={`Snooze ${e.title} for 1 hour`} onClick={() => snooze(e, '1h')}>
                      Snooze 1 h
                    </button>
                    <button type="button" className="btn btn-small" data-testid="history-snooze-tomorrow" disabled={busy === e.id} aria-label={`Snooze ${e.title} until tomorrow`} onClick={() => snooze(e, 'tomorrow')}>
                      Until tomorrow
                    </button>
                  </>
                )}
                {e.acknowledgedAt === null && (
                  <button type="button" className="btn btn-small" data-testid="history-ack" disabled={busy === e.id} aria-label={`Acknowledge ${e.title}`} onClick={() => ack(e)}>
                    Acknowledge
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
