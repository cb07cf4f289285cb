// The New-API routes of the loopback gateway beyond the billing pair: /api/usage/token/ and /api/log/token (both
// behind CriticalRateLimit and the read-only key check, which lets used-up and expired keys through), and
// /api/user/self in each of its authentication generations. One-API serves only /api/user/self.
import type { FakeRequest, FakeResponse } from './server.ts';
import { findKey, type FakeContext, type NewApiFakeUser } from './newapi.ts';

/** One row of New-API's `logs` table, as GetLogByKey sends it. */
export interface LogRow {
  id: number;
  user_id: number;
  created_at: number;
  type: number;
  content: string;
  username: string;
  token_name: string;
  model_name: string;
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  use_time: number;
  is_stream: boolean;
  channel: number;
  channel_name: string;
  token_id: number;
  group: string;
  ip: string;
  request_id?: string;
  other: string;
}

const MAX_RECENT_ITEMS = 1000;

function header(req: FakeRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** TokenAuthReadOnly: the key must exist and not be disabled; expired and used-up keys pass. */
function readOnlyKey(ctx: FakeContext, req: FakeRequest): { tokenId: number; name: string } | FakeResponse {
  const auth = header(req, 'authorization');
  if (!auth) return { status: 401, body: { success: false, message: '未提供令牌' } };
  const found = findKey(ctx.state, auth);
  if (!found) return { status: 401, body: { success: false, message: '无效的令牌' } };
  if (found[1].disabled) return { status: 401, body: { success: false, message: '该令牌状态不可用' } };
  return { tokenId: Object.keys(ctx.state.keys).indexOf(found[0]) + 1, name: found[1].name };
}

export function handleTokenUsage(ctx: FakeContext, req: FakeRequest): FakeResponse {
  const limited = ctx.critical();
  if (limited) return limited;
  const checked = readOnlyKey(ctx, req);
  if (!('tokenId' in checked)) return checked;
  // GetTokenUsage re-reads the header: exactly "Bearer <key>".
  const parts = (header(req, 'authorization') ?? '').split(' ');
  if (parts.length !== 2 || parts[0]?.toLowerCase() !== 'bearer') return { status: 401, body: { success: false, message: 'Invalid Bearer token' } };
  const found = findKey(ctx.state, parts[1]);
  if (!found || parts[1]?.replace(/^sk-/, '') !== found[0].replace(/^sk-/, '')) return { body: { success: false, message: '获取令牌信息失败，请稍后重试' } };
  const key = found[1];
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

export function handleLog(ctx: FakeContext, req: FakeRequest): FakeResponse {
  const { state } = ctx;
  if (state.logGeneration === 'legacy') {
    // Before 2026-02-06: CORS and the global limit only; the key only from ?key=, every row, in no particular order.
    const key = req.query.get('key') ?? '';
    const found = key ? findKey(state, key) : undefined;
    const tokenId = found ? Object.keys(state.keys).indexOf(found[0]) + 1 : -1;
    const rows = state.log
      .filter((r) => r.token_id === tokenId)
      .map(({ request_id: _r, ...r }) => ({ ...r, id: r.id % 1024 }));
    // A stable shuffle: the db returns heap order, not time order.
    rows.sort((a, b) => ((a.created_at * 7919 + a.id) % 97) - ((b.created_at * 7919 + b.id) % 97));
    return { body: { success: true, message: '', data: rows } };
  }
  const limited = ctx.critical();
  if (limited) return limited;
  const checked = readOnlyKey(ctx, req);
  if (!('tokenId' in checked)) return checked;
  const rows = state.log
    .filter((r) => r.token_id === checked.tokenId)
    .sort((a, b) => b.id - a.id)
    .slice(0, MAX_RECENT_ITEMS)
    .map((r, i) => ({ ...r, id: i + 1 }));
  return { body: { success: true, message: '', data: rows } };
}

function userFor(ctx: FakeContext, token: string): [number, NewApiFakeUser] | undefined {
  for (const [id, u] of Object.entries(ctx.state.users)) if (u.accessToken === token) return [Number(id), u];
  return undefined;
}

function selfBody(id: number, u: NewApiFakeUser, oneApi: boolean): Record<string, unknown> {
  const base = { id, username: 'alice', display_name: '', role: 1, status: 1, email: '', group: 'default', quota: u.quota, used_quota: u.used, request_count: u.requests, aff_code: 'abcd' };
  return oneApi ? { ...base, password: '', access_token: '', github_id: '', wechat_id: '', lark_id: '', oidc_id: '', verification_code: '', inviter_id: 0 } : { ...base, aff_count: 0, aff_quota: 0, setting: '{}', permissions: {} };
}

export function handleSelf(ctx: FakeContext, req: FakeRequest): FakeResponse {
  const { state } = ctx;
  const raw = header(req, 'authorization');
  const oneApi = !state.newApi;
  if (state.selfAuth === 'stateless' && !oneApi) {
    const token = raw?.replace(/^Bearer /, '');
    const found = token ? userFor(ctx, token) : undefined;
    if (!found) return { status: 401, body: { success: false, code: 'AUTH_UNAUTHORIZED', message: 'Unauthorized, invalid access token' } };
    return { body: { success: true, message: '', data: selfBody(found[0], found[1], false) } };
  }
  if (!raw) return { status: 401, body: { success: false, message: '无权进行此操作，未登录且未提供 access token' } };
  // ValidateAccessToken strips one "Bearer ".
  const found = userFor(ctx, raw.replace(/^Bearer /, ''));
  if (!found) return { body: { success: false, message: oneApi ? '无权进行此操作，access token 无效' : '无权进行此操作，access token 无效' } };
  if (!oneApi && state.selfAuth === 'new-api-user') {
    const id = header(req, 'new-api-user');
    if (!id) return { status: 401, body: { success: false, message: '无权进行此操作，未提供 New-Api-User' } };
    if (!/^-?\d+$/.test(id)) return { status: 401, body: { success: false, message: '无权进行此操作，New-Api-User 格式错误' } };
    if (Number(id) !== found[0]) return { status: 401, body: { success: false, message: '无权进行此操作，New-Api-User 与登录用户不匹配' } };
  }
  return { body: { success: true, message: '', data: selfBody(found[0], found[1], oneApi) } };
}
