// A loopback SurferCloud/UCloud API gateway. Like the real one it verifies the UCloud signature, answers errors as
// HTTP 200 with a RetCode, accepts JSON bodies, form bodies and GET query strings (arrays as Name.N or as one JSON
// array string), and times windows longer than `maxWindowS` out with a plain-text 504 (how the real service's
// long-window timeouts reach a client). Modes, as seen across regions and SDK versions:
// - GetUMInferTokenUsage buckets by UTC hour, UTC day or China-time day (16:00 UTC), summing either the hours inside
//   the window ('partial') or whole buckets whose timestamp is inside it ('timestamp');
// - `requireModel`: Model is required (the last SDK that had the action marked it so);
// - `tokenUsageRemoved`: the action is gone (SDK 0.22.97); ListUMInferRequestLogs and ListUMInferAPIKey answer instead.
import { ucloudSignature, type UCloudParams } from '../ucloud-signature.ts';
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';
import { listApiKeys, listRequestLogs, type SurferApiKey } from './surfercloud-logs.ts';

/** Obviously fake: never a real signing pair. */
export const DEMO_SURFER_PUBLIC_KEY = 'demo-surfer-public-key-NOT-REAL';
export const DEMO_SURFER_PRIVATE_KEY = 'demo-surfer-private-key-NOT-REAL-0000';
export const DEMO_SURFER_KEY_ID = 'uk-demo-0001';
export const DEMO_SURFER_MODELS = ['deepseek-ai/DeepSeek-V3', 'Qwen/Qwen3-32B', 'deepseek-ai/DeepSeek-R1'] as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * HOUR_MS;

/** One hour of one model's usage on one API key. */
export interface SurferHourUsage {
  keyId: string;
  model: string;
  /** Epoch ms of the start of the hour. */
  hour: number;
  in: number;
  out: number;
  requests: number;
  images: number;
  /** Prompt tokens served from cache (request logs only). */
  cached?: number;
}

export interface SurferCloudFakeState {
  /** Signing pairs: public key → private key. */
  pairs: Record<string, string>;
  usage: SurferHourUsage[];
  /** Longest StartTime..EndTime span answered (seconds); longer ones time out with 504. */
  maxWindowS: number;
  grid: 'hour' | 'utc-day' | 'china-day';
  windows: 'partial' | 'timestamp';
  requireModel: boolean;
  tokenUsageRemoved: boolean;
  /** Region → zones where ListUMInferRequestLogs answers. */
  regions: Record<string, string[]>;
  apiKeys: SurferApiKey[];
}

export interface SurferCounts {
  in?: number;
  out?: number;
  requests?: number;
  images?: number;
  cached?: number;
}

export interface SurferCloudFake extends FakeServer {
  state: SurferCloudFakeState;
  /** Adds usage to the hour containing `at`. */
  record(at: number, model: string, counts: SurferCounts, keyId?: string): void;
}

/** A month of plausible hourly usage for the demo key: seeded by the hour and model, so it never changes. */
export function demoSurferUsage(now: number, days = 30): SurferHourUsage[] {
  const out: SurferHourUsage[] = [];
  const last = Math.floor(now / HOUR_MS);
  for (let h = last - days * 24 + 1; h <= last; h++) {
    const hourOfDay = ((h % 24) + 24) % 24;
    // Busier in (Asian) working hours, quiet at night.
    const load = 0.15 + 0.85 * Math.max(0, Math.sin(((hourOfDay - 1) / 24) * 2 * Math.PI));
    DEMO_SURFER_MODELS.forEach((model, m) => {
      const r = seeded(h * 7 + m);
      const requests = Math.floor((r * 40 * load) / (m + 1));
      if (requests === 0) return;
      const perCall = 600 + Math.floor(seeded(h * 13 + m + 1) * 2400);
      const input = requests * perCall;
      const output = Math.floor(input * (0.2 + 0.3 * seeded(h * 17 + m + 2)) * (model.includes('R1') ? 2.5 : 1));
      out.push({ keyId: DEMO_SURFER_KEY_ID, model, hour: h * HOUR_MS, in: input, out: output, requests, images: 0 });
    });
  }
  return out;
}

