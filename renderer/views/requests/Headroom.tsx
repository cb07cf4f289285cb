import { RATE_WINDOWS, type Headroom } from '../../../shared/metering.ts';
import { headroomClass, resetText, WINDOW_LABELS, windowText } from '../../lib/requests.ts';
import { formatAgo, keyLabel } from '../../lib/format.ts';
import { useNow } from '../../state/useNow.ts';

/** Rate-limit headroom per account and key, from the latest response headers, with a live reset countdown. */
export function HeadroomTable({ headroom, accountLabel }: { headroom: Headroom[]; accountLabel: (id: string) => string }) {
  const now = useNow(1000);
  return (
    <section className="card" aria-labelledby="headroom-title" data-testid="headroom">
      <h3 id="headroom-title">Rate-limit headroom</h3>
      {headroom.length === 0 ? (
        <p className="muted small">No rate-limit figures yet: they come from the headers of responses through the proxy.</p>
      ) : (
        <ul className="plain-list">
          {headroom.map((h) => {
            const windows = RATE_WINDOWS.filter((w) => h.rateLimit[w]);
            return (
              <li key={`${h.accountId}|${h.keyId}|${h.key}`} data-testid="headroom-row" data-account-id={h.accountId}>
                <div className="quota-text">
                  <strong>
                    {accountLabel(h.accountId)} · {keyLabel(h.key)}
                  </strong>
                  <span>{h.lowestPercent === null ? '' : `${Math.floor(h.lowestPercent)}% left`}</span>
                </div>
                {h.lowestPercent !== null && (
                  <div className={`bar ${headroomClass(h)}`} role="meter" aria-label="Lowest headroom" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(h.lowestPercent)}>
                    <div className="bar-fill" style={{ width: `${h.lowestPercent}%` }} />
                  </div>
                )}
                <dl className="figures figures-inline small">
                  {windows.map((w) => (
                    <div key={w}>
                      <dt>{WINDOW_LABELS[w]}</dt>
                      <dd data-testid={`headroom-${w}`}>
                        {windowText(h.rateLimit[w], now)}
                        {h.rateLimit[w]?.resetAt ? <span className="muted"> · resets {resetText(h.rateLimit[w]?.resetAt ?? null, now)}</span> : null}
                      </dd>
                    </div>
                  ))}
                  <div>
                    <dt>429s</dt>
                    <dd data-testid="headroom-429">
                      {h.rateLimited1h} in 1 h · {h.rateLimited24h} in 24 h
                    </dd>
                  </div>
                </dl>
                <p className="muted small">Seen {formatAgo(h.time, now)}</p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
