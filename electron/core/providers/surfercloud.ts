// SurferCloud / UCloud UModelVerse: token and request counts of one API key from GetUMInferTokenUsage,
// signed with the account's public/private key pair. The service reports tokens, never money.
import { ProviderError, redact } from '../errors.ts';
import { readJson, safeHost } from '../http.ts';
import { BUCKET_MS, type UsageBucket } from '../../../shared/domain.ts';
import { count, isRecord, nonNegative } from './numbers.ts';
import { emptyReading, type FetchContext, type ProviderAdapter, type ProviderReading } from './types.ts';
import { ucloudSignature, type UCloudParams } from './ucloud-signature.ts';

const DAY_S = 86_400;
/** The service times out on longer windows, so every request covers at most this much. */
export const SURFER_MAX_SLICE_S = 10 * DAY_S;
const DEFAULT_LOOKBACK_DAYS = 30;
/** Beyond this a first poll would fan out into dozens of signed requests per model. */
const MAX_LOOKBACK_DAYS = 90;
const CONCURRENCY = 3;
/** UCloud's common codes for a bad signature (171) and an unknown public key (172). */
const AUTH_RETCODES = new Set([171, 172]);

export const surfercloudAdapter: ProviderAdapter = {
  descriptor: {
    id: 'surfercloud',
    displayName: 'SurferCloud UModelVerse',
    defaultBaseUrl: 'https://api.surfercloud.com',
    credentialFields: [
      // The public key only identifies the pair, but with the private key it signs requests: kept secret too.
      { name: 'publicKey', label: 'Public key', secret: true, required: true, help: 'From the console: account → API keys (the signing pair, not the model API key).' },
      { name: 'privateKey', label: 'Private key', secret: true, required: true, help: 'The private half of the same signing pair.' },
    ],
    optionFields: [
      { name: 'projectId', label: 'Project id', secret: false, required: false, type: 'text', placeholder: 'org-…', help: 'Required for sub-accounts.' },
      { name: 'keyId', label: 'API key id', secret: false, required: true, type: 'text', help: 'The id of the UModelVerse API key whose usage to read.' },
      { name: 'models', label: 'Models', secret: false, required: false, type: 'list', placeholder: 'deepseek-ai/DeepSeek-V3, …', help: 'Model names to read; empty reads all models.' },
    ],
    reports: ['input and output tokens per day, model and key', 'requests per day'],
    consoleUrl: 'https://console.surfercloud.com',
  },
  fetch: fetchSurferCloud,
};

export interface UsageSlice {
  /** Unix seconds, inclusive at both ends. */
  startTime: number;
  endTime: number;
}

/**
 * Consecutive ≤10-day windows from the UTC midnight on or before `fromMs` up to `nowMs`. Starting at midnight
 * means every daily bucket is read whole, and 10 days being whole days means no day straddles two slices.
 */
export function usageSlices(fromMs: number, nowMs: number): UsageSlice[] {
  const nowS = Math.floor(nowMs / 1000);
  const startS = Math.floor(Math.min(fromMs, nowMs) / 1000 / DAY_S) * DAY_S;
  const slices: UsageSlice[] = [];
  let s = startS;
  do {
    slices.push({ startTime: s, endTime: Math.min(s + SURFER_MAX_SLICE_S - 1, nowS) });
    s += SURFER_MAX_SLICE_S;
  } while (s < nowS);
  return slices;
}

interface Settings {
  name: string;
  url: string;
  publicKey: string;
  privateKey: string;
  keyId: string;
  projectId: string;
  models: string[];
}

async function fetchSurferCloud(ctx: FetchContext): Promise<ProviderReading> {
  const settings = readSettings(ctx);
  const now = ctx.now();
  const reading = emptyReading();
  let from = ctx.usageSince ?? now - DEFAULT_LOOKBACK_DAYS * BUCKET_MS.day;
  if (from < now - MAX_LOOKBACK_DAYS * BUCKET_MS.day) {
    from = now - MAX_LOOKBACK_DAYS * BUCKET_MS.day;
    reading.notes.push(`Read the last ${MAX_LOOKBACK_DAYS} days of usage only.`);
  }
  const slices = usageSlices(from, now);
  const requests = slices.flatMap((slice) => (settings.models.length ? settings.models.map((model) => ({ slice, model })) : [{ slice, model: '' }]));

  const usages = new Usages(settings.keyId, slices[0]?.startTime ?? 0);
  try {
    await runLimited(requests, CONCURRENCY, async ({ slice, model }) => usages.add(await requestUsage(ctx, settings, slice, model), model));
  } catch (err) {
    throw redacted(err, [settings.publicKey, settings.privateKey]);
  }
  reading.usage = usages.buckets();
  reading.notes.push(`${settings.name} reports tokens, not money.`, ...usages.notes(settings.name));
  return reading;
}

