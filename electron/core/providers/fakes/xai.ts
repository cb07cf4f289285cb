// A loopback xAI Management API: key validation (team id), the prepaid ledger in sign-inverted USD cents, the
// postpaid invoice preview (404 when postpaid is not set up) and POST usage analytics in float USD per day.
import { bearerToken, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './server.ts';

export const DEMO_XAI_MANAGEMENT_KEY = 'xai-mgmt-demo-000000000000000000';
export const DEMO_XAI_INFERENCE_KEY = 'xai-demo-inference-00000000000000';

export interface XaiFakeTeam {
  /** Sum of the sign-inverted ledger, in cents: "-2500" = $25.00 of credit. */
  ledgerCents: number;
  /** null = postpaid not set up (404). */
  postpaid: { limitCents: number; invoiceCents: number; prepaidUsedCents: number } | null;
  /** USD per UTC day ("YYYY-MM-DD"), split over two series to test summing. */
  daily: Record<string, number>;
}

export interface XaiFakeState {
  /** Management key → team id. */
  keys: Record<string, string>;
  inferenceKeys: string[];
  teams: Record<string, XaiFakeTeam>;
  /** Answer the validation endpoint (false = 404, so the team id must be configured). */
  validation: boolean;
  usageForbidden: boolean;
  limitReached: boolean;
}

export type XaiFake = FakeServer & { state: XaiFakeState; spend(team: string, usd: number): void };

const err = (status: number, message: string): FakeResponse => ({ status, body: { code: status, error: message } });

export async function startXaiFake(opts: { state?: Partial<XaiFakeState>; port?: number; now?: () => number } = {}): Promise<XaiFake> {
  const now = opts.now ?? Date.now;
  const state: XaiFakeState = { ...defaultXaiState(now()), ...structuredClone(opts.state ?? {}) };
  const handle = (req: FakeRequest): FakeResponse => {
    const token = bearerToken(req);
    if (token && state.inferenceKeys.includes(token)) return err(403, 'This API key is not a management key');
    const team = token ? state.keys[token] : undefined;
    if (!team) return err(401, 'Invalid management key');
    if (req.path === '/auth/management-keys/validation') {
      return state.validation ? { body: { apiKeyId: 'k-demo', teamId: team, scope: 'SCOPE_TEAM', scopeId: team } } : err(404, 'Not found');
    }
    const m = /^\/v1\/billing\/teams\/([^/]+)\/(prepaid\/balance|postpaid\/invoice\/preview|usage)$/.exec(req.path);
    if (!m) return err(404, 'Not found');
    const t = state.teams[decodeURIComponent(m[1]!)];
    if (!t || decodeURIComponent(m[1]!) !== team) return err(404, 'Team not found');
    if (m[2] === 'prepaid/balance') {
      return { body: { changes: [{ topupStatus: 'SUCCEEDED', amount: { val: String(t.ledgerCents) } }], total: { val: String(t.ledgerCents) } } };
    }
    if (m[2] === 'postpaid/invoice/preview') {
      if (!t.postpaid) return err(404, 'No postpaid billing for this team');
      const d = new Date(now());
      return {
        body: {
          coreInvoice: { amountAfterVat: String(t.postpaid.invoiceCents), prepaidCredits: { val: String(-t.ledgerCents) }, prepaidCreditsUsed: { val: String(t.postpaid.prepaidUsedCents) }, lines: [], totalWithCorr: { val: String(t.postpaid.invoiceCents) } },
          effectiveSpendingLimit: String(t.postpaid.limitCents),
          defaultCredits: '0',
          billingCycle: { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 },
        },
      };
    }
    if (req.method !== 'POST') return err(405, 'Use POST');
    if (state.usageForbidden) return err(403, 'Missing ACL: usage read');
    let range: { startTime?: string; endTime?: string } | undefined;
    try {
      range = (JSON.parse(req.body) as { analyticsRequest?: { timeRange?: { startTime?: string; endTime?: string } } }).analyticsRequest?.timeRange;
    } catch {
      return err(400, 'Invalid JSON');
    }
    const from = range?.startTime?.slice(0, 10) ?? '0000-00-00';
    const to = range?.endTime?.slice(0, 10) ?? '9999-99-99';
    const days = Object.entries(t.daily).filter(([d]) => d >= from && d <= to).sort();
    const series = [0.6, 0.4].map((share) => ({ dataPoints: days.map(([d, usd]) => ({ timestamp: `${d}T00:00:00Z`, values: [Math.round(usd * share * 1e8) / 1e8] })) }));
    return { body: { timeSeries: series, limitReached: state.limitReached } };
  };
  const server = await startFakeServer(handle, { port: opts.port });
  const spend = (team: string, usd: number) => {
    const t = state.teams[team];
    if (!t) throw new Error('spend(): no such team');
    const day = new Date(now()).toISOString().slice(0, 10);
    t.daily[day] = Math.round(((t.daily[day] ?? 0) + usd) * 1e8) / 1e8;
    if (t.postpaid) t.postpaid.prepaidUsedCents = Math.round(t.postpaid.prepaidUsedCents + usd * 100);
  };
  return Object.assign(server, { state, spend });
}

export function defaultXaiState(now: number): XaiFakeState {
  const daily: Record<string, number> = {};
  for (let d = 1; d <= 30; d++) {
    const date = new Date(now - d * 86_400_000);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    daily[date.toISOString().slice(0, 10)] = Math.round((weekend ? 0.4 : 1.6) * (0.8 + ((d * 37) % 10) / 25) * 100) / 100;
  }
  daily[new Date(now).toISOString().slice(0, 10)] = 0.35;
  return {
    keys: { [DEMO_XAI_MANAGEMENT_KEY]: 'team-demo' },
    inferenceKeys: [DEMO_XAI_INFERENCE_KEY],
    teams: { 'team-demo': { ledgerCents: -6000, postpaid: null, daily } },
    validation: true,
    usageForbidden: false,
    limitReached: false,
  };
}
