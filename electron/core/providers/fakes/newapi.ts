// A One-API / New-API gateway on loopback, answering the way the forks' handlers do (see providers.md part 2):
// - /api/status per fork and era (New-API's quota_display_type since 2025-09, One-API's boolean only);
// - the billing pair in the display unit, with One-API's version history of what hard_limit_usd holds and its
//   per-user stats mode, unlimited keys as 100,000,000;
// - key refusals worded per fork and era (One-API, New-API before 2026-04, New-API since: all "无效的令牌");
// - /api/usage/token/, /api/log/token (both generations) and /api/user/self (all auth generations) in
//   newapi-routes.ts, behind New-API's CriticalRateLimit with empty 429s.
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';
import { handleLog, handleSelf, handleTokenUsage, type LogRow } from './newapi-routes.ts';
import { demoNewApiLog } from './newapi-demo.ts';

export { demoNewApiLog };

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
  /** The owner, a key of `users` (default 1). */
  userId?: number;
  disabled?: boolean;
}

export interface NewApiFakeUser {
  /** Raw quota remaining in the wallet. */
  quota: number;
  used: number;
  requests: number;
  accessToken: string;
}

export interface NewApiFakeState {
  /** false = One-API: no /api/usage/token/, no /api/log/token, One-API's /api/status and messages. */
  newApi: boolean;
  /** `version` in /api/status ("" for a self-built image). */
  version: string;
  quotaPerUnit: number | undefined;
  /** New-API since 2025-09-29; null = the era of the display_in_currency boolean only. */
  displayType: 'USD' | 'CNY' | 'TOKENS' | 'CUSTOM' | null;
  /** Used when displayType is null (One-API, older New-API). */
  displayInCurrency: boolean;
  usdExchangeRate: number;
  customSymbol: string;
  customRate: number;
  /** DisplayTokenStatEnabled: per-key figures (default) or the user's wallet. */
  stats: 'token' | 'user';
  /** How New-API words a refused key: before 2026-04-12 (why), or since (always "无效的令牌"). One-API always says why. */
  refusals: 'new-api-2025' | 'new-api-2026';
  /** /api/log/token: header auth and the newest 1,000 rows, or (before 2026-02-06) ?key= and every row. */
  logGeneration: 'current' | 'legacy';
  /** /api/user/self: before 2025-01 (token only), 2025-01 → 2026-07 (New-Api-User required), since (stateless). */
  selfAuth: 'legacy' | 'new-api-user' | 'stateless';
  /** CriticalRateLimit over /api/usage/token/ and /api/log/token; null = disabled. */
  critical: { limit: number; windowS: number; retryAfter: boolean } | null;
  /** By API key, as the user would paste it (with its sk- prefix). */
  keys: Record<string, NewApiFakeKey>;
  users: Record<number, NewApiFakeUser>;
  /** Request-log rows, oldest first (the db order). */
  log: LogRow[];
}

export interface SpendDetails {
  model?: string;
  prompt?: number;
  completion?: number;
  cached?: number;
  /** Epoch ms (default now). */
  at?: number;
}

export type NewApiFake = FakeServer & {
  state: NewApiFakeState;
  /** A consume: key and wallet move, and a type-2 row is logged. */
  spend(key: string, quota: number, details?: SpendDetails): void;
  /** An async-task refund (type 6): the quota goes back to the key and wallet. */
  refund(key: string, quota: number, details?: SpendDetails): void;
  /** Adds a raw log row (unknown types, error rows). */
  logRow(key: string, row: Partial<LogRow>): void;
};

export const DEMO_NEWAPI_ACCESS_TOKEN = 'demoAccessToken000000000000000001';

export function defaultNewApiState(): NewApiFakeState {
  return {
    newApi: true,
    version: 'v0.9.0',
    quotaPerUnit: 500_000,
    displayType: 'USD',
    displayInCurrency: true,
    usdExchangeRate: 7.3,
    customSymbol: '¤',
    customRate: 1,
    stats: 'token',
    refusals: 'new-api-2026',
    logGeneration: 'current',
    selfAuth: 'stateless',
    critical: { limit: 20, windowS: 1200, retryAfter: false },
    // $20 granted, about $4.69 spent.
    keys: { [DEMO_NEWAPI_KEY]: { name: 'demo', granted: 10_000_000, used: 2_345_678, unlimited: false, expiresAt: 0 } },
    users: { 1: { quota: 25_000_000, used: 2_345_678, requests: 321, accessToken: DEMO_NEWAPI_ACCESS_TOKEN } },
    log: [],
  };
}

