// `custom`: any HTTP JSON endpoint. The account declares the request (method, path, headers with {apiKey} put in,
// an optional body) and where each figure lives in the reply (JSON Pointer or JMESPath). A figure that matches
// nothing, or matches something that is not a number, fails the poll with a message naming that figure.
import type { FieldDescriptor } from '../../../shared/api.ts';
import type { Quota, QuotaReset, SpendWindows } from '../../../shared/domain.ts';
import { isMoneyCurrency, parseDecimal, toMicros, type Money, formatNumber } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { CUSTOM_PRESETS } from './custom-presets.ts';
import { parseQuery, runQuery, type Query } from './json-query.ts';
import { rootOf } from './region.ts';
import { emptyReading, type FetchContext, type ProviderAdapter, type ProviderReading } from './types.ts';

const text = (name: string, label: string, help: string, placeholder?: string): FieldDescriptor => ({
  name, label, secret: false, required: false, help, ...(placeholder ? { placeholder } : {}),
});

const WHERE = 'A JSON Pointer ("/data/balance") or a JMESPath expression ("data.balance").';

/** The figures an account can declare, in the order the form shows them. */
export const MONEY_FIGURES = ['balance', 'spentToday', 'spentMonth', 'spentTotal'] as const;
const QUOTA_FIGURES = ['quotaLimit', 'quotaUsed'] as const;

const OPTION_FIELDS: FieldDescriptor[] = [
  text('preset', 'Preset', `Fills in the request and figures: ${Object.keys(CUSTOM_PRESETS).join(', ')}. Fields you set win.`, 'none'),
  text('method', 'Method', 'GET (default) or POST.', 'GET'),
  text('path', 'Path', 'Appended to the base URL, with any query string.', '/api/balance'),
  { name: 'headers', label: 'Headers', secret: false, required: false, type: 'list', placeholder: 'Authorization: Bearer {apiKey}', help: 'Name: value; {apiKey} is replaced by the API key. Default: Authorization: Bearer {apiKey}.' },
  text('body', 'Body (POST)', 'JSON sent with POST; {apiKey} is replaced by the API key.'),
  text('currency', 'Currency', `A currency code as is ("USD"), or where it is in the reply. ${WHERE}`, 'USD'),
  text('divideBy', 'Divide amounts by', 'For replies in cents (100) or raw quota units (e.g. 500000 per $1).', '1'),
  text('balance', 'Balance', WHERE, '/data/balance'),
  text('spentToday', 'Spent today', WHERE),
  text('spentMonth', 'Spent this month', WHERE),
  text('spentTotal', 'Spent in total', WHERE),
  text('quotaLimit', 'Quota limit', `${WHERE} Empty = no limit.`),
  text('quotaUsed', 'Quota used', WHERE),
  text('quotaUnit', 'Quota unit', 'TOKENS, REQUESTS, CREDITS, or empty for the currency.'),
  text('quotaResets', 'Quota resets', 'daily, weekly, monthly or never.'),
  text('errorWhen', 'Error when', 'An expression that is true, or holds a message, when the reply is an error (e.g. "success == `false` && message").'),
  text('tier', 'Plan tier', 'For presets with per-tier allocations (assisters: free, developer, startup).'),
];

