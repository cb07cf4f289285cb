// Small pure helpers over snapshots, shared by the engine, the CLI and the server.
import type { Account, ProviderId, Snapshot } from '../../shared/domain.ts';
import { fromMicros, type Money } from '../../shared/money.ts';

/** A successful snapshot with no figures yet; `over` fills in what a poll (or a test) knows. */
export function blankSnapshot(accountId: string, provider: ProviderId, time: number, over: Partial<Snapshot> = {}): Snapshot {
  return {
    accountId,
    provider,
    time,
    ok: true,
    error: null,
    balance: null,
    balances: [],
    spent: {},
    quota: null,
    usage: [],
    estimated: false,
    notes: [],
    ...over,
  };
}

export interface MajorAmount {
  amount: number;
  currency: string;
}

function major(m: Money | null | undefined): MajorAmount | null {
  return m ? { amount: fromMicros(m.micros), currency: m.currency } : null;
}

/** The `spendbar poll --json` shape: figures in major units, one object per account. */
function windows(w: Snapshot['spent']): Record<string, MajorAmount> {
  const out: Record<string, MajorAmount> = {};
  for (const k of ['today', 'week', 'month', 'total'] as const) {
    const m = major(w[k]);
    if (m) out[k] = m;
  }
  return out;
}

export function snapshotToJson(s: Snapshot, account?: Account): Record<string, unknown> {
  const spent = windows(s.spent);
  return {
    accountId: s.accountId,
    provider: s.provider,
    label: account?.label ?? s.accountId,
    time: new Date(s.time).toISOString(),
    ok: s.ok,
    error: s.error ? s.error.message : null,
    errorKind: s.error?.kind ?? null,
    balance: major(s.balance),
    balances: s.balances.map((b) => major(b)),
    spent,
    quota: s.quota
      ? {
          limit: s.quota.limit ? fromMicros(s.quota.limit.micros) : null,
          used: fromMicros(s.quota.used.micros),
          remaining: s.quota.remaining ? fromMicros(s.quota.remaining.micros) : null,
          unit: s.quota.used.currency,
          resets: s.quota.resets,
          expiresAt: s.quota.expiresAt ? new Date(s.quota.expiresAt).toISOString() : null,
        }
      : null,
    usage: s.usage.map((u) => ({
      model: u.model,
      key: u.key,
      start: new Date(u.start).toISOString(),
      end: new Date(u.start + (u.width === 'hour' ? 3_600_000 : 86_400_000)).toISOString(),
      requests: u.requests,
      inputTokens: u.inputTokens,
      outputTokens: u.outputTokens,
      cachedTokens: u.cachedTokens,
      reasoningTokens: u.reasoningTokens,
      cost: major(u.cost),
    })),
    ...(s.keys
      ? {
          keys: s.keys.map((k) => ({
            name: k.name,
            ...(k.workspace ? { workspace: k.workspace } : {}),
            ...(k.disabled ? { disabled: true } : {}),
            spent: windows(k.spent),
            limit: major(k.limit),
            remaining: major(k.remaining),
            resets: k.resets,
            expiresAt: k.expiresAt ? new Date(k.expiresAt).toISOString() : null,
          })),
        }
      : {}),
    estimated: s.estimated,
    notes: s.notes,
    ...(s.available === undefined ? {} : { available: s.available }),
    ...(s.demo ? { demo: true } : {}),
  };
}
