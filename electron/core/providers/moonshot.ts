// Moonshot (Kimi): GET /v1/users/me/balance. Floats with no currency field: .cn is CNY, .ai is USD. Cash can be
// negative (a debt), in which case only vouchers remain available. Errors may come as HTTP 200 with code != 0.
import { toMicros, type Money } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { finite, isRecord } from './numbers.ts';
import { CURRENCY_OPTION, hostCurrency, rootOf } from './region.ts';
import { emptyReading, type ProviderAdapter, type ProviderReading } from './types.ts';

const HOSTS = { 'moonshot.cn': 'CNY', 'moonshot.ai': 'USD' };

export const moonshotAdapter: ProviderAdapter = {
  descriptor: {
    id: 'moonshot',
    displayName: 'Moonshot (Kimi)',
    defaultBaseUrl: 'https://api.moonshot.ai',
    credentialFields: [{ name: 'apiKey', label: 'API key', secret: true, required: true, placeholder: 'sk-…', help: 'Any API key of the account (platform.moonshot.ai, or platform.moonshot.cn for China accounts).' }],
    optionFields: [CURRENCY_OPTION],
    reports: ['available balance (CNY on api.moonshot.cn, USD on api.moonshot.ai)', 'voucher and cash split; a negative cash balance is a debt', 'whether the account can pay for calls'],
    consoleUrl: 'https://platform.moonshot.ai/console/account',
  },
  async fetch(ctx) {
    const apiKey = ctx.credentials.apiKey?.trim();
    if (!apiKey) throw new ProviderError('config', 'Enter a Moonshot API key.');
    const currency = hostCurrency(ctx, HOSTS, 'Moonshot');
    const url = `${rootOf(ctx.baseUrl || moonshotAdapter.descriptor.defaultBaseUrl)}/v1/users/me/balance`;
    try {
      const res = await ctx.http({ method: 'GET', url, headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' }, timeoutMs: ctx.timeoutMs });
      return parseMoonshotBalance(readJson(res, url, { what: 'the Moonshot balance', now: ctx.now() }), currency, safeHost(url));
    } catch (err) {
      if (err instanceof ProviderError && err.message.includes(apiKey)) throw new ProviderError(err.kind, redact(err.message, [apiKey]), { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
      throw err;
    }
  },
};

export function parseMoonshotBalance(body: unknown, currency: string, host: string): ProviderReading {
  if (!isRecord(body)) throw new ProviderError('bad-response', `${host} sent a balance that is not a JSON object.`);
  if (body.code !== 0 || body.status === false || isRecord(body.error)) {
    const e = isRecord(body.error) ? body.error : body;
    const said = typeof e.message === 'string' ? ` It said: "${e.message.slice(0, 200)}".` : '';
    throw new ProviderError('provider', `${host} answered with an error (code ${JSON.stringify(body.code ?? e.code ?? null)}) instead of the balance.${said}`);
  }
  const data = body.data;
  if (!isRecord(data)) throw new ProviderError('bad-response', `${host} sent a balance without data.`);
  const m = (field: string): Money => {
    const micros = toMicros(finite(data[field], field)) + 0;
    if (!Number.isSafeInteger(micros)) throw new ProviderError('bad-response', `${host} reported ${String(data[field]).slice(0, 30)} for ${field}, which is beyond any real balance.`);
    return { micros, currency };
  };
  const available = m('available_balance');
  const reading = emptyReading();
  reading.balance = available;
  reading.balances = [available];
  const voucher = data.voucher_balance == null ? null : m('voucher_balance');
  const cash = data.cash_balance == null ? null : m('cash_balance');
  if (voucher && cash) reading.notes.push(`${currency}: ${fmt(voucher.micros)} in vouchers, ${fmt(cash.micros)} cash.`);
  if (cash && cash.micros < 0) reading.notes.push(`The cash balance is negative (${fmt(cash.micros)} ${currency}): Moonshot counts it as a debt, and only vouchers remain to spend. Top up to clear it.`);
  reading.available = available.micros > 0;
  if (!reading.available) reading.notes.push('Moonshot will refuse calls: the available balance is used up. Top up in the Moonshot console.');
  return reading;
}

function fmt(micros: number): string {
  return (micros / 1e6).toFixed(2);
}
