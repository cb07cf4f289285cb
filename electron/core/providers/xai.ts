// xAI Management API (management key, per team). The prepaid ledger is in USD cents and sign-inverted (a $10 top-up
// is "-1000"), and posts deductions only at the close of a billing cycle; usage analytics are float USD per day.
// So the live balance is the posted one less this cycle's spend, marked estimated.
import { ALL_MODELS, BUCKET_MS, type Quota, type UsageBucket } from '../../../shared/domain.ts';
import { parseDecimal, toMicros, type Money } from '../../../shared/money.ts';
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { DAY_MS, emptyBucket, planReport, spendWindows } from './admin-report.ts';
import { isRecord } from './numbers.ts';
import { rootOf } from './region.ts';
import type { FetchContext, ProviderAdapter, ProviderReading } from './types.ts';

const KEYS_URL = 'https://console.x.ai (Settings → Management keys)';
const USD = 'USD';
const MICROS_PER_CENT = 10_000;
/** xAI reports spend per day only: one account-wide row a day. */
export const XAI_MODEL = ALL_MODELS;

export const XAI_NEEDS_MANAGEMENT_KEY =
  `xAI's billing API needs a management key with billing read access, created in ${KEYS_URL}; inference API keys cannot read balances or spend.`;

export const xaiAdapter: ProviderAdapter = {
  descriptor: {
    id: 'xai',
    displayName: 'xAI (management API)',
    defaultBaseUrl: 'https://management-api.x.ai',
    credentialFields: [{ name: 'apiKey', label: 'Management key', secret: true, required: true, help: `A management key with billing read access (${KEYS_URL}); not an inference key.` }],
    optionFields: [{ name: 'teamId', label: 'Team id', secret: false, required: false, help: 'Found in the xAI Console; looked up from the key when empty.' }],
    reports: ['prepaid balance (posted ledger less this cycle’s spend, estimated)', 'spend today / week / month and per day (USD)', 'postpaid spending limit and invoice this cycle'],
    consoleUrl: 'https://console.x.ai',
    exactSpend: true,
  },
  async fetch(ctx) {
    const apiKey = ctx.credentials.apiKey?.trim();
    if (!apiKey) throw new ProviderError('config', `Enter an xAI management key (${KEYS_URL}).`);
    const root = rootOf(ctx.baseUrl || xaiAdapter.descriptor.defaultBaseUrl);
    try {
      return await read(ctx, root, apiKey);
    } catch (err) {
      throw explain(err, apiKey);
    }
  },
};

function explain(err: unknown, apiKey: string): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.kind === 'auth' || err.kind === 'forbidden') {
    return new ProviderError(err.kind, `xAI refused this key (${err.status}). ${XAI_NEEDS_MANAGEMENT_KEY}`, { status: err.status, cause: err });
  }
  const message = redact(err.message, [apiKey]);
  return message === err.message ? err : new ProviderError(err.kind, message, { status: err.status, retryAfterMs: err.retryAfterMs, cause: err });
}

interface Call {
  status: number;
  body: unknown;
}

async function call(ctx: FetchContext, url: string, apiKey: string, what: string, opts: { body?: unknown; pass?: number[] } = {}): Promise<Call> {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await ctx.http({ method: opts.body === undefined ? 'GET' : 'POST', url, headers, timeoutMs: ctx.timeoutMs, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }) });
  if (opts.pass?.includes(res.status)) return { status: res.status, body: undefined };
  return { status: res.status, body: readJson(res, url, { what, now: ctx.now() }) };
}

async function teamId(ctx: FetchContext, root: string, apiKey: string): Promise<string> {
  const own = ctx.account.options?.teamId;
  if (typeof own === 'string' && own.trim()) return own.trim();
  const url = `${root}/auth/management-keys/validation`;
  const r = await call(ctx, url, apiKey, 'the management key', { pass: [404] });
  const id = isRecord(r.body) ? (r.body.teamId ?? r.body.team_id) : undefined;
  if (typeof id !== 'string' || !id) {
    throw new ProviderError('config', `${safeHost(url)} did not say which team this key belongs to: enter the team id (xAI Console → Settings → Team) in the account's teamId option.`);
  }
  return id;
}

/** A `{val: "<cents>"}` or a plain string of cents, as money; `negate` for the sign-inverted prepaid ledger. */
function cents(value: unknown, field: string, negate = false): Money {
  const raw = isRecord(value) ? value.val : value;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ProviderError('bad-response', `xAI sent ${JSON.stringify(raw ?? null)?.slice(0, 30)} for ${field}, where it sends a string of USD cents; Spendbar kept the previous figures.`);
  }
  let n: number;
  try {
    n = parseDecimal(raw);
  } catch {
    throw new ProviderError('bad-response', `xAI sent ${JSON.stringify(raw.slice(0, 30))} for ${field}, which is not a number of cents; Spendbar kept the previous figures.`);
  }
  const micros = Math.round((negate ? -n : n) * MICROS_PER_CENT) + 0;
  if (!Number.isSafeInteger(micros)) throw new ProviderError('bad-response', `xAI sent ${raw.slice(0, 30)} cents for ${field}, beyond any real amount.`);
  return { micros, currency: USD };
}

const fmt = (m: Money) => `$${(m.micros / 1e6).toFixed(2)}`;

