// Loopback stand-ins for endpoints users point `custom` accounts at: a One-API-style reseller serving OpenAI's old
// credit-grants shape at its own path, assisters.dev's announced GET /v1/usage, and a plain balance API that wants
// its key in an X-Api-Key header and answers errors with HTTP 200.
import { bearerToken, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';

export const DEMO_RESELLER_KEY = 'sk-demo-reseller-00000000000000';
export const DEMO_ASSISTERS_KEY = 'ask_demo_assisters_000000000000';
export const DEMO_BALANCE_KEY = 'demo-balance-key-0000000000000';

export interface CustomFakeState {
  /** Reseller credit in dollars. */
  granted: number;
  used: number;
  /** assisters.dev: tokens this month and the plan. */
  tokensUsed: number;
  tier: string | null;
  /** The plain balance API: yuan as a string. */
  balance: string;
}

export type CustomFake = FakeServer & { state: CustomFakeState; spend(dollars: number, tokens: number): void };

export async function startCustomFake(opts: { state?: Partial<CustomFakeState>; port?: number; now?: () => number } = {}): Promise<CustomFake> {
  const clock = opts.now ?? Date.now;
  const state: CustomFakeState = { granted: 50, used: 12.34, tokensUsed: 1_240_000, tier: 'developer', balance: '88.80', ...opts.state };
  const handle = (req: FakeRequest): FakeResponse => {
    if (req.path === '/v1/dashboard/billing/credit_grants') {
      if (bearerToken(req) !== DEMO_RESELLER_KEY) return { status: 401, body: { error: { message: 'invalid token', type: 'one_api_error' } } };
      return { body: { object: 'credit_summary', total_granted: state.granted, total_used: state.used, total_available: Math.round((state.granted - state.used) * 1e6) / 1e6 } };
    }
    if (req.path === '/v1/usage') {
      if (bearerToken(req) !== DEMO_ASSISTERS_KEY) return { status: 401, body: { error: { message: 'Invalid API key', type: 'authentication_error' } } };
      const now = new Date(clock());
      return {
        body: {
          object: 'usage',
          period: { start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(), end: null },
          ...(state.tier === null ? {} : { tier: state.tier }),
          tokens_used: state.tokensUsed,
          requests: Math.round(state.tokensUsed / 900),
        },
      };
    }
    if (req.path === '/api/v2/account') {
      if (req.headers['x-api-key'] !== DEMO_BALANCE_KEY) return { body: { ok: false, error: 'bad api key' } };
      return { body: { ok: true, account: { wallet: { amount: state.balance, currency: 'CNY' } } } };
    }
    return { status: 404, body: { error: { message: `Not found: ${req.path}` } } };
  };
  const server = await startFakeServer(handle, { port: opts.port });
  const spend = (dollars: number, tokens: number) => {
    state.used = Math.round((state.used + dollars) * 1e6) / 1e6;
    state.tokensUsed += tokens;
  };
  return Object.assign(server, { state, spend });
}
