// Composes a gateway reading from the key's figures, the wallet and the settings: which figure is the balance,
// what cannot pay, and what the gateway's own pages show.
import type { Quota } from '../../../../shared/domain.ts';
import { formatMoney, type Money, formatNumber } from '../../../../shared/money.ts';
import { ProviderError } from '../../errors.ts';
import type { ProviderReading } from '../types.ts';
import type { KeyFigures } from './billing.ts';
import { STATE_NOTES } from './key-state.ts';
import { rawScale, type GatewaySettings, type Scale } from './settings.ts';
import type { Wallet } from './wallet.ts';
import { clock } from './wire.ts';

/** The key's figures with the scale that turns them into money, or only what a refusal told us. */
export type KeyReading = { figures: KeyFigures; scale: Scale; state: null } | { figures: null; scale: Scale; state: 'exhausted' | 'expired' };

/** Raw wallet quota in the billing endpoints' unit, to compare with them. */
export function walletInBillingUnits(w: Wallet, s: GatewaySettings): { remaining: number; used: number } {
  const f = s.billingUnit === 'raw' ? 1 : s.billingUnit === 'cny' ? (s.usdExchangeRate ?? NaN) / s.quotaPerUnit : 1 / s.quotaPerUnit;
  return { remaining: w.remaining * f, used: w.used * f };
}

function money(value: number, field: string, scale: Scale): Money {
  const micros = Math.round(value * scale.microsPerUnit);
  if (!Number.isSafeInteger(micros)) {
    throw new ProviderError('bad-response', `The gateway reported ${value} for ${field}, which is beyond any real balance; Spendbar kept the previous figures.`);
  }
  return { micros: micros === 0 ? 0 : micros, currency: scale.currency };
}

export function compose(k: KeyReading, settings: GatewaySettings, wallet: Wallet | null, now: number, notes: string[]): ProviderReading {
  const scale = k.scale;
  let estimated = settings.estimated || scale.estimated;
  const walletScale = rawScale(settings);
  const walletMoney = wallet ? money(wallet.remaining, 'the wallet quota', walletScale) : null;
  if (wallet && walletMoney) {
    const used = money(wallet.used, 'the wallet used quota', walletScale);
    const requests = wallet.requests === null ? '' : ` over ${formatNumber(wallet.requests)} requests`;
    notes.push(`Wallet (read with the access token): ${formatMoney(walletMoney)} remaining, ${formatMoney(used)} used${requests}.`);
    if (walletScale.estimated) estimated = true;
  }

  if (k.figures === null) {
    // The gateway refused the key and said why; what it told is all there is.
    notes.push(STATE_NOTES[k.state], ...scale.notes);
    const zero: Money = { micros: 0, currency: scale.currency };
    const balance = k.state === 'exhausted' ? zero : null;
    return { balance, balances: balance ? [balance] : [], spent: {}, quota: null, usage: [], estimated, notes, available: false };
  }

  const f = k.figures;
  estimated ||= f.estimated;
  notes.push(...f.notes, ...scale.notes);
  const used = money(f.used, 'used quota', scale);
  const limit = f.limit === null ? null : money(f.limit, 'quota limit', scale);
  const remaining = f.remaining === null ? null : money(f.remaining, 'remaining quota', scale);
  const expiresAt = f.expiresAtSec > 0 ? f.expiresAtSec * 1000 : null;
  let balance: Money | null = remaining;
  let available: boolean | undefined;

  if (remaining === null) {
    if (walletMoney) {
      balance = walletMoney;
      notes.push('Unlimited key: the balance is your wallet, which is what limits it.');
    } else {
      notes.push('Unlimited key: it has no quota of its own, so there is no balance to show. Add the access token to read your wallet, which is what limits it.');
    }
  } else if (walletMoney && walletMoney.currency === remaining.currency && walletMoney.micros < remaining.micros && !f.perUser) {
    balance = walletMoney;
    notes.push(`Your wallet holds less than this key's remaining quota (${formatMoney(remaining)}): the wallet is what can still be spent.`);
  }
  if (remaining !== null && remaining.micros <= 0) {
    available = false;
    notes.push(STATE_NOTES.exhausted);
  }
  if (expiresAt !== null && expiresAt <= now) {
    available = false;
    notes.push(`This key expired on ${clock(expiresAt)}; the gateway will refuse calls until its expiry is extended.`);
  }
  if (settings.custom && balance) {
    const shown = (balance.micros / 1e6) * settings.custom.rate;
    notes.push(
      `The gateway shows amounts in its own currency (${settings.custom.symbol}, ${settings.custom.rate} per US dollar): this balance reads ${settings.custom.symbol}${shown.toFixed(2)} there. Spendbar keeps US dollars, the unit its quota is counted in.`,
    );
  }
  const quota: Quota = { limit, used, remaining, resets: 'never', expiresAt };
  const reading: ProviderReading = { balance, balances: balance ? [balance] : [], spent: { total: used }, quota, usage: [], estimated, notes };
  if (available !== undefined) reading.available = available;
  return reading;
}

