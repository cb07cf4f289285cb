// A loopback DeepSeek: GET /user/balance with Bearer keys, amounts as two-decimal strings like the real API.
// Serves the tests and `spendbar serve --demo`.
import { bearerToken, startFakeServer, type FakeServer } from './server.ts';

/** Obviously fake: never a real DeepSeek key. */
export const DEMO_DEEPSEEK_KEY = 'sk-demo-deepseek-00000000000000000000';

export interface DeepSeekFakeBalance {
  currency: string;
  /** Major units (yuan, dollars); served as "110.00". */
  total: number;
  granted: number;
  toppedUp: number;
  /** Fields left out of this entry (the API marks every field optional). */
  omit?: ('currency' | 'total_balance' | 'granted_balance' | 'topped_up_balance')[];
}

export interface DeepSeekFakeAccount {
  isAvailable: boolean;
  balances: DeepSeekFakeBalance[];
  /** Top-level fields left out of the answer. */
  omit?: ('is_available' | 'balance_infos')[];
}

export interface DeepSeekFakeState {
  keys: Record<string, DeepSeekFakeAccount>;
}

export interface DeepSeekFake extends FakeServer {
  state: DeepSeekFakeState;
  /** Deducts a call's cost the way DeepSeek does: granted balance first, then topped-up balance. */
  spend(key: string, currency: string, amount: number): void;
}

export function defaultDeepSeekState(): DeepSeekFakeState {
  return {
    keys: {
      [DEMO_DEEPSEEK_KEY]: {
        isAvailable: true,
        balances: [
          { currency: 'CNY', total: 110, granted: 10, toppedUp: 100 },
          { currency: 'USD', total: 5.5, granted: 0, toppedUp: 5.5 },
        ],
      },
    },
  };
}

export async function startDeepSeekFake(opts: { state?: Partial<DeepSeekFakeState>; port?: number } = {}): Promise<DeepSeekFake> {
  const state: DeepSeekFakeState = { ...defaultDeepSeekState(), ...opts.state };

  const server = await startFakeServer(
    (req) => {
      if (req.path !== '/user/balance') {
        return { status: 404, body: { error: { message: `Not found: ${req.path}`, type: 'invalid_request_error' } } };
      }
      if (req.method !== 'GET') return { status: 405, body: { error: { message: 'Method not allowed' } } };
      const key = bearerToken(req);
      const account = key === undefined ? undefined : state.keys[key];
      if (!account) {
        // The real message masks the key; the fake does the same so no test ever sees it echoed.
        const shown = key ? `****${key.slice(-4)}` : 'none';
        return {
          status: 401,
          body: { error: { message: `Authentication Fails, Your api key: ${shown} is invalid`, type: 'authentication_error', code: 'invalid_request_error' } },
        };
      }
      const entry = (b: DeepSeekFakeBalance) => {
        const e: Record<string, string> = { currency: b.currency, total_balance: b.total.toFixed(2), granted_balance: b.granted.toFixed(2), topped_up_balance: b.toppedUp.toFixed(2) };
        for (const f of b.omit ?? []) delete e[f];
        return e;
      };
      const body: Record<string, unknown> = { is_available: account.isAvailable, balance_infos: account.balances.map(entry) };
      for (const f of account.omit ?? []) delete body[f];
      return { body };
    },
    { port: opts.port },
  );

  function spend(key: string, currency: string, amount: number): void {
    const account = state.keys[key];
    const balance = account?.balances.find((b) => b.currency === currency);
    if (!account || !balance) throw new Error(`the DeepSeek fake has no ${currency} balance for that key`);
    // Work in cents so repeated small charges do not drift.
    let cents = Math.round(amount * 100);
    const fromGranted = Math.min(cents, Math.max(0, Math.round(balance.granted * 100)));
    balance.granted = (Math.round(balance.granted * 100) - fromGranted) / 100;
    cents -= fromGranted;
    balance.toppedUp = (Math.round(balance.toppedUp * 100) - cents) / 100;
    balance.total = (Math.round(balance.granted * 100) + Math.round(balance.toppedUp * 100)) / 100;
    account.isAvailable = account.balances.some((b) => b.total > 0);
  }

  return Object.assign(server, { state, spend });
}
