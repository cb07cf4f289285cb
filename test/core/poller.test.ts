import { blankSnapshot } from '../../electron/core/snapshots.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Account, PollError, Snapshot } from '../../shared/domain.ts';
import { Poller, type PollerOptions } from '../../electron/core/poller.ts';
import { START_STAGGER_MS } from '../../electron/core/refresh-policy.ts';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

function acct(id: string, pollIntervalSec = 300): Account {
  return { id, provider: 'newapi', label: `Account ${id}`, pollIntervalSec };
}

function snapshotFor(account: Account, time: number, error: PollError | null): Snapshot {
  return blankSnapshot(account.id, account.provider, time, { ok: error === null, error });
}

interface Outcome {
  delayMs?: number;
  error?: PollError;
  reject?: unknown;
}

/** A stand-in provider: records every poll, how many run at once, and answers as `outcome` says. */
function fakePolls(outcome: (account: Account, nth: number) => Outcome = () => ({})) {
  const calls: { id: string; at: number }[] = [];
  const perAccount = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  let maxPerAccount = 0;
  const pollOne = async (account: Account): Promise<Snapshot> => {
    const nth = calls.filter((c) => c.id === account.id).length;
    calls.push({ id: account.id, at: Date.now() });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    perAccount.set(account.id, (perAccount.get(account.id) ?? 0) + 1);
    maxPerAccount = Math.max(maxPerAccount, perAccount.get(account.id) ?? 0);
    try {
      const o = outcome(account, nth);
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      if (o.reject !== undefined) throw o.reject;
      return snapshotFor(account, Date.now(), o.error ?? null);
    } finally {
      inFlight--;
      perAccount.set(account.id, (perAccount.get(account.id) ?? 1) - 1);
    }
  };
  return {
    pollOne,
    calls,
    times: (id: string) => calls.filter((c) => c.id === id).map((c) => c.at - T0),
    stats: () => ({ inFlight, maxInFlight, maxPerAccount }),
  };
}