/** A deterministic value in [0, 1) for an integer seed (a 32-bit integer hash). */
function seeded(n: number): number {
  let x = (n | 0) ^ 0x9e3779b9;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

export async function startSurferCloudFake(
  opts: { state?: Partial<SurferCloudFakeState>; port?: number; now?: () => number } = {},
): Promise<SurferCloudFake> {
  const now = opts.now ?? Date.now;
  const state: SurferCloudFakeState = {
    pairs: { [DEMO_SURFER_PUBLIC_KEY]: DEMO_SURFER_PRIVATE_KEY },
    usage: opts.state?.usage ? [] : demoSurferUsage(now()),
    maxWindowS: 10 * 86_400,
    grid: 'utc-day',
    windows: 'partial',
    requireModel: false,
    tokenUsageRemoved: false,
    regions: { 'cn-wlcb': ['cn-wlcb-01'] },
    apiKeys: [{ KeyId: DEMO_SURFER_KEY_ID, Name: 'default', Key: 'sk-surfer-demo-plaintext-NOT-REAL', GrantAllModels: true, GrantedModels: [] }],
    ...structuredClone(opts.state ?? {}),
  };

  const server = await startFakeServer((req) => answer(state, req), { port: opts.port });

  function record(at: number, model: string, counts: SurferCounts, keyId = DEMO_SURFER_KEY_ID): void {
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    let row = state.usage.find((u) => u.hour === hour && u.model === model && u.keyId === keyId);
    if (!row) state.usage.push((row = { keyId, model, hour, in: 0, out: 0, requests: 0, images: 0 }));
    row.in += counts.in ?? 0;
    row.out += counts.out ?? 0;
    row.requests += counts.requests ?? 0;
    row.images += counts.images ?? 0;
    if (counts.cached) row.cached = (row.cached ?? 0) + counts.cached;
  }

  return Object.assign(server, { state, record });
}

export function retError(action: string, retCode: number, message: string): FakeResponse {
  return { body: { Action: `${action}Response`, RetCode: retCode, Message: message } };
}

function readParams(req: FakeRequest): UCloudParams | null {
  if (req.method === 'GET') return Object.fromEntries(req.query);
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('json')) {
    try {
      const body: unknown = JSON.parse(req.body);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
      const params: UCloudParams = {};
      for (const [k, v] of Object.entries(body)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params[k] = v;
        else if (Array.isArray(v)) v.forEach((item, i) => (params[`${k}.${i}`] = String(item)));
      }
      return params;
    } catch {
      return null;
    }
  }
  return Object.fromEntries(new URLSearchParams(req.body));
}

/** An array parameter: Name.0, Name.1, … (the SDK's form encoding) or one JSON array string (ucloud-cli). */
export function arrayParam(params: UCloudParams, name: string): string[] {
  const single = params[name];
  if (typeof single === 'string' && single.trim().startsWith('[')) {
    try {
      const list: unknown = JSON.parse(single);
      if (Array.isArray(list)) return list.map(String);
    } catch {
      /* not a JSON array: a plain value */
    }
  }
  const out: string[] = [];
  for (let i = 0; params[`${name}.${i}`] !== undefined; i++) out.push(String(params[`${name}.${i}`]));
  if (out.length === 0 && single !== undefined) out.push(String(single));
  return out;
}