export async function startNewApiFake(opts: { state?: Partial<NewApiFakeState>; port?: number; now?: () => number } = {}): Promise<NewApiFake> {
  const now = opts.now ?? Date.now;
  // A copy: spend() mutates keys, users and the log, never the caller's fixture.
  const state: NewApiFakeState = structuredClone({ ...defaultNewApiState(), ...opts.state });
  // The demo key (the default state) comes with a request log; a test's own keys start with an empty one.
  if (!opts.state?.keys && !opts.state?.log) state.log = demoNewApiLog(now());
  const hits: number[] = [];
  const ctx: FakeContext = { state, now, critical: () => critical(state, hits, now()) };
  const server = await startFakeServer((req) => handle(ctx, req), opts.port === undefined ? {} : { port: opts.port });

  function move(key: string, quota: number, type: 2 | 6, d: SpendDetails): void {
    const k = state.keys[key];
    if (!k) throw new Error(`the fake gateway has no key ${key.slice(0, 12)}…`);
    const sign = type === 2 ? 1 : -1;
    k.used += sign * quota;
    const user = state.users[k.userId ?? 1];
    if (user) {
      user.used += sign * quota;
      user.quota -= sign * quota;
      if (type === 2) user.requests += 1;
    }
    const tokenId = Object.keys(state.keys).indexOf(key) + 1;
    state.log.push(row(state, k, tokenId, { type, quota, created_at: Math.floor((d.at ?? now()) / 1000), model_name: d.model ?? 'gpt-4o-mini', prompt_tokens: d.prompt ?? 0, completion_tokens: d.completion ?? 0, other: JSON.stringify({ cache_tokens: d.cached ?? 0, model_ratio: 1 }) }));
  }

  return Object.assign(server, {
    state,
    spend: (key: string, quota: number, d: SpendDetails = {}) => move(key, quota, 2, d),
    refund: (key: string, quota: number, d: SpendDetails = {}) => move(key, quota, 6, d),
    logRow(key: string, r: Partial<LogRow>) {
      const k = state.keys[key];
      if (!k) throw new Error('logRow(): no such key');
      state.log.push(row(state, k, Object.keys(state.keys).indexOf(key) + 1, { created_at: Math.floor(now() / 1000), ...r }));
    },
  });
}

function row(state: NewApiFakeState, k: NewApiFakeKey, tokenId: number, over: Partial<LogRow>): LogRow {
  return {
    id: state.log.length + 1,
    user_id: k.userId ?? 1,
    created_at: 0,
    type: 2,
    content: '',
    username: 'alice',
    token_name: k.name,
    model_name: 'gpt-4o-mini',
    quota: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    use_time: 1,
    is_stream: false,
    channel: 3,
    channel_name: '',
    token_id: tokenId,
    group: 'default',
    ip: '',
    request_id: `req-${state.log.length + 1}`,
    other: '{}',
    ...over,
  };
}

export interface FakeContext {
  state: NewApiFakeState;
  now: () => number;
  /** Counts one request against CriticalRateLimit; a 429 response when over. */
  critical: () => FakeResponse | null;
}

/** New-API's in-memory limiter: the last N request times per IP, sliding. The 429 is empty. */
function critical(state: NewApiFakeState, hits: number[], now: number): FakeResponse | null {
  const c = state.critical;
  if (!c) return null;
  while (hits.length > 0 && (hits[0] as number) <= now - c.windowS * 1000) hits.shift();
  if (hits.length >= c.limit) return { status: 429, headers: c.retryAfter ? { 'retry-after': String(c.windowS) } : {}, body: '' };
  hits.push(now);
  return null;
}

function handle(ctx: FakeContext, req: FakeRequest): FakeResponse {
  const { state } = ctx;
  if (req.method !== 'GET') return notFound(req);
  switch (req.path) {
    case '/api/status':
      return { body: { success: true, message: '', data: statusData(state) } };
    case '/api/usage/token/':
      return state.newApi ? handleTokenUsage(ctx, req) : notFound(req);
    case '/api/log/token':
      return state.newApi ? handleLog(ctx, req) : notFound(req);
    case '/api/user/self':
      return handleSelf(ctx, req);
    case '/dashboard/billing/subscription':
    case '/v1/dashboard/billing/subscription':
      return withTokenAuth(ctx, req, (k) => subscription(state, k));
    case '/dashboard/billing/usage':
    case '/v1/dashboard/billing/usage':
      return withTokenAuth(ctx, req, (k) => ({ body: { object: 'list', total_usage: displayAmount(state, usedOf(state, k)) * 100 } }));
    default:
      return notFound(req);
  }
}

function statusData(s: NewApiFakeState): Record<string, unknown> {
  const common: Record<string, unknown> = { version: s.version, start_time: 1_700_000_000, display_in_currency: s.displayInCurrency };
  if (s.quotaPerUnit !== undefined) common.quota_per_unit = s.quotaPerUnit;
  if (!s.newApi) return { ...common, system_name: 'One API', top_up_link: '', chat_link: '', github_oauth: false, oidc: false };
  const newApi: Record<string, unknown> = { ...common, system_name: 'New API', enable_drawing: true, enable_task: true, mj_notify_enabled: false, chats: [], price: 7.3 };
  if (s.displayType !== null) {
    Object.assign(newApi, {
      quota_display_type: s.displayType,
      display_in_currency: s.displayType !== 'TOKENS',
      usd_exchange_rate: s.usdExchangeRate,
      custom_currency_symbol: s.customSymbol,
      custom_currency_exchange_rate: s.customRate,
    });
  }
  return newApi;
}

