// The demo's history, made the honest way: the world's clock is set to the end of each past hour, every fake is synced
// to it, and each demo account is polled through its real adapter. The core then stores these snapshots as if it had
// polled them (derived spend included), so the history and the live figures come from one ledger and one code path.
import { BUCKET_MS, type Snapshot } from '../../shared/domain.ts';
import type { Demo } from './demo.ts';
import { defaultHttpClient, type HttpClient } from './http.ts';
import { pollAccount } from './poll-account.ts';
import { getAdapter } from './providers/registry.ts';

const HOUR = BUCKET_MS.hour;
const DAY = BUCKET_MS.day;

/**
 * Polls every demo account at the end of the hours of the last `days` days (not the current hour: the first live
 * poll brings that). An account's first poll reads all the usage its provider serves; later ones only their own and
 * the previous day, as the core's own polls do (the store upserts, so nothing is counted twice). Restores the clock.
 * The snapshots go to `save` a day at a time, oldest first: a month of them with their usage buckets held at once
 * was a quarter of a gigabyte of heap that the process then kept. Returns how many were saved.
 */
export async function pollDemoHistory(demo: Demo, opts: { days: number; save: (snapshots: Snapshot[]) => void; http?: HttpClient }): Promise<number> {
  const { world } = demo;
  const now = world.now();
  const first = Math.floor((now - opts.days * DAY) / HOUR) * HOUR;
  const last = Math.floor(now / HOUR) * HOUR;
  const accounts = demo.demoAccounts.filter((d) => d.historyDays !== 0);
  let out: Snapshot[] = [];
  let saved = 0;
  const flush = () => {
    if (out.length) opts.save(out);
    saved += out.length;
    out = [];
  };
  const seen = new Set<object>();
  try {
    for (let hour = first; hour < last; hour += HOUR) {
      // Hourly for the last week (the runway's window); before it every other hour, always including the day's last
      // hour, so each day's spend stays whole.
      if (hour < last - 7 * DAY && new Date(hour).getUTCHours() % 2 === 0) continue;
      const t = hour + HOUR - 1000;
      world.setTime(t);
      const due = accounts.filter((d) => hour >= last - (d.historyDays ?? opts.days) * DAY);
      for (const d of due) d.sync(t);
      const polled = await Promise.all(
        due.map((d) => {
          // An account's first history poll reads all the usage its provider serves, as a first real poll would.
          const first = !seen.has(d);
          seen.add(d);
          return pollAccount(d.account.account, {
            adapters: getAdapter,
            credentials: d.account.credentials,
            http: opts.http ?? defaultHttpClient,
            now: () => t,
            ...(first ? {} : { usageSince: t - 2 * DAY }),
          });
        }),
      );
      for (const s of polled) if (s.ok) out.push({ ...s, notes: [...s.notes, 'Demo history (polled from the demo world).'] });
      if ((hour + HOUR) % DAY === 0) flush();
    }
    flush();
  } finally {
    world.setTime(null);
    demo.sync();
  }
  return saved;
}