function gmt(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

async function read(ctx: FetchContext, root: string, apiKey: string): Promise<ProviderReading> {
  const team = await teamId(ctx, root, apiKey);
  const base = `${root}/v1/billing/teams/${encodeURIComponent(team)}`;
  const plan = planReport(ctx.now(), ctx.usageSince, 31, DAY_MS);
  const usageBody = {
    analyticsRequest: {
      timeRange: { startTime: gmt(plan.costFrom), endTime: gmt(plan.now), timezone: 'Etc/GMT' },
      timeUnit: 'TIME_UNIT_DAY',
      values: [{ name: 'usd', aggregation: 'AGGREGATION_SUM' }],
      groupBy: [],
      filters: [],
    },
  };
  const [balanceR, invoiceR, usageR] = await Promise.all([
    call(ctx, `${base}/prepaid/balance`, apiKey, 'the prepaid balance'),
    call(ctx, `${base}/postpaid/invoice/preview`, apiKey, 'the invoice preview', { pass: [400, 404] }),
    call(ctx, `${base}/usage`, apiKey, 'usage analytics', { body: usageBody, pass: [403, 404] }),
  ]);
  if (!isRecord(balanceR.body)) throw new ProviderError('bad-response', 'xAI sent a prepaid balance that is not a JSON object.');
  const posted = cents(balanceR.body.total, 'prepaid balance total.val', true);

  const notes: string[] = [];
  let usage: UsageBucket[] = [];
  let monthSpend: Money | null = null;
  const reading: ProviderReading = { balance: null, balances: [], spent: {}, quota: null, usage, estimated: false, notes };
  if (usageR.body === undefined) {
    notes.push(`This key cannot read usage analytics (${usageR.status}): give the management key the usage read permission to see spend.`);
  } else {
    const parsed = parseUsage(usageR.body);
    if (parsed.partial) notes.push('xAI says the usage data hit its size limit, so daily spend may be incomplete.');
    const windows = spendWindows(parsed.days.map((d) => ({ start: d.start, cost: d.cost! })), plan, USD);
    reading.spent = windows;
    monthSpend = windows.month ?? null;
    usage = parsed.days.filter((d) => d.start >= plan.emitFrom);
    reading.usage = usage;
  }

  let cycleUsed: Money | null = null;
  if (invoiceR.body === undefined) {
    notes.push('No postpaid invoice for this team (postpaid billing is not set up), so there is no spending limit to show.');
  } else if (isRecord(invoiceR.body)) {
    const core = isRecord(invoiceR.body.coreInvoice) ? invoiceR.body.coreInvoice : {};
    if (core.prepaidCreditsUsed !== undefined) cycleUsed = cents(core.prepaidCreditsUsed, 'coreInvoice.prepaidCreditsUsed.val');
    if (invoiceR.body.effectiveSpendingLimit !== undefined && core.amountAfterVat !== undefined) {
      const limit = cents(invoiceR.body.effectiveSpendingLimit, 'effectiveSpendingLimit');
      const used = cents(core.amountAfterVat, 'coreInvoice.amountAfterVat');
      const quota: Quota = { limit, used, remaining: { micros: limit.micros - used.micros, currency: USD }, resets: 'monthly', expiresAt: null };
      reading.quota = quota;
    }
  }

  const spentThisCycle = cycleUsed ?? monthSpend;
  if (spentThisCycle) {
    const live = { micros: posted.micros - spentThisCycle.micros, currency: USD };
    reading.balance = live;
    reading.estimated = true;
    notes.push(`xAI posts charges when a billing cycle closes: the balance is the posted ${fmt(posted)} less ${fmt(spentThisCycle)} spent this cycle so far.`);
  } else {
    reading.balance = posted;
    notes.push(`This is xAI's posted prepaid balance; charges of the current billing cycle are deducted only when it closes.`);
  }
  reading.balances = [reading.balance];
  return reading;
}

/** Float USD per day; several series may cover one day and are summed. */
export function parseUsage(body: unknown): { days: UsageBucket[]; partial: boolean } {
  if (!isRecord(body) || !Array.isArray(body.timeSeries)) throw new ProviderError('bad-response', 'xAI sent usage analytics without a timeSeries list.');
  const byDay = new Map<number, number>();
  body.timeSeries.forEach((series: unknown, i) => {
    const points = isRecord(series) && Array.isArray(series.dataPoints) ? series.dataPoints : null;
    if (!points) throw new ProviderError('bad-response', `xAI sent a usage series (timeSeries[${i}]) without dataPoints.`);
    points.forEach((p: unknown, j) => {
      const at = `timeSeries[${i}].dataPoints[${j}]`;
      const t = isRecord(p) && typeof p.timestamp === 'string' ? Date.parse(p.timestamp) : NaN;
      const v = isRecord(p) && Array.isArray(p.values) ? p.values[0] : undefined;
      if (Number.isNaN(t)) throw new ProviderError('bad-response', `xAI sent a usage point (${at}) without a valid timestamp.`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new ProviderError('bad-response', `xAI sent ${JSON.stringify(v ?? null)?.slice(0, 30)} for ${at}.values[0], which is not an amount of USD; Spendbar kept the previous figures.`);
      }
      const day = Math.floor(t / BUCKET_MS.day) * BUCKET_MS.day;
      byDay.set(day, (byDay.get(day) ?? 0) + toMicros(v));
    });
  });
  const days = [...byDay].sort((a, b) => a[0] - b[0]).map(([start, micros]) => ({ ...emptyBucket(start, 'day', XAI_MODEL, ''), cost: { micros, currency: USD } }));
  return { days, partial: body.limitReached === true };
}
