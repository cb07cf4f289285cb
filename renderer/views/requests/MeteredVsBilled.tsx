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
        <dl className="figures">
          {rows.map((m) => {
            const t = meteredVsBilledText(m);
            return (
              <div key={m.accountId} className="figure-main" data-testid="mvb-row" data-account-id={m.accountId}>
                <dt>{accountLabel(m.accountId)}</dt>
                <dd>
                  <span>Metered {t.metered}</span>
                  <span>Billed {t.billed}</span>
                </dd>
                {t.gap && <p className="muted small">{t.gap}</p>}
              </div>
            );
          })}
        </dl>
      )}
    </section>
  );
}
