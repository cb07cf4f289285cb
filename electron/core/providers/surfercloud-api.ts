// One signed call to the SurferCloud / UCloud API and what its RetCode means. Shared by the token-usage reader and
// the request-log fallback.
import { ProviderError } from '../errors.ts';
import { readJson } from '../http.ts';
import { isRecord } from './numbers.ts';
import type { FetchContext } from './types.ts';
import { ucloudSignature, type UCloudParams } from './ucloud-signature.ts';

/** UCloud's common codes for a bad signature (171) and an unknown public key (172). */
const AUTH_RETCODES = new Set([171, 172]);
/** Missing (160) or unknown (161) action. */
const NO_ACTION_RETCODES = new Set([160, 161]);

export interface SurferSettings {
  name: string;
  url: string;
  publicKey: string;
  privateKey: string;
  keyId: string;
  projectId: string;
  models: string[];
  region: string;
  zone: string;
}

/** The region does not offer this action (GetUMInferTokenUsage left the SDK in 0.22.97). */
export class ActionMissing extends ProviderError {}

/** The action needs a Model and none was sent. */
export class ModelRequired extends ProviderError {}

/** Array parameters are flattened as the SDK's form encoding does it, and signed that way: Name.0, Name.1, … */
export function flatten(params: Record<string, string | number | boolean | string[]>): UCloudParams {
  const out: UCloudParams = {};
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((item, i) => (out[`${k}.${i}`] = item));
    else out[k] = v;
  }
  return out;
}

/**
 * POSTs one signed action: JSON for GetUMInferTokenUsage (as Spendbar always sent it), a form body with Action also in
 * the query string for the newer actions (the SDK's default encoding). Returns Data-bearing body on RetCode 0.
 */
export async function call(ctx: FetchContext, s: SurferSettings, params: UCloudParams, what: string, opts: { form?: boolean } = {}): Promise<Record<string, unknown>> {
  const signed: UCloudParams = { ...params, PublicKey: s.publicKey };
  if (s.projectId && signed.ProjectId === undefined) signed.ProjectId = s.projectId;
  const all = { ...signed, Signature: ucloudSignature(signed, s.privateKey) };
  const form = new URLSearchParams(Object.entries(all).map(([k, v]) => [k, String(v)]));
  const url = opts.form ? `${s.url.replace(/\/+$/, '')}/?Action=${encodeURIComponent(String(params.Action))}` : s.url;
  const res = await ctx.http({
    method: 'POST',
    url,
    headers: { 'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json', accept: 'application/json' },
    body: opts.form ? form.toString() : JSON.stringify(all),
    timeoutMs: ctx.timeoutMs,
  });
  return checkRetCode(readJson(res, s.url, { what: `${s.name} ${what}`, now: ctx.now() }), s.name, String(params.Action), what);
}

export function checkRetCode(body: unknown, name: string, action: string, what: string): Record<string, unknown> {
  if (!isRecord(body) || body.RetCode === undefined) {
    throw new ProviderError('bad-response', `${name} answered without a RetCode, so this is not its API; check the base URL (https://api.surfercloud.com or https://api.ucloud.cn).`);
  }
  const retCode = Number(body.RetCode);
  if (retCode === 0) return body;
  const raw = typeof body.Message === 'string' ? body.Message.slice(0, 200) : '';
  const message = raw ? ` "${raw}"` : '';
  if (NO_ACTION_RETCODES.has(retCode) || /action\b.*(not (exist|found)|不存在)/i.test(raw)) {
    throw new ActionMissing('provider', `${name} does not offer ${action} here (RetCode ${retCode}${message}).`);
  }
  if (AUTH_RETCODES.has(retCode) || /signature|public ?key|private ?key|user not exist/i.test(raw)) {
    throw new ProviderError('auth', `${name} refused the request signature (RetCode ${retCode}${message}): check the public/private key pair — both halves of the same pair, copied without spaces.`);
  }
  if (/\bModel\b/.test(raw) && /missing|required|not available|empty|invalid/i.test(raw)) {
    throw new ModelRequired('config', `${name} needs a model name for ${what} (RetCode ${retCode}${message}): list the models to read in this account's Models option.`);
  }
  throw new ProviderError('provider', `${name} answered RetCode ${retCode}${message} for ${what}. Check the project id, API key id, region and model names in this account's options.`);
}
