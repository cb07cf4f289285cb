import { useAlertsIfAny } from './AlertsContext.tsx';
import { formatTime } from '../../lib/alertsHistory.ts';

/** Active alerts in one line at the top of the Overview, linking to the Alerts tab. */
export function AlertsBanner() {
  const alerts = useAlertsIfAny();
  const active = alerts?.active ?? [];
  if (!alerts || active.length === 0) return null;
  const newest = active[0]!;
  const critical = active.some((a) => a.severity === 'critical');
  return (
    <div className={`alerts-banner${critical ? ' is-critical' : ''}`} role="status" data-testid="alerts-banner" data-count={active.length}>
      <span className="alerts-banner-icon" aria-hidden="true">
        !
      </span>
      <p className="alerts-banner-text">
        <strong>{active.length === 1 ? '1 active alert' : `${active.length} active alerts`}</strong>
        <span className="alerts-banner-title" data-testid="alerts-banner-title" title={newest.body}>
          {newest.title}
        </span>
        <span className="muted small">{formatTime(newest.time)}</span>
      </p>
      <button type="button" className="btn btn-small" data-testid="alerts-banner-open" onClick={alerts.open}>
        View alerts
      </button>
    </div>
  );
}
