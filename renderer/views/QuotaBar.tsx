import type { Quota } from '../../shared/domain.ts';
import { formatMoneyShort as formatMoney, formatPercent } from '../lib/format.ts';

/** Quota or key cap used, as a bar; an unlimited key shows what it used with no bar. */
export function QuotaBar({ quota }: { quota: Quota }) {
  const resets = quota.resets && quota.resets !== 'never' ? ` · resets ${quota.resets}` : '';
  if (!quota.limit || quota.limit.micros <= 0) {
    return (
      <p className="quota" data-testid="card-quota">
        No cap · {formatMoney(quota.used)} used{resets}
      </p>
    );
  }
  const share = Math.max(0, quota.used.micros / quota.limit.micros);
  const level = share >= 0.9 ? 'danger' : share >= 0.75 ? 'warn' : 'ok';
  const label = `${formatMoney(quota.used)} of ${formatMoney(quota.limit)} used (${formatPercent(share)})`;
  return (
    <div className="quota" data-testid="card-quota">
      <div className="quota-text">
        <span>Cap</span>
        <span>
          {label}
          {resets}
        </span>
      </div>
      <div
        className={`bar bar-${level}`}
        role="progressbar"
        aria-label="Quota used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(Math.min(share, 1) * 100)}
        aria-valuetext={label}
      >
        <div className="bar-fill" style={{ width: `${Math.min(share, 1) * 100}%` }} />
      </div>
    </div>
  );
}
