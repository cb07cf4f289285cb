// Scans of the whole history that run once (the /metrics counters' fill at the first serve, retention catching up
// after months) read each page once: with the store's usual 16 MiB page cache they only fill it with pages nobody
// reads again, and once freed that memory stays with the process (malloc keeps it, fragmented between what is still
// in use). So they run with a small cache. The /metrics fill also sorts the history (GROUP BY) in memory
// (temp_store = MEMORY), which left 0.5–3 MiB of malloc'ed memory behind the same way: it runs on a connection of its
// own, closed when done, which frees everything the scan allocated.
import { DatabaseSync } from 'node:sqlite';

export const SMALL_CACHE_KIB = 1024;

export function withSmallCache<T>(db: DatabaseSync, run: () => T): T {
  const before = (db.prepare('PRAGMA cache_size').get() as { cache_size: number }).cache_size;
  db.exec(`PRAGMA cache_size = -${SMALL_CACHE_KIB}`);
  try {
    return run();
  } finally {
    db.exec(`PRAGMA cache_size = ${Math.trunc(before)}`);
  }
}

/**
 * Runs `work` on a connection of its own to the same database file, closed afterwards. An in-memory database, or one
 * in a transaction (a second connection would wait for it on this same thread), runs it on `db` itself.
 */
export function onOwnConnection<T>(db: DatabaseSync, work: (db: DatabaseSync) => T): T {
  const file = db.location();
  if (file === null || file === '' || db.isTransaction) return work(db);
  const own = new DatabaseSync(file);
  try {
    own.exec('PRAGMA busy_timeout = 5000');
    return work(own);
  } finally {
    own.close();
  }
}