export const customAdapter: ProviderAdapter = {
  descriptor: {
    id: 'custom',
    displayName: 'Custom JSON endpoint',
    defaultBaseUrl: 'https://example.com',
    credentialFields: [{ name: 'apiKey', label: 'API key', secret: true, required: false, placeholder: 'sk-…', help: 'Put into the request wherever {apiKey} appears.' }],
    optionFields: OPTION_FIELDS,
    reports: ['whatever the endpoint returns: balance, spend today / this month / total, a quota (limit, used, unit)'],
    configGroups: ['request', 'figures'],
  },
  async fetch(ctx) {
    const apiKey = ctx.credentials.apiKey?.trim() ?? '';
    const spec = readSpec(ctx);
    try {
      return await read(ctx, spec, apiKey);
    } catch (err) {
      if (err instanceof ProviderError && apiKey && err.message.includes(apiKey)) {
        throw new ProviderError(err.kind, redact(err.message, [apiKey]), { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
      }
      throw err;
    }
  },
};

interface Spec {
  method: 'GET' | 'POST';
  path: string;
  headers: [string, string][];
  body: string | undefined;
  currency: { literal: string } | { query: Query; text: string } | null;
  divideBy: number;
  figures: Partial<Record<(typeof MONEY_FIGURES)[number] | (typeof QUOTA_FIGURES)[number], { query: Query; text: string }>>;
  quotaUnit: { literal: string } | { query: Query; text: string } | null;
  quotaResets: QuotaReset | null;
  errorWhen: Query | null;
  tierLimit: { from: Query | null; tier: string | null; tiers: Record<string, number> } | null;
}

function config(message: string): ProviderError {
  return new ProviderError('config', message);
}

const SECRET_HEADER = /auth|key|token|secret|cookie|session/i;

/** Turns the account's options (over its preset's) into a request and compiled queries; a mistake is a config error. */
export function readSpec(ctx: Pick<FetchContext, 'account'>): Spec {
  const own = ctx.account.options ?? {};
  const presetName = typeof own.preset === 'string' ? own.preset.trim() : '';
  const preset = presetName ? CUSTOM_PRESETS[presetName] : undefined;
  if (presetName && !preset) throw config(`Unknown preset "${presetName.slice(0, 40)}": use one of ${Object.keys(CUSTOM_PRESETS).join(', ')}.`);
  const o: Record<string, string | string[]> = { ...preset?.options, ...own };
  const str = (name: string): string => {
    const v = o[name];
    return typeof v === 'string' ? v.trim() : Array.isArray(v) ? v.join(',').trim() : '';
  };

  const method = (str('method') || 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw config(`request.method must be GET or POST, not "${method.slice(0, 10)}".`);
  const path = str('path') || '/';
  if (!path.startsWith('/') || /\s/.test(path)) throw config(`request.path must start with "/" and hold no spaces (got "${path.slice(0, 60)}"); the host goes in the base URL.`);

  const rawHeaders = o.headers === undefined ? ['Authorization: Bearer {apiKey}'] : Array.isArray(o.headers) ? o.headers : o.headers.split(',');
  const headers: [string, string][] = [];
  for (const line of rawHeaders.map((h) => h.trim()).filter(Boolean)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const value = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw config(`request.headers: "${line.slice(0, 40)}…" is not "Name: value".`);
    // A literal secret here would be stored in the settings file in clear: it belongs in the API key field.
    if (SECRET_HEADER.test(name) && !value.includes('{apiKey}')) {
      throw config(`request.headers: write {apiKey} in the ${name} header (e.g. "${name}: Bearer {apiKey}") and put the secret in the API key field, so it is stored encrypted.`);
    }
    headers.push([name, value]);
  }
  const body = str('body') || undefined;
  if (body !== undefined) {
    if (method !== 'POST') throw config('request.body is only sent with method POST.');
    try {
      JSON.parse(body.replaceAll('{apiKey}', 'x'));
    } catch {
      throw config('request.body must be JSON.');
    }
  }

  const compileFigure = (name: string) => {
    const t = str(name);
    if (!t) return undefined;
    const q = parseQuery(t, `figures.${name}`);
    if ('error' in q) throw config(q.error);
    return { query: q, text: t };
  };
  const literalOr = (name: string, literal: RegExp) => {
    const t = str(name);
    if (!t) return null;
    if (literal.test(t)) return { literal: t };
    return compileFigure(name) ?? null;
  };

  const figures: Spec['figures'] = {};
  for (const name of [...MONEY_FIGURES, ...QUOTA_FIGURES]) {
    const f = compileFigure(name);
    if (f) figures[name] = f;
  }
  const divideRaw = str('divideBy');
  const divideBy = divideRaw ? Number(divideRaw) : 1;
  if (!Number.isFinite(divideBy) || divideBy <= 0) throw config(`figures.divideBy must be a positive number (got "${divideRaw.slice(0, 20)}").`);
  const resetsRaw = str('quotaResets').toLowerCase();
  if (resetsRaw && !['daily', 'weekly', 'monthly', 'never'].includes(resetsRaw)) throw config('figures.quotaResets must be daily, weekly, monthly or never.');
  const errorWhen = compileFigure('errorWhen')?.query ?? null;

  let tierLimit: Spec['tierLimit'] = null;
  if (preset?.tiers) tierLimit = { from: compileFigure('tierFrom')?.query ?? null, tier: str('tier').toLowerCase() || null, tiers: preset.tiers };
  if (tierLimit?.tier && !(tierLimit.tier in tierLimit.tiers)) throw config(`tier must be one of ${Object.keys(tierLimit.tiers).join(', ')}.`);

  const spec: Spec = {
    method,
    path,
    headers,
    body,
    currency: literalOr('currency', /^[A-Z]{3}$/),
    divideBy,
    figures,
    quotaUnit: literalOr('quotaUnit', /^[A-Z]{3,8}$/),
    quotaResets: (resetsRaw || null) as QuotaReset | null,
    errorWhen,
    tierLimit,
  };
  if (Object.keys(figures).length === 0) {
    throw config('Declare at least one figure (balance, spentToday, spentMonth, spentTotal or quotaUsed) with a JSON Pointer or JMESPath, or pick a preset.');
  }
  if (figures.quotaLimit && !figures.quotaUsed) throw config('figures.quotaLimit needs figures.quotaUsed too.');
  const money = MONEY_FIGURES.some((f) => figures[f]) || (figures.quotaUsed && !spec.quotaUnit);
  if (money && !spec.currency) throw config('Say which currency the amounts are in: figures.currency ("USD", or where the reply names it).');
  return spec;
}

async function read(ctx: FetchContext, spec: Spec, apiKey: string): Promise<ProviderReading> {
  const usesKey = spec.headers.some(([, v]) => v.includes('{apiKey}')) || Boolean(spec.body?.includes('{apiKey}'));
  if (usesKey && !apiKey) throw config('The request uses {apiKey}, but no API key is set for this account.');
  const fill = (s: string) => s.replaceAll('{apiKey}', apiKey);
  const url = `${rootOf(ctx.baseUrl)}${spec.path}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of spec.headers) headers[name.toLowerCase()] = fill(value);
  if (spec.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const req = { method: spec.method, url, headers, timeoutMs: ctx.timeoutMs, ...(spec.body !== undefined ? { body: fill(spec.body) } : {}) };
  const res = await ctx.http(req);
  const doc = readJson(res, url, { what: 'the custom endpoint', now: ctx.now() });
  const host = safeHost(url);
  const run = (q: Query, what: string): unknown => {
    try {
      return runQuery(q, doc);
    } catch (err) {
      throw new ProviderError('bad-response', `${what} could not be evaluated on ${host}'s reply (${err instanceof Error ? err.message : String(err)}).`);
    }
  };

  if (spec.errorWhen) {
    const e = run(spec.errorWhen, 'figures.errorWhen');
    if (e !== undefined && e !== false && e !== '') {
      const said = typeof e === 'string' ? `: "${e.slice(0, 200)}"` : '';
      throw new ProviderError('provider', `${host} answered with an error${said}. Check the API key and the endpoint's settings.`, { status: res.status });
    }
  }

  const number = (name: string, f: { query: Query; text: string }): number => {
    const v = run(f.query, `figures.${name}`);
    const where = `figures.${name} ("${f.text.slice(0, 60)}")`;
    if (v === undefined) throw new ProviderError('bad-response', `${where} matches nothing in ${host}'s reply. Check the path against what the endpoint returns; Spendbar kept the previous figures.`);
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string') {
      try {
        n = parseDecimal(v);
      } catch {
        throw new ProviderError('bad-response', `${where} matches ${JSON.stringify(v.slice(0, 30))} in ${host}'s reply, which is not a number; Spendbar kept the previous figures.`);
      }
    } else throw new ProviderError('bad-response', `${where} matches ${Array.isArray(v) ? 'a list' : typeof v} in ${host}'s reply, not a number; Spendbar kept the previous figures.`);
    if (!Number.isFinite(n)) throw new ProviderError('bad-response', `${where} is not a finite number.`);
    return n;
  };
  const label = (v: { literal: string } | { query: Query; text: string } | null, name: string, pattern: RegExp): string | null => {
    if (!v) return null;
    if ('literal' in v) return v.literal;
    const got = run(v.query, `figures.${name}`);
    const code = typeof got === 'string' ? got.trim().toUpperCase() : '';
    if (!pattern.test(code)) throw new ProviderError('bad-response', `figures.${name} ("${v.text.slice(0, 60)}") matches ${got === undefined ? 'nothing' : JSON.stringify(got).slice(0, 30)} in ${host}'s reply, not a ${name === 'currency' ? 'currency code' : 'unit'}.`);
    return code;
  };

  const currency = label(spec.currency, 'currency', /^[A-Z]{3}$/);
  const toMoney = (n: number, unit: string, divide: boolean): Money => {
    const micros = toMicros(divide ? n / spec.divideBy : n) + 0;
    if (!Number.isSafeInteger(micros)) throw new ProviderError('bad-response', `${host} reported ${n}, which is beyond any real amount.`);
    return { micros, currency: unit };
  };
  const reading = emptyReading();
  const spent: SpendWindows = {};
  const windows = { spentToday: 'today', spentMonth: 'month', spentTotal: 'total' } as const;
  for (const name of MONEY_FIGURES) {
    const f = spec.figures[name];
    if (!f || !currency) continue;
    const m = toMoney(number(name, f), currency, true);
    if (name === 'balance') {
      reading.balance = m;
      reading.balances = [m];
    } else spent[windows[name]] = m;
  }
  reading.spent = spent;

  if (spec.figures.quotaUsed) {
    const unit = label(spec.quotaUnit, 'quotaUnit', /^[A-Z]{3,8}$/) ?? currency!;
    const divide = isMoneyCurrency(unit);
    const used = toMoney(number('quotaUsed', spec.figures.quotaUsed), unit, divide);
    let limit: Money | null = spec.figures.quotaLimit ? toMoney(number('quotaLimit', spec.figures.quotaLimit), unit, divide) : null;
    if (!limit && spec.tierLimit) {
      const fromReply = spec.tierLimit.from ? run(spec.tierLimit.from, 'the tier') : undefined;
      const tier = (typeof fromReply === 'string' ? fromReply.trim().toLowerCase() : '') || spec.tierLimit.tier;
      const tokens = tier ? spec.tierLimit.tiers[tier] : undefined;
      if (tokens !== undefined) {
        limit = toMoney(tokens, unit, false);
        reading.notes.push(`Quota: the ${tier} plan's monthly allocation of ${formatNumber(tokens)} ${unit.toLowerCase()}.`);
      } else {
        reading.notes.push(`The plan tier is unknown${tier ? ` ("${tier.slice(0, 20)}")` : ''}: set the tier option (${Object.keys(spec.tierLimit.tiers).join(', ')}) to see the allocation.`);
      }
    }
    const quota: Quota = { limit, used, remaining: limit ? { micros: limit.micros - used.micros, currency: unit } : null, resets: spec.quotaResets, expiresAt: null };
    reading.quota = quota;
  }
  return reading;
}
