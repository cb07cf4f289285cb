// SiliconFlow: GET /v1/user/info. Decimal strings; errors come as HTTP 200 with code != 20000. .cn accounts are CNY,
// .com accounts USD. The China balance API may have been retired: a failure there is "balance unavailable" (the
// poll fails, the last good balance stays) and is never shown as a zero balance.
import { toMicros, type Money } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { finite, isRecord } from './numbers.ts';
import { CURRENCY_OPTION, hostCurrency, rootOf } from './region.ts';
import { emptyReading, type ProviderAdapter, type ProviderReading } from './types.ts';

const HOSTS = { 'siliconflow.cn': 'CNY', 'siliconflow.com': 'USD' };
const OK_CODE = 20000;

export const siliconflowAdapter: ProviderAdapter = {
  descriptor: {
    id: 'siliconflow',
    displayName: 'SiliconFlow',
    defaultBaseUrl: 'https://api.siliconflow.com',
    credentialFields: [{ name: 'apiKey', label: 'API key', secret: true, required: true, placeholder: 'sk-…', help: 'Any API key of the account (cloud.siliconflow.com, or cloud.siliconflow.cn for China accounts).' }],
    optionFields: [CURRENCY_OPTION],
    reports: ['total balance (CNY on api.siliconflow.cn, USD on api.siliconflow.com)', 'granted vs paid (charge) balance'],
    consoleUrl: 'https://cloud.siliconflow.com/account/ak',
  },
  async fetch(ctx) {
    const apiKey = ctx.credentials.apiKey?.trim();
    if (!apiKey) throw new ProviderError('config', 'Enter a SiliconFlow API key.');
    const currency = hostCurrency(ctx, HOSTS, 'SiliconFlow');
    const url = `${rootOf(ctx.baseUrl || siliconflowAdapter.descriptor.defaultBaseUrl)}/v1/user/info`;
    try {
      const res = await ctx.http({ method: 'GET', url, headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' }, timeoutMs: ctx.timeoutMs });
      return parseUserInfo(readJson(res, url, { what: 'the SiliconFlow balance', now: ctx.now() }), currency, safeHost(url));
    } catch (err) {
      throw explain(err, apiKey, currency);
    }
  },
};

/** On the China host, an answer that is not a balance means the endpoint is gone: say "unavailable", never zero. */
function explain(err: unknown, apiKey: string, currency: string): unknown {
  if (!(err instanceof ProviderError)) return err;
  const message = redact(err.message, [apiKey]);
  // CNY = a China account (the .cn host, or another host set to CNY).
  if (currency === 'CNY' && ['not-found', 'bad-response', 'provider'].includes(err.kind)) {
    return new ProviderError(
      'provider',
      `Balance unavailable: SiliconFlow's China API did not report a balance (${message}) — it is reported to have retired this endpoint. Spendbar keeps the last balance it read; check the balance at https://cloud.siliconflow.cn/account/ak.`,
      { status: err.status, cause: err },
    );
  }
  return message === err.message ? err : new ProviderError(err.kind, message, { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
}

export function parseUserInfo(body: unknown, currency: string, host: string): ProviderReading {
  if (!isRecord(body)) throw new ProviderError('bad-response', `${host} sent account info that is not a JSON object.`);
  if (body.code !== OK_CODE || body.status === false) {
    const said = typeof body.message === 'string' ? ` It said: "${body.message.slice(0, 200)}".` : '';
    throw new ProviderError('provider', `${host} answered with code ${JSON.stringify(body.code ?? null)} instead of the account balance.${said}`);
  }
  const data = body.data;
  if (!isRecord(data) || data.totalBalance === undefined) throw new ProviderError('bad-response', `${host} sent account info without a balance (data.totalBalance).`);
  const m = (field: string): Money => {
    const micros = toMicros(finite(data[field], `data.${field}`)) + 0;
    if (!Number.isSafeInteger(micros)) throw new ProviderError('bad-response', `${host} reported ${String(data[field]).slice(0, 30)} for data.${field}, which is beyond any real balance.`);
    return { micros, currency };
  };
  const total = m('totalBalance');
  const reading = emptyReading();
  reading.balance = total;
  reading.balances = [total];
  if (data.balance != null && data.chargeBalance != null) {
    reading.notes.push(`${currency}: ${(m('balance').micros / 1e6).toFixed(2)} granted, ${(m('chargeBalance').micros / 1e6).toFixed(2)} paid (charge balance).`);
  }
  if (total.micros <= 0) {
    reading.available = false;
    reading.notes.push('The balance is used up: SiliconFlow will refuse paid models until it is topped up.');
  }
  return reading;
}
