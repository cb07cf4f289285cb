// A loopback SiliconFlow /v1/user/info: decimal strings, code 20000 on success and other codes on HTTP 200 for
// failures. `retired` answers as a host whose balance API is gone (the China host's reported retirement).
import { bearerToken, startFakeServer, type FakeResponse, type FakeServer } from './server.ts';

export const DEMO_SILICONFLOW_KEY = 'sk-demo-siliconflow-000000000000';

export interface SiliconFlowFakeState {
  /** Granted (balance) and paid (chargeBalance), in major units. */
  keys: Record<string, { granted: number; paid: number }>;
  /** 'gone' = 404 page; 'code' = HTTP 200 with an error code. */
  retired: false | 'gone' | 'code';
}

export type SiliconFlowFake = FakeServer & { state: SiliconFlowFakeState; spend(key: string, amount: number): void };

export async function startSiliconFlowFake(opts: { state?: Partial<SiliconFlowFakeState>; port?: number } = {}): Promise<SiliconFlowFake> {
  const state: SiliconFlowFakeState = { keys: { [DEMO_SILICONFLOW_KEY]: { granted: 14, paid: 120.5 } }, retired: false, ...structuredClone(opts.state ?? {}) };
  const server = await startFakeServer((req): FakeResponse => {
    if (req.path !== '/v1/user/info' || state.retired === 'gone') return { status: 404, body: '404 page not found' };
    if (state.retired === 'code') return { body: { code: 30001, message: 'This API is no longer available', status: false, data: null } };
    const key = bearerToken(req);
    const k = key === undefined ? undefined : state.keys[key];
    if (!k) return { status: 401, body: { code: 20001, message: 'Invalid token', status: false, data: null } };
    return {
      body: {
        code: 20000, message: 'OK', status: true,
        data: { id: '', name: 'demo', image: '', email: 'demo@example.com', isAdmin: false, balance: k.granted.toFixed(2), status: 'normal', introduction: '', role: '', chargeBalance: k.paid.toFixed(2), totalBalance: (k.granted + k.paid).toFixed(2) },
      },
    };
  }, { port: opts.port });
  // Granted credit goes first.
  const spend = (key: string, amount: number) => {
    const k = state.keys[key];
    if (!k) throw new Error('spend(): no such key');
    const fromGranted = Math.min(k.granted, amount);
    k.granted = Math.round((k.granted - fromGranted) * 100) / 100;
    k.paid = Math.round((k.paid - (amount - fromGranted)) * 100) / 100;
  };
  return Object.assign(server, { state, spend });
}
