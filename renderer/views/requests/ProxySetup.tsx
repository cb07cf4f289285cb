import { useState } from 'react';
import type { ProxyInfo } from '../../../shared/metering.ts';
import { useLive } from '../../state/live.tsx';

/** Where apps point their base URL, and how to get the proxy token without it passing through this page. */
export function ProxySetup({ info, accountLabel }: { info: ProxyInfo | null; accountLabel: (id: string) => string }) {
  const { api } = useLive();
  const [copy, setCopy] = useState<{ ok: boolean; message: string } | null>(null);
  const onCopy = async () => {
    try {
      const r = await api.copyProxyToken();
      setCopy({ ok: r.copied, message: r.message });
    } catch (err) {
      setCopy({ ok: false, message: err instanceof Error ? err.message : String(err) });
    }
  };
  return (
    <section className="card" aria-labelledby="proxy-title" data-testid="proxy-setup">
      <h3 id="proxy-title">Connect your apps</h3>
      {!info?.url ? (
        <p className="muted small">The metering proxy is not running.</p>
      ) : (
        <>
          <p className="small">
            Set your SDK&apos;s base URL to the account&apos;s proxy URL. As the API key, send your own key, or Spendbar&apos;s proxy token and Spendbar
            inserts the account&apos;s stored key. Tag requests with <code>X-Spendbar-App: my-app</code> (add <code>; kind=internal</code> for
            infrastructure calls).
          </p>
          <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="proxy-title">
            <table className="breakdown">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Base URL for your app</th>
                  <th scope="col">Goes to</th>
                  <th scope="col">Proxy token</th>
                </tr>
              </thead>
              <tbody>
                {info.accounts.map((a) => (
                  <tr key={a.accountId} data-testid="proxy-account" data-account-id={a.accountId}>
                    <th scope="row">{accountLabel(a.accountId)}</th>
                    <td>
                      <code>{a.baseUrl}</code>
                    </td>
                    <td className="muted">{a.upstream}</td>
                    <td>{a.canInsertKey ? 'works' : 'send your own key'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="card-foot">
            <button type="button" className="btn" data-testid="copy-proxy-token" onClick={() => void onCopy()}>
              Copy proxy token
            </button>
            {copy && (
              <span role="status" className={copy.ok ? 'small' : 'muted small'} data-testid="copy-proxy-token-result">
                {copy.message}
              </span>
            )}
          </div>
          <p className="muted small">{info.tokenHint}</p>
        </>
      )}
    </section>
  );
}
