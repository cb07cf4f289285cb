import { useAlerts } from './AlertsContext.tsx';
import { Channels } from './Channels.tsx';
import { History } from './History.tsx';
import { Rules } from './Rules.tsx';

/** The Alerts tab: rules, where alerts go, and what fired. */
export function Alerts() {
  const alerts = useAlerts();
  const { view } = alerts;
  if (!view) {
    return alerts.loadError ? (
      <div className="card" role="alert" data-testid="alerts-load-error">
        <p className="error-text">{alerts.loadError}</p>
        <button type="button" className="btn" onClick={() => void alerts.reload()}>
          Try again
        </button>
      </div>
    ) : (
      <p className="muted" data-testid="alerts-loading">
        Loading alerts…
      </p>
    );
  }
  return (
    <section className="alerts" data-testid="alerts-view" aria-labelledby="alerts-title">
      <h2 id="alerts-title" className="visually-hidden">
        Alerts
      </h2>
      {view.errors.length > 0 && (
        <div className="card alerts-problems" role="alert" data-testid="alerts-problems">
          <strong>Some alert settings were skipped; the rest work:</strong>
          <ul>
            {view.errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="alerts-columns">
        <div className="alerts-settings">
          <Rules view={view} />
          <Channels view={view} />
        </div>
        <History view={view} />
      </div>
    </section>
  );
}