function answer(state: SurferCloudFakeState, req: FakeRequest): FakeResponse {
  if (req.path !== '/') return { status: 404, body: 'not found' };
  const params = readParams(req);
  const action = String(params?.Action ?? '');
  if (!params) return retError(action, 230, 'Params invalid: the body is not a JSON object');
  if (!action) return retError(action, 160, 'Missing Action');
  const publicKey = String(params.PublicKey ?? '');
  const privateKey = state.pairs[publicKey];
  if (!privateKey) return retError(action, 172, 'User Not Exists');
  if (params.Signature === undefined) return retError(action, 170, 'Missing signature');
  if (String(params.Signature) !== ucloudSignature(params, privateKey)) return retError(action, 171, 'Signature VerifyAC Error');
  if (action === 'GetUMInferTokenUsage' && !state.tokenUsageRemoved) return tokenUsage(state, params);
  if (action === 'ListUMInferRequestLogs') return listRequestLogs(state, params);
  if (action === 'ListUMInferAPIKey') return listApiKeys(state, params);
  return retError(action, 161, `Action [${action}] not found`);
}

/** The start of the bucket holding `hour` on the fake's grid (epoch ms). */
function bucketOf(grid: SurferCloudFakeState['grid'], hour: number): number {
  if (grid === 'hour') return hour;
  if (grid === 'utc-day') return hour - (((hour % DAY_MS) + DAY_MS) % DAY_MS);
  const local = hour + CHINA_OFFSET_MS;
  return local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - CHINA_OFFSET_MS;
}

function tokenUsage(state: SurferCloudFakeState, params: UCloudParams): FakeResponse {
  const action = 'GetUMInferTokenUsage';
  const keyId = String(params.KeyId ?? '');
  if (!keyId) return retError(action, 230, 'Params [KeyId] not available');
  const model = params.Model === undefined || params.Model === '' ? undefined : String(params.Model);
  if (state.requireModel && model === undefined) return retError(action, 230, 'Missing params [Model]');
  const startTime = Number(params.StartTime);
  const endTime = Number(params.EndTime);
  if (!Number.isInteger(startTime) || !Number.isInteger(endTime) || endTime < startTime) {
    return retError(action, 230, 'Params [StartTime, EndTime] not available');
  }
  if (endTime - startTime > state.maxWindowS) return { status: 504, body: 'upstream request timeout' };

  const from = startTime * 1000;
  const to = endTime * 1000;
  const rows = state.usage.filter((u) => u.keyId === keyId && (model === undefined || u.model === model));
  const buckets = new Map<string, { ts: number; model: string; in: number; out: number; requests: number; images: number }>();
  for (const u of rows) {
    const ts = bucketOf(state.grid, u.hour);
    const inside = state.windows === 'partial' ? u.hour >= from && u.hour <= to : ts >= from && ts <= to;
    if (!inside) continue;
    const id = `${ts}\u0000${u.model}`;
    let b = buckets.get(id);
    if (!b) buckets.set(id, (b = { ts, model: u.model, in: 0, out: 0, requests: 0, images: 0 }));
    b.in += u.in;
    b.out += u.out;
    b.requests += u.requests;
    b.images += u.images;
  }
  const usages: { Type: string; Count: number; Timestamp: number; Model: string }[] = [];
  let inTotal = 0;
  let outTotal = 0;
  let requestTotal = 0;
  let images = 0;
  for (const b of [...buckets.values()].sort((x, y) => x.ts - y.ts || x.model.localeCompare(y.model))) {
    const entry = (Type: string, Count: number) => usages.push({ Type, Count, Timestamp: b.ts / 1000, Model: b.model });
    entry('in', b.in);
    entry('out', b.out);
    entry('total', b.in + b.out);
    entry('request_count', b.requests);
    if (b.images) entry('image_generation', b.images);
    inTotal += b.in;
    outTotal += b.out;
    requestTotal += b.requests;
    images += b.images;
  }
  return {
    body: {
      Action: `${action}Response`,
      RetCode: 0,
      Message: '',
      Data: { Total: inTotal + outTotal, InTotal: inTotal, OutTotal: outTotal, ImageGenerationNum: images, RequestTotal: requestTotal, Usages: usages },
    },
  };
}
