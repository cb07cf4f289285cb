// A One-API / New-API gateway on loopback. Answers are computed from the state the way the gateway's
// handlers compute them: per-key stats, the display type deciding what the *_usd fields hold, usage in cents.
import { bearerToken, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';

export const DEMO_NEWAPI_KEY = 'sk-demo-newapi-0001';

export interface NewApiFakeKey {
  name: string;
  /** Raw quota units granted over the key's life (remaining + used). */
  granted: number;
  /** Raw quota units used. */
  used: number;
  unlimited: boolean;
  /** Unix seconds; 0 = never. */
  expiresAt: number;
}

export interface NewApiFakeState {
  quotaPerUnit: number;
  displayType: 'USD' | 'CNY' | 'TOKENS';
  usdExchangeRate: number;
  /** By API key, as the user would paste it (with its sk- prefix). */
  keys: Record<string, NewApiFakeKey>;
  /** false = One-API: no /api/usage/token/, no display type in /api/status. */
  newApi: boolean;
}

export type NewApiFake = FakeServer & { state: NewApiFakeState; spend(key: string, quota: number): void };

export function defaultNewApiState(): NewApiFakeState {
  return {
    quotaPerUnit: 500_000,
    displayType: 'USD',
    usdExchangeRate: 7.3,
    newApi: true,
    // $20 granted, about $4.69 spent.
    keys: { [DEMO_NEWAPI_KEY]: { name: 'demo', granted: 10_000_000, used: 2_345_678, unlimited: false, expiresAt: 0 } },
  };
}

export async function startNewApiFake(opts: { state?: Partial<NewApiFakeState>; port?: number } = {}): Promise<NewApiFake> {
  const state: NewApiFakeState = { ...defaultNewApiState(), ...opts.state };
  // spend() mutates the keys; the caller's object stays as it was given.
  state.keys = structuredClone(state.keys);
  const server = await startFakeServer((req) => handle(state, req), opts.port === undefined ? {} : { port: opts.port });
  return Object.assign(server, {
    state,
    spend(key: string, quota: number) {
      const k = state.keys[key];
      if (!k) throw new Error(`the fake gateway has no key ${key.slice(0, 12)}…`);
      k.used += quota;
    },
  });
}

function handle(state: NewApiFakeState, req: FakeRequest): FakeResponse {
  if (req.method !== 'GET') return notFound(req);
  switch (req.path) {
    case '/api/status':
      return { body: { success: true, message: '', data: statusData(state) } };
    case '/api/usage/token/':
      return state.newApi ? tokenUsage(state, req) : notFound(req);
    case '/dashboard/billing/subscription':
    case '/v1/dashboard/billing/subscription':
      return withTokenAuth(state, req, (k) => subscription(state, k));
    case '/dashboard/billing/usage':
    case '/v1/dashboard/billing/usage':
      return withTokenAuth(state, req, (k) => ({ body: { object: 'list', total_usage: displayAmount(state, k.used) * 100 } }));
    default:
      return notFound(req);
  }
}

function statusData(state: NewApiFakeState): Record<string, unknown> {
  const common = { version: 'v0.0.0-fake', quota_per_unit: state.quotaPerUnit, display_in_currency: true, start_time: 1_700_000_000 };
  if (!state.newApi) return { ...common, system_name: 'One API' };
  return { ...common, system_name: 'New API', quota_display_type: state.displayType, usd_exchange_rate: state.usdExchangeRate };
}

/** The gateway strips "sk-" before looking the key up, so both spellings find it. */
function findKey(state: NewApiFakeState, req: FakeRequest): NewApiFakeKey | undefined {
  const token = bearerToken(req);
  if (!token) return undefined;
  const bare = token.replace(/^sk-/, '');
  return state.keys[`sk-${bare}`] ?? state.keys[bare];
}

/** What the gateway's token middleware does before the billing handlers run. */
function withTokenAuth(state: NewApiFakeState, req: FakeRequest, ok: (key: NewApiFakeKey) => FakeResponse): FakeResponse {
  const key = findKey(state, req);
  if (!key) return authError('Invalid token (request id: fake)');
  if (key.expiresAt > 0 && key.expiresAt * 1000 <= Date.now()) return authError('This token has expired and cannot be used');
  if (!key.unlimited && key.granted - key.used <= 0) return authError("This token's quota is used up");
  return ok(key);
}

function authError(message: string): FakeResponse {
  return { status: 401, body: { error: { message, type: 'one_api_error' } } };
}

function subscription(state: NewApiFakeState, key: NewApiFakeKey): FakeResponse {
  const amount = key.unlimited ? 100_000_000 : displayAmount(state, key.granted);
  return {
    body: {
      object: 'billing_subscription',
      has_payment_method: true,
      soft_limit_usd: amount,
      hard_limit_usd: amount,
      system_hard_limit_usd: amount,
      access_until: key.expiresAt > 0 ? key.expiresAt : 0,
    },
  };
}

/** Raw quota in the unit the *_usd fields use: One-API always dollars; New-API follows its display type. */
function displayAmount(state: NewApiFakeState, quota: number): number {
  const type = state.newApi ? state.displayType : 'USD';
  if (type === 'TOKENS') return quota;
  if (type === 'CNY') return (quota / state.quotaPerUnit) * state.usdExchangeRate;
  return quota / state.quotaPerUnit;
}

/** New-API reads the key itself (no middleware): an unknown key is a 200 with success:false. */
function tokenUsage(state: NewApiFakeState, req: FakeRequest): FakeResponse {
  if (!bearerToken(req)) return { status: 401, body: { success: false, message: 'No Authorization header' } };
  const key = findKey(state, req);
  if (!key) return { body: { success: false, message: 'Failed to get token info' } };
  return {
    body: {
      code: true,
      message: 'ok',
      data: {
        object: 'token_usage',
        name: key.name,
        total_granted: key.granted,
        total_used: key.used,
        total_available: key.granted - key.used,
        unlimited_quota: key.unlimited,
        model_limits: {},
        model_limits_enabled: false,
        expires_at: key.expiresAt > 0 ? key.expiresAt : 0,
      },
    },
  };
}

function notFound(req: FakeRequest): FakeResponse {
  return { status: 404, body: { error: { message: `Invalid URL (${req.method} ${req.path})`, type: 'invalid_request_error', param: '', code: '' } } };
}