/** The gateway strips "Bearer ", then "sk-", then anything after a further "-" (a channel suffix). */
export function findKey(state: NewApiFakeState, auth: string | undefined): [string, NewApiFakeKey] | undefined {
  if (!auth) return undefined;
  const bare = auth.replace(/^Bearer /i, '').replace(/^sk-/, '');
  for (const [k, v] of Object.entries(state.keys)) if (k.replace(/^sk-/, '') === bare || k.replace(/^sk-/, '') === bare.split('-')[0]) return [k, v];
  return undefined;
}

function header(req: FakeRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** TokenAuth before the billing handlers: refusals worded as the fork and era word them. */
function withTokenAuth(ctx: FakeContext, req: FakeRequest, ok: (key: NewApiFakeKey) => FakeResponse): FakeResponse {
  const { state } = ctx;
  const found = findKey(state, header(req, 'authorization'));
  const generic = '无效的令牌';
  if (!found) return authError(generic);
  const [raw, key] = found;
  const era = state.newApi ? state.refusals : 'one-api';
  const newEra = era === 'new-api-2026';
  if (key.disabled) return authError(newEra ? generic : '该令牌状态不可用');
  if (key.expiresAt > 0 && key.expiresAt * 1000 <= ctx.now()) return authError(newEra ? generic : '该令牌已过期');
  if (!key.unlimited && key.granted - key.used <= 0) {
    if (newEra) return authError(generic);
    const masked = `${raw.replace(/^sk-/, '').slice(0, 3)}***${raw.slice(-3)}`;
    return authError(era === 'one-api' ? `令牌 ${key.name}（#${Object.keys(state.keys).indexOf(raw) + 1}）额度已用尽` : `该令牌额度已用尽 TokenStatusExhausted[sk-${masked}]`);
  }
  return ok(key);
}

function authError(message: string): FakeResponse {
  return { status: 401, body: { error: { message, type: 'one_api_error' } } };
}

function usedOf(s: NewApiFakeState, k: NewApiFakeKey): number {
  return s.stats === 'user' ? (s.users[k.userId ?? 1]?.used ?? 0) : k.used;
}

/** What One-API's GetSubscription puts in hard_limit_usd, by version (see billing.ts for the history). */
function oneApiEra(version: string): 'remaining' | 'sum' | 'per-user-bug' {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-(alpha|beta|preview|rc)\.?(\d+)?)?/.exec(version);
  if (!m) return 'per-user-bug'; // "" and v0.0.0 builds run the current code
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (maj === 0 && min === 0 && patch === 0) return 'per-user-bug';
  const n = maj * 1e6 + min * 1e3 + patch;
  if (n < 4010 || (n === 4010 && m[4] === 'alpha' && Number(m[5] ?? 0) < 5)) return 'remaining';
  if (n < 6000) return 'sum';
  return 'per-user-bug';
}

function subscription(s: NewApiFakeState, key: NewApiFakeKey): FakeResponse {
  const user = s.users[key.userId ?? 1];
  const [remain, used] = s.stats === 'user' ? [user?.quota ?? 0, user?.used ?? 0] : [key.granted - key.used, key.used];
  let quota = remain + used;
  if (!s.newApi) {
    const era = oneApiEra(s.version);
    if (era === 'remaining' || (era === 'per-user-bug' && s.stats === 'user')) quota = remain;
  }
  let amount = displayAmount(s, quota);
  if (s.stats === 'token' && key.unlimited) amount = 100_000_000;
  const expires = s.stats === 'token' && key.expiresAt > 0 ? key.expiresAt : 0;
  return { body: { object: 'billing_subscription', has_payment_method: true, soft_limit_usd: amount, hard_limit_usd: amount, system_hard_limit_usd: amount, access_until: expires } };
}

/** Raw quota in the unit the *_usd fields use: by quota_display_type, or by the boolean before it. */
function displayAmount(s: NewApiFakeState, quota: number): number {
  const qpu = s.quotaPerUnit ?? 500_000;
  const type = s.newApi ? s.displayType : null;
  if (type === null) return s.displayInCurrency ? quota / qpu : quota;
  if (type === 'TOKENS') return quota;
  if (type === 'CNY') return (quota / qpu) * s.usdExchangeRate;
  return quota / qpu;
}

export function notFound(req: FakeRequest): FakeResponse {
  return { status: 404, body: { error: { message: `Invalid URL (${req.method} ${req.path})`, type: 'invalid_request_error', param: '', code: '' } } };
}
