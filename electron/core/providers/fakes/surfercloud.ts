// A loopback SurferCloud/UCloud API gateway serving GetUMInferTokenUsage. Like the real one it verifies the
// UCloud signature, answers errors as HTTP 200 with a RetCode, accepts JSON bodies, form bodies and GET query
// strings, and serves per-hour usage. Windows longer than `maxWindowS` get HTTP 504 with a plain-text body,
// which is how the real service's long-window timeouts reach a client (through its gateway).
import { ucloudSignature, type UCloudParams } from '../ucloud-signature.ts';
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';

/** Obviously fake: never a real signing pair. */
export const DEMO_SURFER_PUBLIC_KEY = 'demo-surfer-public-key-NOT-REAL';
export const DEMO_SURFER_PRIVATE_KEY = 'demo-surfer-private-key-NOT-REAL-0000';
export const DEMO_SURFER_KEY_ID = 'uk-demo-0001';
export const DEMO_SURFER_MODELS = ['deepseek-ai/DeepSeek-V3', 'Qwen/Qwen3-32B', 'deepseek-ai/DeepSeek-R1'] as const;

const HOUR_MS = 3_600_000;
const ACTION = 'GetUMInferTokenUsage';

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
}

export interface SurferCloudFakeState {
  /** Signing pairs: public key → private key. */
  pairs: Record<string, string>;
  usage: SurferHourUsage[];
  /** Longest StartTime..EndTime span answered (seconds); longer ones time out with 504. */
  maxWindowS: number;
}

export interface SurferCounts {
  in?: number;
  out?: number;
  requests?: number;
  images?: number;
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
      const requests = Math.floor(r * 40 * load / (m + 1));
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
    ...opts.state,
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
  }

  return Object.assign(server, { state, record });
}

function retError(retCode: number, message: string): FakeResponse {
  return { body: { Action: `${ACTION}Response`, RetCode: retCode, Message: message } };
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
      }
      return params;
    } catch {
      return null;
    }
  }
  return Object.fromEntries(new URLSearchParams(req.body));
}

function answer(state: SurferCloudFakeState, req: FakeRequest): FakeResponse {
  if (req.path !== '/') return { status: 404, body: 'not found' };
  const params = readParams(req);
  if (!params) return retError(230, 'Params invalid: the body is not a JSON object');
  if (params.Action !== ACTION) return retError(160, `Action [${String(params.Action ?? '')}] not exist`);
  const publicKey = String(params.PublicKey ?? '');
  const privateKey = state.pairs[publicKey];
  if (!privateKey) return retError(172, 'User Not Exists');
  if (params.Signature === undefined) return retError(170, 'Missing signature');
  if (String(params.Signature) !== ucloudSignature(params, privateKey)) return retError(171, 'Signature VerifyAC Error');

  const keyId = String(params.KeyId ?? '');
  if (!keyId) return retError(230, 'Params [KeyId] not available');
  const startTime = Number(params.StartTime);
  const endTime = Number(params.EndTime);
  if (!Number.isInteger(startTime) || !Number.isInteger(endTime) || endTime < startTime) {
    return retError(230, 'Params [StartTime, EndTime] not available');
  }
  if (endTime - startTime > state.maxWindowS) return { status: 504, body: 'upstream request timeout' };

  const model = params.Model === undefined ? undefined : String(params.Model);
  const rows = state.usage
    .filter((u) => u.keyId === keyId && (model === undefined || u.model === model))
    .filter((u) => u.hour >= startTime * 1000 && u.hour <= endTime * 1000)
    .sort((a, b) => a.hour - b.hour || a.model.localeCompare(b.model));

  const usages: { Type: string; Count: number; Timestamp: number; Model: string }[] = [];
  let inTotal = 0;
  let outTotal = 0;
  let requestTotal = 0;
  let images = 0;
  for (const u of rows) {
    const entry = (Type: string, Count: number) => usages.push({ Type, Count, Timestamp: u.hour / 1000, Model: u.model });
    entry('in', u.in);
    entry('out', u.out);
    entry('total', u.in + u.out);
    entry('request_count', u.requests);
    if (u.images) entry('image_generation', u.images);
    inTotal += u.in;
    outTotal += u.out;
    requestTotal += u.requests;
    images += u.images;
  }
  return {
    body: {
      Action: `${ACTION}Response`,
      RetCode: 0,
      Message: '',
      Data: { Total: inTotal + outTotal, InTotal: inTotal, OutTotal: outTotal, ImageGenerationNum: images, RequestTotal: requestTotal, Usages: usages },
    },
  };
}
