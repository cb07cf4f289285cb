// A loopback Moonshot balance endpoint: floats, code 0 on success, HTTP 200 with code != 0 for some failures.
import { bearerToken, startFakeServer, type FakeServer } from './server.ts';

export const DEMO_MOONSHOT_KEY = 'sk-demo-moonshot-0000000000000000';

export interface MoonshotFakeBalance {
  voucher: number;
  cash: number;
}

export type MoonshotFake = FakeServer & { state: { keys: Record<string, MoonshotFakeBalance> }; spend(key: string, amount: number): void };

export async function startMoonshotFake(opts: { keys?: Record<string, MoonshotFakeBalance>; port?: number } = {}): Promise<MoonshotFake> {
  const state = { keys: structuredClone(opts.keys ?? { [DEMO_MOONSHOT_KEY]: { voucher: 46.58893, cash: 83.20011 } }) };
  const server = await startFakeServer((req) => {
    if (req.path !== '/v1/users/me/balance') return { status: 404, body: { error: { message: `Not found: ${req.path}`, type: 'resource_not_found_error' } } };
    const key = bearerToken(req);
    const b = key === undefined ? undefined : state.keys[key];
    if (!b) return { status: 401, body: { error: { message: 'Invalid Authentication', type: 'invalid_authentication_error' } } };
    // With a debt, only vouchers can be spent.
    const available = b.cash < 0 ? b.voucher : b.voucher + b.cash;
    return { body: { code: 0, data: { available_balance: round(available), voucher_balance: round(b.voucher), cash_balance: round(b.cash) }, scode: '0x0', status: true } };
  }, { port: opts.port });
  // Vouchers are spent first, then cash, which may go negative.
  const spend = (key: string, amount: number) => {
    const b = state.keys[key];
    if (!b) throw new Error('spend(): no such key');
    const fromVoucher = Math.min(b.voucher, amount);
    b.voucher = round(b.voucher - fromVoucher);
    b.cash = round(b.cash - (amount - fromVoucher));
  };
  return Object.assign(server, { state, spend });
}

const round = (n: number) => Math.round(n * 1e5) / 1e5;
