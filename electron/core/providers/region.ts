// Providers whose balance API carries no currency: the currency follows the host (.cn → CNY, international → USD),
// and an account on another host (a proxy, a loopback fake) names it with the `currency` option.
import type { FieldDescriptor } from '../../../shared/api.ts';
import { ProviderError } from '../errors.ts';
import { safeHost } from '../http.ts';
import type { FetchContext } from './types.ts';

export const CURRENCY_OPTION: FieldDescriptor = {
  name: 'currency',
  label: 'Currency (CNY or USD)',
  secret: false,
  required: false,
  placeholder: 'from the host',
  help: 'Only for a base URL other than the official hosts: .cn hosts are CNY, the international ones USD.',
};

/** The account's currency: the `currency` option, else the host's; a host Spendbar cannot place is a config error. */
export function hostCurrency(ctx: FetchContext, hosts: Record<string, string>, provider: string): string {
  const option = ctx.account.options?.currency;
  if (typeof option === 'string' && option.trim()) {
    const c = option.trim().toUpperCase();
    if (c !== 'CNY' && c !== 'USD') throw new ProviderError('config', `The currency option must be CNY or USD, not "${option.slice(0, 10)}".`);
    return c;
  }
  let host: string;
  try {
    host = new URL(ctx.baseUrl).hostname.toLowerCase();
  } catch {
    host = '';
  }
  for (const [suffix, currency] of Object.entries(hosts)) if (host === suffix || host.endsWith(`.${suffix}`)) return currency;
  throw new ProviderError(
    'config',
    `${provider} does not say which currency its balance is in, and ${safeHost(ctx.baseUrl)} is not one of its hosts (${Object.keys(hosts).join(', ')}). Set the currency option to CNY or USD.`,
  );
}

/** The API root without a trailing /v1, which users often paste. */
export function rootOf(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '').replace(/\/v1$/i, '');
}
