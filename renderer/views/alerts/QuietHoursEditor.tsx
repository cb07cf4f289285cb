import { useId, useMemo, useState, type FormEvent } from 'react';
import type { AlertsView } from '../../../shared/api.ts';
import { quietHoursSchema } from '../../../shared/alerts.ts';
import { formatIssues } from '../../../shared/schemas.ts';
import { useLive } from '../../state/live.tsx';
import { useAlerts } from './AlertsContext.tsx';

function zones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

/** Popups wait during quiet hours; one summary arrives when they end. Webhooks are not held. */
export function QuietHoursEditor({ view, rules }: { view: AlertsView; rules: Record<string, unknown>[] }) {
  const { api, info } = useLive();
  const alerts = useAlerts();
  const q = view.quietHours;
  const [on, setOn] = useState(q !== null);
  const [start, setStart] = useState(q?.start ?? '22:00');
  const [end, setEnd] = useState(q?.end ?? '07:00');
  const [zone, setZone] = useState(q?.timeZone ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const uid = useId();
  const zoneList = useMemo(zones, []);

  const edit = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setProblem(null);
    setNotice(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let quietHours: unknown = null;
    if (on) {
      const parsed = quietHoursSchema.safeParse({ start, end, ...(zone.trim() ? { timeZone: zone.trim() } : {}) });
      if (!parsed.success) {
        setProblem(`Quiet hours: ${formatIssues(parsed.error).replace(/\n/g, '; ')}`);
        return;
      }
      quietHours = parsed.data;
    }
    setBusy(true);
    try {
      alerts.replace(await api.saveAlerts({ rules, quietHours }));
      setNotice(on ? `Popups wait from ${start} to ${end}.` : 'Quiet hours are off.');
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const bad = (what: string) => (problem?.includes(what) ? { 'aria-invalid': true, 'aria-describedby': `${uid}-problem` } : {});

  return (
    <form className="quiet-hours" data-testid="quiet-hours" onSubmit={(e) => void submit(e)} aria-labelledby={`${uid}-title`} noValidate>
      <h4 id={`${uid}-title`}>Quiet hours</h4>
      <label className="check">
        <input type="checkbox" data-testid="quiet-enabled" checked={on} onChange={(e) => edit(setOn)(e.target.checked)} />
        Hold popups during quiet hours, then send one summary
      </label>
      {on && (
        <div className="quiet-fields">
          <div className="field">
            <label htmlFor={`${uid}-start`}>From</label>
            <input id={`${uid}-start`} data-testid="quiet-start" type="time" value={start} onChange={(e) => edit(setStart)(e.target.value)} {...bad('start:')} />
          </div>
          <div className="field">
            <label htmlFor={`${uid}-end`}>Until</label>
            <input id={`${uid}-end`} data-testid="quiet-end" type="time" value={end} onChange={(e) => edit(setEnd)(e.target.value)} {...bad('end:')} />
          </div>
          <div className="field quiet-zone">
            <label htmlFor={`${uid}-zone`}>Time zone</label>
            <input id={`${uid}-zone`} data-testid="quiet-zone" list={`${uid}-zones`} autoComplete="off" spellCheck={false} placeholder={info?.timeZone ?? 'UTC'} value={zone} onChange={(e) => edit(setZone)(e.target.value)} {...bad('timeZone:')} />
            <datalist id={`${uid}-zones`}>
              {zoneList.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
            <small className="muted">Empty: the app’s zone ({info?.timeZone ?? 'UTC'}).</small>
          </div>
        </div>
      )}
      {problem && (
        <p className="test-outcome test-failed" role="alert" id={`${uid}-problem`} data-testid="quiet-error">
          {problem}
        </p>
      )}
      {notice && (
        <p role="status" className="notice" data-testid="quiet-notice">
          {notice}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn" data-testid="quiet-save" disabled={busy}>
          {busy ? 'Saving…' : 'Save quiet hours'}
        </button>
      </div>
    </form>
  );
}
