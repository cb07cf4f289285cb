// The UModelVerse actions that replaced GetUMInferTokenUsage in SDK 0.22.97: ListUMInferRequestLogs (one item per
// request, Unix-millisecond times, Region and Zone required, Offset/Limit paging) and ListUMInferAPIKey (the keys,
// with the models each may use — and the plaintext key, which the adapter must drop).
import type { UCloudParams } from '../ucloud-signature.ts';
import type { FakeResponse } from './server.ts';
import { arrayParam, retError, type SurferCloudFakeState, type SurferHourUsage } from './surfercloud.ts';

export interface SurferApiKey {
  KeyId: string;
  Name: string;
  /** The plaintext secret, as the real action returns it. */
  Key: string;
  GrantAllModels: boolean;
  GrantedModels: string[];
}

const HOUR_MS = 3_600_000;

/** An hour's usage split into its requests, spread through the hour; the sums are the hour's exactly. */
function requestsOf(u: SurferHourUsage): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const share = (total: number, i: number) => Math.floor(total / u.requests) + (i < total % u.requests ? 1 : 0);
  for (let i = 0; i < u.requests; i++) {
    const start = u.hour + Math.floor(((i + 0.5) * HOUR_MS) / u.requests);
    const prompt = share(u.in, i);
    const completion = share(u.out, i);
    out.push({
      RequestId: `request-${u.keyId}-${u.model}-${u.hour}-${i}`,
      StartTime: start,
      StartTimeReadable: new Date(start + 8 * HOUR_MS).toISOString().slice(0, 19).replace('T', ' '),
      Region: 'cn-wlcb',
      ModelName: u.model,
      ApiKeyId: u.keyId,
      ApiKeyName: 'default',
      Latency: 1200,
      FirstTokenLatency: 300,
      OutputTokenThroughput: 42.5,
      HttpStatusCode: 200,
      ErrorCode: '',
      IsSuccess: true,
      TotalTokens: prompt + completion,
      PromptTokens: prompt,
      CompletionTokens: completion,
      CacheHitTokens: share(u.cached ?? 0, i),
      CacheCreationTokens: 0,
      CacheCreation5mTokens: 0,
      CacheCreation1hTokens: 0,
      HasInferenceLog: false,
    });
  }
  return out;
}

export function listRequestLogs(state: SurferCloudFakeState, params: UCloudParams): FakeResponse {
  const action = 'ListUMInferRequestLogs';
  const region = String(params.Region ?? '');
  const zone = String(params.Zone ?? '');
  if (!region) return retError(action, 230, 'Missing params [Region]');
  if (!zone) return retError(action, 230, 'Missing params [Zone]');
  if (!state.regions[region]?.includes(zone)) return retError(action, 230, `Params [Region, Zone] not available: ${region} ${zone}`);
  const start = Number(params.StartTime);
  const end = Number(params.EndTime);
  // Milliseconds: a value in seconds would be a window in 1970.
  if (!Number.isInteger(start) || !Number.isInteger(end) || end < start) return retError(action, 230, 'Params [StartTime, EndTime] not available');
  const offset = params.Offset === undefined ? 0 : Number(params.Offset);
  const limit = params.Limit === undefined ? 20 : Number(params.Limit);
  if (![10, 20, 50, 100].includes(limit) || !Number.isInteger(offset) || offset < 0) return retError(action, 230, 'Params [Offset, Limit] not available');
  const keys = arrayParam(params, 'ApiKeyIds');
  const models = arrayParam(params, 'ModelNames');
  const items = state.usage
    .filter((u) => (keys.length === 0 || keys.includes(u.keyId)) && (models.length === 0 || models.includes(u.model)))
    .flatMap(requestsOf)
    .filter((r) => (r.StartTime as number) >= start && (r.StartTime as number) <= end)
    // Newest first, as the console lists them.
    .sort((a, b) => (b.StartTime as number) - (a.StartTime as number) || String(a.RequestId).localeCompare(String(b.RequestId)));
  return {
    body: {
      Action: `${action}Response`,
      RetCode: 0,
      Data: { Items: items.slice(offset, offset + limit), Summary: { TotalRequests: items.length, FailedRequests: 0 } },
      TotalCount: items.length,
    },
  };
}

export function listApiKeys(state: SurferCloudFakeState, params: UCloudParams): FakeResponse {
  const offset = params.Offset === undefined ? 0 : Number(params.Offset);
  const limit = Math.min(100, params.Limit === undefined ? 20 : Number(params.Limit));
  const data = state.apiKeys.slice(offset, offset + limit).map((k) => ({
    ...k,
    Status: 1,
    CreateTime: 1_735_689_600,
    ExpireTime: -1,
    DailyLimitAmount: '0',
    DailyUsedAmount: '0',
    MonthlyLimitAmount: '0',
    MonthlyUsedAmount: '0',
    ChannelId: 126,
  }));
  return { body: { Action: 'ListUMInferAPIKeyResponse', RetCode: 0, Data: data, TotalCount: state.apiKeys.length } };
}