/** Hands out the given values in turn, then repeats the last. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? 0));
const serverError: PollError = { kind: 'server', message: 'upstream down', status: 503 };
const authError: PollError = { kind: 'auth', message: 'key revoked', status: 401 };
const pollers: Poller[] = [];

function makePoller(opts: PollerOptions): Poller {
  const p = new Poller(opts);
  pollers.push(p);
  return p;
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

afterEach(async () => {
  const stopping = pollers.splice(0).map((p) => p.stop());
  await vi.runOnlyPendingTimersAsync();
  await Promise.all(stopping);
  vi.useRealTimers();
});

describe('Poller scheduling', () => {
  it('polls nothing before start, then every account soon, staggered', async () => {
    const f = fakePolls();
    const poller = makePoller({ pollOne: f.pollOne, random: sequence(0.1, 0.5, 0.9, 0.5) });
    poller.setAccounts([acct('a'), acct('b'), acct('c')]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.calls).toHaveLength(0);

    poller.start();
    await vi.advanceTimersByTimeAsync(START_STAGGER_MS);
    expect(f.times('a')).toEqual([60_000 + 500]);
    expect(f.times('b')).toEqual([60_000 + 2_500]);
    expect(f.times('c')).toEqual([60_000 + 4_500]);
  });

  it('polls each account on its own interval', async () => {
    const f = fakePolls();
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0.5 });
    poller.setAccounts([acct('fast', 60), acct('slow', 300)]);
    poller.start();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(f.times('fast')).toHaveLength(10);
    expect(new Set(gaps(f.times('fast')))).toEqual(new Set([60_000]));
    expect(f.times('slow')).toEqual([2_500, 302_500]);
  });

  it('keeps at most `concurrency` polls in flight and works through the queue', async () => {
    const f = fakePolls(() => ({ delayMs: 1_000 }));
    const poller = makePoller({ pollOne: f.pollOne, concurrency: 3, random: () => 0 });
    poller.setAccounts(Array.from({ length: 10 }, (_, i) => acct(`acct${i}`)));
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(f.calls).toHaveLength(6);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(f.calls).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(f.stats().inFlight).toBe(0);
    expect(f.stats().maxInFlight).toBe(3);
    // A refresh of everything goes through the same pool.
    const all = poller.refresh();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.stats().inFlight).toBe(3);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await all).toHaveLength(10);
    expect(f.stats().maxInFlight).toBe(3);
  });

  it('never polls one account twice at once: refresh joins the poll in flight', async () => {
    const f = fakePolls(() => ({ delayMs: 5_000 }));
    const onSnapshot = vi.fn();
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0, onSnapshot });
    poller.setAccounts([acct('a', 60)]);
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(f.calls).toHaveLength(1);
    const first = poller.refresh('a');
    const second = poller.refresh();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(f.calls).toHaveLength(1);
    expect(poller.states()[0]?.polling).toBe(true);
    await vi.advanceTimersByTimeAsync(3_000);
    const [r1, r2] = await Promise.all([first, second]);
    expect(r1).toHaveLength(1);
    expect(r1[0]).toBe(r2[0]);
    expect(onSnapshot).toHaveBeenCalledTimes(1);
    // Refresh spam across later scheduled polls still never overlaps.
    for (let i = 0; i < 20; i++) {
      void poller.refresh('a');
      await vi.advanceTimersByTimeAsync(3_700);
    }
    expect(f.stats().maxPerAccount).toBe(1);
    expect(f.calls.length).toBeGreaterThan(10);
  });

  it('backs off after transient failures and returns to the interval on recovery', async () => {
    const f = fakePolls((_, nth) => (nth < 3 ? { error: serverError } : {}));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0 });
    poller.setAccounts([acct('a', 300)]);
    poller.start();
    await vi.advanceTimersByTimeAsync(179_999);
    expect(poller.states()[0]).toMatchObject({ consecutiveFailures: 2, lastError: serverError });
    await vi.advanceTimersByTimeAsync(780_001);
    // 60 s, 120 s, 240 s after failures; the interval less 10% jitter (random 0) after successes.
    expect(gaps(f.times('a'))).toEqual([60_000, 120_000, 240_000, 270_000, 270_000]);
    expect(poller.states()[0]).toMatchObject({ consecutiveFailures: 0, lastError: null, lastSuccessAt: T0 + 960_000 });
  });

  it('does not retry auth failures fast, and honours Retry-After', async () => {
    const rateLimited: PollError = { kind: 'rate-limited', message: 'slow down', status: 429, retryAfterMs: 900_000 };
    const f = fakePolls((a) => ({ error: a.id === 'auth' ? authError : rateLimited }));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0 });
    poller.setAccounts([acct('auth', 120), acct('limited', 120)]);
    poller.start();
    await vi.advanceTimersByTimeAsync(4_000_000);
    // Interval × 2^(n−1) up to the hour cap (plus 10% upward jitter at most; random 0 gives none).
    expect(gaps(f.times('auth'))).toEqual([120_000, 240_000, 480_000, 960_000, 1_920_000]);
    // The backoff (60 s … 480 s) is shorter than Retry-After, so Retry-After decides.
    expect(gaps(f.times('limited'))).toEqual([900_000, 900_000, 900_000, 900_000]);
  });

  it('records a rejected poll as a failure and keeps polling', async () => {
    const f = fakePolls((_, nth) => (nth === 0 ? { reject: new Error('socket hang up') } : {}));
    const seen: Snapshot[] = [];
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0, onSnapshot: (s) => seen.push(s) });
    poller.setAccounts([acct('a')]);
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen[0]).toMatchObject({ accountId: 'a', ok: false, error: { kind: 'bad-response' } });
    expect(seen[0]?.error?.message).toContain('socket hang up');
    expect(poller.states()[0]?.consecutiveFailures).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen.map((s) => s.ok)).toEqual([false, true]);
  });

  it('survives a listener that throws', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const f = fakePolls();
    const poller = makePoller({
      pollOne: f.pollOne,
      random: () => 0.5,
      onSnapshot: () => {
        throw new Error('store is full');
      },
    });
    poller.setAccounts([acct('a', 60)]);
    poller.start();
    await vi.advanceTimersByTimeAsync(200_000);
    expect(f.calls).toHaveLength(4);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });
});

describe('Poller pause, accounts, stop', () => {
  it('pause stops scheduled polls but not refresh; resume polls what fell due', async () => {
    const f = fakePolls();
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0.5 });
    poller.setAccounts([acct('a', 60)]);
    poller.start();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(f.calls).toHaveLength(1);
    poller.pause();
    expect(vi.getTimerCount()).toBe(0);
    expect(poller.states()[0]).toMatchObject({ paused: true, nextPollAt: null });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(f.calls).toHaveLength(1);
    expect(await poller.refresh('a')).toHaveLength(1);
    expect(f.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(f.calls).toHaveLength(2);
    poller.resume();
    expect(poller.states()[0]?.paused).toBe(false);
    await vi.advanceTimersByTimeAsync(START_STAGGER_MS);
    expect(f.calls).toHaveLength(3);
  });

  it('polls added accounts soon and drops a removed account’s result', async () => {
    const f = fakePolls((a) => ({ delayMs: a.id === 'slow' ? 10_000 : 0 }));
    const seen: string[] = [];
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0.2, onSnapshot: (s) => seen.push(s.accountId) });
    poller.setAccounts([acct('a')]);
    poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    poller.setAccounts([acct('a'), acct('slow')]);
    await vi.advanceTimersByTimeAsync(START_STAGGER_MS);
    expect(f.times('slow')).toEqual([61_000]);
    const joined = poller.refresh('slow');
    poller.setAccounts([acct('a')]);
    expect(poller.states().map((s) => s.accountId)).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await joined).toEqual([]);
    expect(seen).toEqual(['a']);
    expect(await poller.refresh('slow')).toEqual([]);
  });

  it('waits for a removed account’s poll before polling it again under the same id', async () => {
    const f = fakePolls(() => ({ delayMs: 10_000 }));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0 });
    poller.setAccounts([acct('a')]);
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    poller.setAccounts([]);
    poller.setAccounts([acct('a')]);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(f.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(f.calls).toHaveLength(2);
    expect(f.stats().maxPerAccount).toBe(1);
  });

  it('polls a failing account soon after its settings change', async () => {
    const f = fakePolls((a) => (a.baseUrl ? {} : { error: authError }));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0 });
    poller.setAccounts([acct('a', 300)]);
    poller.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(poller.states()[0]?.nextPollAt).toBe(T0 + 300_000);
    poller.setAccounts([{ ...acct('a', 300), baseUrl: 'https://fixed.example' }]);
    await vi.advanceTimersByTimeAsync(START_STAGGER_MS);
    expect(f.calls).toHaveLength(2);
    expect(poller.states()[0]?.consecutiveFailures).toBe(0);
  });

  it('stop cancels the schedule and waits for polls in flight', async () => {
    const f = fakePolls(() => ({ delayMs: 10_000 }));
    const seen: Snapshot[] = [];
    const poller = makePoller({ pollOne: f.pollOne, concurrency: 1, random: () => 0, onSnapshot: (s) => seen.push(s) });
    poller.setAccounts([acct('a'), acct('b')]);
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000);
    let stopped = false;
    void poller.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(true);
    expect(seen.map((s) => s.accountId)).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(f.calls).toHaveLength(1);
    expect(await poller.refresh()).toEqual([]);
  });
});

describe('Poller status', () => {
  it('marks an account stale after three intervals without a success', async () => {
    const f = fakePolls(() => ({ error: authError }));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0 });
    poller.setAccounts([acct('never', 60)]);
    poller.start();
    await vi.advanceTimersByTimeAsync(180_000);
    expect(poller.states()[0]?.stale).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(poller.states()[0]?.stale).toBe(true);
  });

  it('counts staleness from the stored last success, and clears it on success', async () => {
    let fail = true;
    const f = fakePolls(() => (fail ? { error: serverError } : {}));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0, lastSuccessAt: (id) => (id === 'a' ? T0 - 150_000 : null) });
    poller.setAccounts([acct('a', 60)]);
    expect(poller.states()[0]).toMatchObject({ lastSuccessAt: T0 - 150_000, stale: false });
    poller.start();
    await vi.advanceTimersByTimeAsync(30_001);
    expect(poller.states()[0]?.stale).toBe(true);
    fail = false;
    await poller.refresh('a');
    expect(poller.states()[0]).toMatchObject({ stale: false, lastSuccessAt: T0 + 30_001 });
  });

  it('reports polling and schedule through onStatus', async () => {
    const reports: boolean[] = [];
    const f = fakePolls(() => ({ delayMs: 1_000 }));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0, onStatus: (s) => reports.push(s[0]?.polling ?? false) });
    poller.setAccounts([acct('a')]);
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reports.slice(-2)).toEqual([true, false]);
    expect(poller.states()[0]?.nextPollAt).toBe(T0 + 1_000 + 270_000);
  });

  it('keeps exactly one timer armed while idle', async () => {
    const f = fakePolls();
    const poller = makePoller({ pollOne: f.pollOne, random: sequence(0.1, 0.3, 0.6, 0.9, 0.2, 0.7, 0.4) });
    poller.setAccounts([acct('a', 60), acct('b', 90), acct('c', 300), acct('d', 600), acct('e', 61)]);
    expect(vi.getTimerCount()).toBe(0);
    poller.start();
    for (let t = 0; t < 1_200_000; t += 7_000) {
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(7_000);
    }
    expect(f.calls.length).toBeGreaterThan(40);
    poller.setAccounts([acct('a', 60), acct('f', 120)]);
    expect(vi.getTimerCount()).toBe(1);
    poller.pause();
    expect(vi.getTimerCount()).toBe(0);
    poller.resume();
    expect(vi.getTimerCount()).toBe(1);
    await poller.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unrefs its timer only when asked', () => {
    const handles: { hasRef(): boolean }[] = [];
    const clock = {
      now: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => {
        const h = setTimeout(fn, ms);
        handles.push(h);
        return h;
      },
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    for (const unrefTimers of [false, true]) {
      const poller = makePoller({ pollOne: fakePolls().pollOne, clock, unrefTimers });
      poller.setAccounts([acct('a')]);
      poller.start();
      expect(handles.at(-1)?.hasRef()).toBe(!unrefTimers);
    }
  });
});

describe('Poller under load', () => {
  it('keeps hung accounts from holding every slot: healthy ones are polled meanwhile', async () => {
    const f = fakePolls((a) => ({ delayMs: a.id.startsWith('hung') ? 60_000 : 100 }));
    const poller = makePoller({ pollOne: f.pollOne, concurrency: 2, random: () => 0, slowAfterMs: 2_000, maxSlow: 8 });
    const hung = Array.from({ length: 5 }, (_, i) => acct(`hung${i}`));
    const healthy = Array.from({ length: 3 }, (_, i) => acct(`ok${i}`));
    const done: string[] = [];
    poller.setAccounts([...hung, ...healthy]);
    const all = poller.refresh().then((list) => done.push(...list.map((s) => s.accountId)));
    await vi.advanceTimersByTimeAsync(10_000);
    // Every healthy account has its figures while the hung ones still hang.
    for (const a of healthy) expect(f.calls.some((c) => c.id === a.id), a.id).toBe(true);
    expect(f.stats().inFlight).toBe(5);
    expect(poller.states().filter((s) => s.polling).map((s) => s.accountId)).toEqual(hung.map((a) => a.id));
    expect(f.stats().maxInFlight).toBeLessThanOrEqual(2 + 8);
    await vi.advanceTimersByTimeAsync(60_000);
    await all;
    expect(done).toHaveLength(8);
  });

  it('never lets more than maxSlow slow polls run beyond the pool', async () => {
    const f = fakePolls(() => ({ delayMs: 60_000 }));
    const poller = makePoller({ pollOne: f.pollOne, concurrency: 2, random: () => 0, slowAfterMs: 1_000, maxSlow: 3 });
    poller.setAccounts(Array.from({ length: 20 }, (_, i) => acct(`a${i}`)));
    void poller.refresh();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(f.stats().inFlight).toBe(5);
    await vi.advanceTimersByTimeAsync(600_000);
  });

  it('does not let a refresh poll an account before its Retry-After', async () => {
    const limited: PollError = { kind: 'rate-limited', message: 'slow down', status: 429, retryAfterMs: 3_600_000 };
    const f = fakePolls((_, nth) => (nth === 0 ? { error: limited } : {}));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0 });
    poller.setAccounts([acct('a')]);
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(f.calls).toHaveLength(1);
    expect(await poller.refresh('a')).toEqual([]);
    expect(await poller.refresh()).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(f.calls).toHaveLength(2);
    expect(await poller.refresh('a')).toHaveLength(1);
  });

  it('reports only the account that changed when its poll finishes', async () => {
    const reports: { ids: string[]; all: boolean }[] = [];
    const f = fakePolls(() => ({ delayMs: 1_000 }));
    const poller = makePoller({ pollOne: f.pollOne, random: () => 0, onStatus: (s, all) => reports.push({ ids: s.map((x) => x.accountId), all }) });
    poller.setAccounts(Array.from({ length: 50 }, (_, i) => acct(`a${i}`)));
    expect(reports.at(-1)).toEqual({ ids: expect.arrayContaining(['a0', 'a49']), all: true });
    reports.length = 0;
    const refreshed = poller.refresh('a7');
    await vi.advanceTimersByTimeAsync(1_000);
    await refreshed;
    expect(reports.every((r) => !r.all && r.ids.length === 1 && r.ids[0] === 'a7')).toBe(true);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(poller.state('a7')).toMatchObject({ accountId: 'a7', polling: false, consecutiveFailures: 0 });
  });
});
