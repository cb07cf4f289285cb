// DeepSeek: one balance per currency from GET /user/balance. Amounts arrive as decimal strings and are
// converted to micro-units here, once. DeepSeek reports no spend, quota or usage history.
import { ProviderError, redact } from '../errors.ts';
import { readJson } from '../http.ts';
import { MICROS, toMicros, type Money } from '../../../shared/money.ts';
import { finite, isRecord } from './numbers.ts';
import { emptyReading, type FetchContext, type ProviderAdapter, type ProviderReading } from './types.ts';

const CONSOLE_URL = 'https://platform.deepseek.com';
const TOP_UP_URL = `${CONSOLE_URL}/top_up`;

export const deepseekAdapter: ProviderAdapter = {
  descriptor: {
    id: 'deepseek',
    displayName: 'DeepSeek',
    defaultBaseUrl: 'https://api.deepseek.com',
    credentialFields: [
      {
        name: 'apiKey',
        label: 'API key',
        secret: true,
        required: true,
        placeholder: 'sk-…',
        help: `Any API key of the account, from ${CONSOLE_URL}/api_keys.`,
      },
    ],
    optionFields: [],
    reports: ['balance per currency (granted and topped up)', 'whether the account can pay for calls'],
    consoleUrl: CONSOLE_URL,
  },
  fetch: fetchDeepSeek,
};

async function fetchDeepSeek(ctx: FetchContext): Promise<ProviderReading> {
  const apiKey = ctx.credentials.apiKey?.trim();
  if (!apiKey) throw new ProviderError('config', `Enter a DeepSeek API key (create one at ${CONSOLE_URL}/api_keys).`);
  const url = `${balanceBase(ctx.baseUrl)}/user/balance`;
  try {
    const res = await ctx.http({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
      timeoutMs: ctx.timeoutMs,
    });
    return parseBalance(readJson(res, url, { what: 'the DeepSeek balance', now: ctx.now() }));
  } catch (err) {
    throw explain(err, apiKey);
  }
}

/** The balance lives outside the OpenAI-compatible /v1 prefix users often paste as the base URL. */
function balanceBase(baseUrl: string): string {
  return (baseUrl || 'https://api.deepseek.com').replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** DeepSeek-specific wording for the statuses users can act on; the key never appears in a message. */
function explain(err: unknown, apiKey: string): unknown {
  if (!(err instanceof ProviderError)) return err;
  const status = err.status;
  if (err.kind === 'auth') {
    return new ProviderError('auth', `DeepSeek rejected the API key (401). Check that it was copied whole and has not been deleted at ${CONSOLE_URL}/api_keys.`, { status, cause: err });
  }
  if (status === 402) {
    return new ProviderError('provider', `DeepSeek says the account has insufficient balance (402): top up at ${TOP_UP_URL}.`, { status, cause: err });
  }
  const message = redact(err.message, [apiKey]);
  if (message === err.message) return err;
  return new ProviderError(err.kind, message, { cause: err, status, retryAfterMs: err.retryAfterMs });
}

/** Exported for tests: the wire body to a reading. */
export function parseBalance(body: unknown): ProviderReading {
  if (!isRecord(body) || !('balance_infos' in body)) {
    throw new ProviderError('bad-response', 'DeepSeek answered without balance_infos; the base URL may not point at api.deepseek.com.');
  }
  const infos = body.balance_infos ?? [];
  if (!Array.isArray(infos)) throw new ProviderError('bad-response', 'DeepSeek sent balance_infos that is not a list.');

  const reading = emptyReading();
  for (const info of infos) {
    if (!isRecord(info)) throw new ProviderError('bad-response', 'DeepSeek sent a balance entry that is not an object.');
    const currency = typeof info.currency === 'string' ? info.currency.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(currency)) {
      throw new ProviderError('bad-response', `DeepSeek sent a balance in an unknown currency (${JSON.stringify(String(info.currency)).slice(0, 20)}).`);
    }
    // A second entry in a currency already read is a repeat, not more money: adding it would double count.
    if (reading.balances.some((m) => m.currency === currency)) continue;
    const total = amount(info.total_balance, `the ${currency} total_balance`, currency);
    reading.balances.push(total);
    const split = splitNote(info, currency);
    if (split) reading.notes.push(split);
    // A negative total happens when calls already in flight overdraw the account: it is a real debt, so it
    // is kept as reported rather than rejected as absurd.
    if (total.micros < 0) reading.notes.push(`The ${currency} balance is negative (${major(total.micros)}): DeepSeek counts it as a debt; top up at ${TOP_UP_URL}.`);
  }
  reading.balance = reading.balances[0] ?? null;
  if (!reading.balance) reading.notes.push(`DeepSeek reported no balance for this account yet; top up at ${TOP_UP_URL} to start one.`);

  if (typeof body.is_available === 'boolean') {
    reading.available = body.is_available;
    if (!body.is_available) reading.notes.push(`DeepSeek says this account cannot pay for calls: top up at ${TOP_UP_URL}.`);
  }
  return reading;
}

/** A decimal string (or number) in major units to Money; absurd values become bad-response errors. */
function amount(value: unknown, field: string, currency: string): Money {
  // `+ 0` turns the -0 of "-0.00" into 0.
  const micros = toMicros(finite(value, field)) + 0;
  if (!Number.isSafeInteger(micros)) {
    throw new ProviderError('bad-response', `DeepSeek reported ${String(value).slice(0, 30)} for ${field}, which is too large to be a balance; Spendbar kept the previous figures.`);
  }
  return { micros, currency };
}

function splitNote(info: Record<string, unknown>, currency: string): string | null {
  const parts: string[] = [];
  if (info.granted_balance !== undefined && info.granted_balance !== null) {
    parts.push(`${major(amount(info.granted_balance, `the ${currency} granted_balance`, currency).micros)} granted`);
  }
  if (info.topped_up_balance !== undefined && info.topped_up_balance !== null) {
    parts.push(`${major(amount(info.topped_up_balance, `the ${currency} topped_up_balance`, currency).micros)} topped up`);
  }
  return parts.length ? `${currency}: ${parts.join(', ')}` : null;
}

/** "10.00", "0.1234", "-1.50": at least two decimals, more only when the figure has them. */
function major(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS);
  const frac = String(abs % MICROS).padStart(6, '0').replace(/0{1,4}$/, '');
  return `${sign}${whole}.${frac}`;
}
