// Where GetUMInferTokenUsage is gone (SDK 0.22.97 replaced it), usage comes from ListUMInferRequestLogs: one item
// per request, Unix-millisecond times, Region and Zone required, paged by Offset/Limit. Items are summed into
// hourly buckets per model; a read restarts at the newest stored hour, which it reads whole again. And where the
// token-usage action wants a Model but the account lists none, ListUMInferAPIKey says which models the key may use.
import { BUCKET_MS, type UsageBucket } from '../../../shared/domain.ts';
import { ProviderError } from '../errors.ts';
import { count, isRecord } from './numbers.ts';
import type { FetchContext } from './types.ts';
import { call, flatten, type SurferSettings } from './surfercloud-api.ts';
import { DEFAULT_LOOKBACK_DAYS, MAX_LOOKBACK_DAYS, widthOf } from './surfercloud-usage.ts';
import { compareText } from '../text-order.ts';

const PAGE = 100;
/** Requests a first read may page through: past this it stops at a whole day and resumes there next poll. */
const MAX_PAGES = 300;

export async function readRequestLogs(ctx: FetchContext, s: SurferSettings, notes: string[]): Promise<UsageBucket[]> {
  if (!s.region || !s.zone) {
    throw new ProviderError(
      'config',
      `${s.name} no longer offers GetUMInferTokenUsage here, so usage comes from its request logs, which need the region and zone of the API key: set Region and Zone in the account options (for example cn-wlcb and cn-wlcb-01, as the console shows them).`,
    );
  }
  const now = ctx.now();
  const floor = now - MAX_LOOKBACK_DAYS * BUCKET_MS.day;
  let from = ctx.usageSince ?? now - DEFAULT_LOOKBACK_DAYS * BUCKET_MS.day;
  if (from < floor) {
    from = floor;
    notes.push(`Read the last ${MAX_LOOKBACK_DAYS} days of usage only.`);
  }
  from = Math.floor(from / BUCKET_MS.hour) * BUCKET_MS.hour;

  const hours = new Map<string, UsageBucket>();
  let pages = 0;
  let stoppedAt: number | null = null;
  for (let dayStart = from; dayStart <= now && stoppedAt === null; dayStart += BUCKET_MS.day) {
    const dayEnd = Math.min(dayStart + BUCKET_MS.day - 1, now);
    const day = new Map<string, Record<string, unknown>>();
    for (let offset = 0; ; offset += PAGE) {
      if (pages >= MAX_PAGES) {
        stoppedAt = dayStart;
        break;
      }
      pages++;
      const params = flatten({
        Action: 'ListUMInferRequestLogs',
        Region: s.region,
        Zone: s.zone,
        StartTime: dayStart,
        EndTime: dayEnd,
        Offset: offset,
        Limit: PAGE,
        ApiKeyIds: [s.keyId],
        ...(s.models.length ? { ModelNames: s.models } : {}),
      });
      const body = await call(ctx, s, params, 'request logs', { form: true });
      const data = isRecord(body.Data) ? body.Data : {};
      const items = Array.isArray(data.Items) ? data.Items : [];
      // Newest first while new requests arrive: a page may repeat an item of the last one.
      for (const item of items) if (isRecord(item)) day.set(String(item.RequestId ?? `${String(item.StartTime)}|${day.size}`), item);
      const total = isRecord(data.Summary) && typeof data.Summary.TotalRequests === 'number' ? data.Summary.TotalRequests : undefined;
      if (items.length < PAGE || (total !== undefined && offset + PAGE >= total)) break;
    }
    if (stoppedAt !== null) break;
    for (const item of day.values()) addItem(hours, item, s, from);
  }
  if (stoppedAt !== null) {
    notes.push(`${s.name} has more request logs than one poll reads; usage up to ${new Date(stoppedAt).toISOString().slice(0, 10)} is in, the rest follows on the next polls.`);
  }
  notes.push(`${s.name} no longer offers GetUMInferTokenUsage here; usage comes from its request logs (ListUMInferRequestLogs), by hour.`);
  const out = [...hours.values()];
  // The newest stored bucket may be a day from the token-usage report; its hours are read again here, so the day
  // bucket is cleared rather than counted beside them.
  const since = ctx.usageSince;
  if (since !== undefined && since % BUCKET_MS.hour === 0 && widthOf(since / 1000) === 'day') {
    const models = new Set(out.filter((b) => b.start >= since && b.start < since + BUCKET_MS.day).map((b) => b.model));
    for (const model of models) out.push({ start: since, width: 'day', model, key: s.keyId, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: null });
  }
  return out.sort((a, b) => a.start - b.start || compareText(a.model, b.model) || compareText(a.width, b.width));
}

function addItem(hours: Map<string, UsageBucket>, item: Record<string, unknown>, s: SurferSettings, from: number): void {
  const startMs = Number(item.StartTime);
  if (!Number.isFinite(startMs) || startMs < from) return;
  const start = Math.floor(startMs / BUCKET_MS.hour) * BUCKET_MS.hour;
  const model = typeof item.ModelName === 'string' && item.ModelName ? item.ModelName : 'unknown';
  const id = `${start}\u0000${model}`;
  let b = hours.get(id);
  if (!b) hours.set(id, (b = { start, width: 'hour', model, key: s.keyId, requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: null }));
  const n = (field: string) => (item[field] === undefined || item[field] === null ? 0 : count(item[field], `request log ${field}`));
  b.requests += 1;
  b.inputTokens += n('PromptTokens');
  b.outputTokens += n('CompletionTokens');
  b.cachedTokens += n('CacheHitTokens');
}

/** The models the account's key may use, from ListUMInferAPIKey; null when it may use all (or the key is not listed). */
export async function grantedModels(ctx: FetchContext, s: SurferSettings): Promise<string[] | null> {
  for (let offset = 0; offset < 20 * PAGE; offset += PAGE) {
    const params: Record<string, string | number> = { Action: 'ListUMInferAPIKey', Offset: offset, Limit: PAGE };
    if (s.region) params.Region = s.region;
    const body = await call(ctx, s, params, 'API keys', { form: true });
    const list = Array.isArray(body.Data) ? body.Data : [];
    // Each entry carries the plaintext key (`Key`): only the id and the grants are read, nothing else is kept.
    for (const k of list) {
      if (!isRecord(k) || k.KeyId !== s.keyId) continue;
      if (k.GrantAllModels === true || !Array.isArray(k.GrantedModels)) return null;
      const models = k.GrantedModels.filter((m): m is string => typeof m === 'string' && m.length > 0);
      return models.length ? models : null;
    }
    if (list.length < PAGE) return null;
  }
  return null;
}
