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

/**
 * Exported for tests: the wire body to a reading. DeepSeek marks every field optional, so an entry without a
 * currency, or without a total (and without both parts to add up), is skipped with a note and the others are kept.
 */
export function parseBalance(body: unknown): ProviderReading {
  const hasInfos = isRecord(body) && body.balance_infos !== undefined && body.balance_infos !== null;
  if (!isRecord(body) || (!hasInfos && typeof body.is_available !== 'boolean')) {
    throw new ProviderError('bad-response', 'DeepSeek answered without balance_infos; the base URL may not point at api.deepseek.com.');
  }
  const infos = hasInfos ? body.balance_infos : [];
  if (!Array.isArray(infos)) throw new ProviderError('bad-response', 'DeepSeek sent balance_infos that is not a list.');

  const reading = emptyReading();
  if (!hasInfos) reading.notes.push('DeepSeek did not report balances this time (no balance_infos); only whether the account can pay is known.');
  let skipped = 0;
  for (const info of infos) {
    if (!isRecord(info)) {
      skipped++;
      continue;
    }
    const currency = typeof info.currency === 'string' ? info.currency.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(currency)) {
      skipped++;
      continue;
    }
    // A second entry in a currency already read is a repeat, not more money: adding it would double count.
    if (reading.balances.some((m) => m.currency === currency)) continue;
    const total = totalOf(info, currency);
    if (total === null) {
      skipped++;
      continue;
    }
    reading.balances.push(total);
    const split = splitNote(info, currency);
    if (split) reading.notes.push(split);
    // A negative total happens when calls already in flight overdraw the account: it is a real debt, so it
    // is kept as reported rather than rejected as absurd.
    if (total.micros < 0) reading.notes.push(`The ${currency} balance is negative (${major(total.micros)}): DeepSeek counts it as a debt; top up at ${TOP_UP_URL}.`);
  }
  if (skipped) {
    reading.notes.push(`DeepSeek sent ${skipped} balance entr${skipped === 1 ? 'y' : 'ies'} without a currency or an amount Spendbar can use; ${reading.balances.length ? 'the others are shown' : 'no balance is shown'}.`);
  }
  reading.balance = reading.balances[0] ?? null;
  if (!reading.balance && hasInfos && !skipped) reading.notes.push(`DeepSeek reported no balance for this account yet; top up at ${TOP_UP_URL} to start one.`);

  if (typeof body.is_available === 'boolean') {
    reading.available = body.is_available;
    if (!body.is_available) reading.notes.push(`DeepSeek says this account cannot pay for calls: top up at ${TOP_UP_URL}.`);
  }
  return reading;
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** total_balance, or granted + topped up when only the parts came; null when neither can be had. */
function totalOf(info: Record<string, unknown>, currency: string): Money | null {
  if (present(info.total_balance)) return amount(info.total_balance, `the ${currency} total_balance`, currency);
  if (present(info.granted_balance) && present(info.topped_up_balance)) {
    const granted = amount(info.granted_balance, `the ${currency} granted_balance`, currency);
    const topped = amount(info.topped_up_balance, `the ${currency} topped_up_balance`, currency);
    return { micros: granted.micros + topped.micros, currency };
  }
  return null;
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
  if (present(info.granted_balance)) {
    parts.push(`${major(amount(info.granted_balance, `the ${currency} granted_balance`, currency).micros)} granted`);
  }
  if (present(info.topped_up_balance)) {
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
