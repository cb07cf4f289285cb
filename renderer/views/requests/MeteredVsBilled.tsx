import type { MeteredVsBilled } from '../../../shared/metering.ts';
import { meteredVsBilledText } from '../../lib/requests.ts';

/** Per account: what the proxy measured beside what the provider bills, so spend that went around the proxy shows. */
export function MeteredVsBilledList({ rows, accountLabel }: { rows: MeteredVsBilled[]; accountLabel: (id: string) => string }) {
  return (
    <section className="card" aria-labelledby="mvb-title" data-testid="metered-vs-billed">
      <h3 id="mvb-title">Metered vs billed</h3>
      {rows.length === 0 ? (
        <p className="muted small">Nothing metered in this period yet.</p>
      ) : (
        <ul className="plain-list">
          {rows.map((m) => {
            const t = meteredVsBilledText(m);
            return (
              <li key={m.accountId} data-testid="mvb-row" data-account-id={m.accountId}>
                <strong>{accountLabel(m.accountId)}</strong>
                <dl className="figures figures-inline small">
                  <div>
                    <dt>Metered</dt>
                    <dd>{t.metered}</dd>
                  </div>
                  <div>
                    <dt>Billed</dt>
                    <dd>{t.billed}</dd>
                  </div>
                </dl>
                {t.gap && <p className="muted small">{t.gap}</p>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