function readSettings(ctx: FetchContext): Settings {
  const url = ctx.baseUrl || surfercloudAdapter.descriptor.defaultBaseUrl;
  const name = /ucloud/i.test(safeHost(url)) ? 'UCloud' : 'SurferCloud';
  const publicKey = ctx.credentials.publicKey?.trim() ?? '';
  const privateKey = ctx.credentials.privateKey?.trim() ?? '';
  if (!publicKey || !privateKey) {
    throw new ProviderError('config', `Enter both halves of the ${name} API signing pair (public key and private key) from the console's API keys page.`);
  }
  const options = ctx.account.options ?? {};
  const keyId = text(options.keyId);
  if (!keyId) throw new ProviderError('config', `Set the id of the UModelVerse API key whose usage to read (option keyId); it is listed next to the key in the ${name} console.`);
  const models = [...new Set(list(options.models))];
  return { name, url, publicKey, privateKey, keyId, projectId: text(options.projectId), models };
}

function text(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

function list(v: string | string[] | undefined): string[] {
  const items = Array.isArray(v) ? v : (v ?? '').split(',');
  return items.map((s) => s.trim()).filter(Boolean);
}

interface UsageData {
  usages: { type: string; count: number; timestamp: number; model: string }[];
  inTotal: number;
  outTotal: number;
  requestTotal: number;
}

async function requestUsage(ctx: FetchContext, s: Settings, slice: UsageSlice, model: string): Promise<UsageData> {
  const params: UCloudParams = { Action: 'GetUMInferTokenUsage', PublicKey: s.publicKey, KeyId: s.keyId, StartTime: slice.startTime, EndTime: slice.endTime };
  if (s.projectId) params.ProjectId = s.projectId;
  if (model) params.Model = model;
  const body = JSON.stringify({ ...params, Signature: ucloudSignature(params, s.privateKey) });
  const res = await ctx.http({
    method: 'POST',
    url: s.url,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
    timeoutMs: ctx.timeoutMs,
  });
  return parseResponse(readJson(res, s.url, { what: `${s.name} token usage`, now: ctx.now() }), s.name);
}

function parseResponse(body: unknown, name: string): UsageData {
  if (!isRecord(body) || body.RetCode === undefined) {
    throw new ProviderError('bad-response', `${name} answered without a RetCode, so this is not its API; check the base URL (https://api.surfercloud.com or https://api.ucloud.cn).`);
  }
  const retCode = Number(body.RetCode);
  if (retCode !== 0) {
    const message = typeof body.Message === 'string' && body.Message ? ` "${body.Message.slice(0, 200)}"` : '';
    if (AUTH_RETCODES.has(retCode) || /signature|public ?key|private ?key|user not exist/i.test(message)) {
      throw new ProviderError('auth', `${name} refused the request signature (RetCode ${retCode}${message}): check the public/private key pair — both halves of the same pair, copied without spaces.`);
    }
    throw new ProviderError('provider', `${name} answered RetCode ${retCode}${message} for token usage. Check the project id, API key id and model names in this account's options.`);
  }
  const data = isRecord(body.Data) ? body.Data : {};
  const raw = data.Usages ?? [];
  if (!Array.isArray(raw)) throw new ProviderError('bad-response', `${name} sent Data.Usages that is not a list.`);
  const usages = raw.map((u, i) => {
    if (!isRecord(u)) throw new ProviderError('bad-response', `${name} sent a usage entry that is not an object.`);
    return {
      type: typeof u.Type === 'string' ? u.Type : '',
      count: bounded(count(u.Count, `Usages[${i}].Count`), name),
      timestamp: bounded(nonNegative(u.Timestamp, `Usages[${i}].Timestamp`), name),
      model: typeof u.Model === 'string' ? u.Model : '',
    };
  });
  const total = (v: unknown, field: string) => (v === undefined || v === null ? 0 : bounded(count(v, field), name));
  return { usages, inTotal: total(data.InTotal, 'InTotal'), outTotal: total(data.OutTotal, 'OutTotal'), requestTotal: total(data.RequestTotal, 'RequestTotal') };
}

function bounded(n: number, name: string): number {
  if (n > 1e15) throw new ProviderError('bad-response', `${name} reported ${n}, which is too large to be a token count or time; Spendbar kept the previous figures.`);
  return n;
}

interface DayTotals {
  in: number;
  out: number;
  total: number;
  requests: number;
  hasSplit: boolean;
}

/** Sums responses into UTC-daily buckets per model. Windows never overlap, so plain sums do not double count. */
class Usages {
  private readonly days = new Map<string, { start: number; model: string; t: DayTotals }>();
  private readonly keyId: string;
  private readonly windowStartS: number;
  private images = 0;
  private otherModels = 0;
  private readonly unsplit = { in: 0, out: 0, requests: 0 };

  constructor(keyId: string, windowStartS: number) {
    this.keyId = keyId;
    this.windowStartS = windowStartS;
  }

  add(data: UsageData, requestedModel: string): void {
    if (data.usages.length === 0) {
      this.unsplit.in += data.inTotal;
      this.unsplit.out += data.outTotal;
      this.unsplit.requests += data.requestTotal;
      return;
    }
    for (const u of data.usages) {
      const model = u.model || requestedModel || 'unknown';
      // A per-model request that came back with other models would count them once per requested model.
      if (requestedModel && model !== requestedModel) {
        this.otherModels++;
        continue;
      }
      // An entry stamped before the window belongs to a day this fetch did not read whole.
      if (u.timestamp < this.windowStartS) continue;
      if (u.type === 'image_generation') {
        this.images += u.count;
        continue;
      }
      const start = Math.floor(u.timestamp / DAY_S) * DAY_S * 1000;
      const id = `${start}\u0000${model}`;
      let day = this.days.get(id);
      if (!day) this.days.set(id, (day = { start, model, t: { in: 0, out: 0, total: 0, requests: 0, hasSplit: false } }));
      if (u.type === 'in') day.t.in += u.count;
      else if (u.type === 'out') day.t.out += u.count;
      else if (u.type === 'total') day.t.total += u.count;
      else if (u.type === 'request_count') day.t.requests += u.count;
      if (u.type === 'in' || u.type === 'out') day.t.hasSplit = true;
    }
  }

  buckets(): UsageBucket[] {
    const out: UsageBucket[] = [];
    for (const { start, model, t } of this.days.values()) {
      // `total` repeats in + out; it is only used when a day came without the split.
      const inputTokens = t.hasSplit ? t.in : t.total;
      if (inputTokens === 0 && t.out === 0 && t.requests === 0) continue;
      out.push({ start, width: 'day', model, key: this.keyId, requests: t.requests, inputTokens, outputTokens: t.out, cachedTokens: 0, reasoningTokens: 0, cost: null });
    }
    return out.sort((a, b) => a.start - b.start || a.model.localeCompare(b.model));
  }

  notes(name: string): string[] {
    const notes: string[] = [];
    const totalsOnly = [...this.days.values()].filter(({ t }) => !t.hasSplit && t.total > 0).length;
    if (totalsOnly) notes.push(`On ${totalsOnly} model-day(s) ${name} reported only a total token count; it is shown as input tokens.`);
    if (this.images) notes.push(`${name} reported ${this.images} image generation(s); Spendbar tracks tokens and requests only.`);
    if (this.otherModels) {
      notes.push(`${name} answered per-model requests with usage of other models (${this.otherModels} entries, not counted): check that the model names in this account's options match exactly.`);
    }
    const u = this.unsplit;
    if (u.in || u.out || u.requests) {
      notes.push(`${name} reported ${u.in} input and ${u.out} output tokens over ${u.requests} requests without a per-day breakdown; they are not charted.`);
    }
    return notes;
  }
}

/** Runs `work` over `items` with at most `limit` in flight; stops starting new work after the first failure. */
async function runLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

function redacted(err: unknown, secrets: string[]): unknown {
  if (!(err instanceof ProviderError)) return err;
  const message = redact(err.message, secrets);
  if (message === err.message) return err;
  return new ProviderError(err.kind, message, { cause: err, status: err.status, retryAfterMs: err.retryAfterMs });
}
