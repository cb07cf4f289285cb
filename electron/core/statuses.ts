// Each account's status: its latest and last good snapshot with the poller's state. The snapshots are read from the
// store once per account and then kept current by the polls, so a status costs no query and a finished poll never
// rebuilds the other accounts'. Loaded snapshots carry no usage buckets (usage stays in the store).
import type { AccountStatus, Runway, Snapshot } from '../../shared/domain.ts';
import type { PollerAccountState } from './poller.ts';

export interface StatusSources {
  store: { latest(id: string): Snapshot | null; lastSuccess(id: string): Snapshot | null };
  /** The poller's state of one account (null before it knows the account). */
  pollState(id: string): PollerAccountState | null;
  /** Whether the account exists (a removed one has no status). */
  exists(id: string): boolean;
  ids(): string[];
  paused(): boolean;
  /** The runway of the account's last good figures (the figures service caches it per snapshot). */
  runway(id: string, lastSuccess: Snapshot | null): Runway | null;
}

interface Figures {
  latest: Snapshot | null;
  lastSuccess: Snapshot | null;
}

export class AccountStatuses {
  private readonly src: StatusSources;
  private readonly figures = new Map<string, Figures>();

  constructor(src: StatusSources) {
    this.src = src;
  }

  private figuresOf(id: string): Figures {
    let f = this.figures.get(id);
    if (!f) this.figures.set(id, (f = { latest: this.src.store.latest(id), lastSuccess: this.src.store.lastSuccess(id) }));
    return f;
  }

  lastSuccessAt(id: string): number | null {
    return this.figuresOf(id).lastSuccess?.time ?? null;
  }

  /** A new snapshot of the account, stored or not. */
  remember(snapshot: Snapshot): void {
    const f = this.figuresOf(snapshot.accountId);
    const slim = { ...snapshot, usage: [] };
    f.latest = slim;
    if (snapshot.ok) f.lastSuccess = slim;
  }

  /** Forget one account (removed) or all (history imported behind the polls' back): re-read on next use. */
  forget(id?: string): void {
    if (id === undefined) this.figures.clear();
    else this.figures.delete(id);
  }

  /** Drops what is kept for accounts that no longer exist. */
  prune(): void {
    const ids = new Set(this.src.ids());
    for (const id of this.figures.keys()) if (!ids.has(id)) this.figures.delete(id);
  }

  /** The status from a poller state already at hand (a status push for the accounts that changed). */
  from(state: PollerAccountState | null, accountId = state?.accountId): AccountStatus | null {
    if (accountId === undefined || !this.src.exists(accountId)) return null;
    const f = this.figuresOf(accountId);
    return {
      accountId,
      latest: f.latest,
      lastSuccess: f.lastSuccess,
      runway: this.src.runway(accountId, f.lastSuccess),
      stale: state?.stale ?? false,
      polling: state?.polling ?? false,
      paused: this.src.paused(),
      nextPollAt: state?.nextPollAt ?? null,
      consecutiveFailures: state?.consecutiveFailures ?? 0,
    };
  }

  of(accountId: string): AccountStatus | null {
    return this.from(this.src.pollState(accountId), accountId);
  }

  all(): AccountStatus[] {
    return this.src.ids().flatMap((id) => this.of(id) ?? []);
  }
}
