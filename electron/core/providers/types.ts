// What every provider adapter is: a descriptor the UI builds its form from, and a fetch function with an
// injectable HTTP client. Adapters know the provider's wire format and nothing about storage.
import type { Account, BucketWidth, KeySpend, Quota, SpendWindows, UsageBucket } from '../../../shared/domain.ts';
import type { Money } from '../../../shared/money.ts';
import type { HttpClient } from '../http.ts';
import type { RequestBudget } from '../request-budget.ts';
import type { FieldDescriptor, ProviderDescriptor } from '../../../shared/api.ts';

export type { FieldDescriptor, ProviderDescriptor };

export interface FetchContext {
  account: Account;
  baseUrl: string;
  /** Resolved secrets by field name. */
  credentials: Record<string, string>;
  http: HttpClient;
  timeoutMs: number;
  now: () => number;
  /** Start of the usage history to read (epoch ms): the last complete fetch, or the provider's maximum look-back. */
  usageSince?: number;
  /** Rate limits and public answers shared by every account on a host; absent in one-off calls (then nothing is shared). */
  budget?: RequestBudget;
}

/** A snapshot's figures, before the poller stamps account, time and status on it. */
export interface ProviderReading {
  balance: Money | null;
  balances: Money[];
  spent: SpendWindows;
  quota: Quota | null;
  usage: UsageBucket[];
  estimated: boolean;
  notes: string[];
  available?: boolean;
  keys?: KeySpend[];
}

export interface ProviderAdapter {
  descriptor: ProviderDescriptor;
  /** Reads the account's figures. Throws ProviderError with an actionable message on failure. */
  fetch(ctx: FetchContext): Promise<ProviderReading>;
}

export function emptyReading(): ProviderReading {
  return { balance: null, balances: [], spent: {}, quota: null, usage: [], estimated: false, notes: [] };
}

export type { BucketWidth };
