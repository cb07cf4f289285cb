import type { KeySpend } from '../../shared/domain.ts';
import { formatMoneyShort } from '../lib/format.ts';

/** The account's keys when the provider lists them (an OpenRouter management key): each by name, with its spend and cap. */
export function KeyList({ keys }: { keys: KeySpend[] }) {
  if (keys.length === 0) return null;
  // The biggest spenders first; a long list is cut, the count says how many there are.
  const shown = [...keys].sort((a, b) => (b.spent.month?.micros ?? 0) - (a.spent.month?.micros ?? 0)).slice(0, 8);
  return (
    <details className="keys small" data-testid="card-keys">
      <summary>
        {keys.length} key{keys.length === 1 ? '' : 's'}
      </summary>
      <table>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Today</th>
            <th scope="col">Month</th>
            <th scope="col">Cap left</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((k) => (
            <tr key={`${k.workspace ?? ''}/${k.name}`} data-testid="card-key">
              <th scope="row">
                {k.name}
                {k.workspace ? <span className="muted"> · {k.workspace}</span> : null}
                {k.disabled ? <span className="muted"> (disabled)</span> : null}
              </th>
              <td>{k.spent.today ? formatMoneyShort(k.spent.today) : '—'}</td>
              <td>{k.spent.month ? formatMoneyShort(k.spent.month) : '—'}</td>
              <td>{k.limit && k.remaining ? `${formatMoneyShort(k.remaining)} of ${formatMoneyShort(k.limit)}${k.resets && k.resets !== 'never' ? ` ${k.resets}` : ''}` : 'no cap'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.length > shown.length && <p className="muted">and {keys.length - shown.length} more</p>}
    </details>
  );
}
