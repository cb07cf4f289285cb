// Scans of the whole history that run once (the /metrics counters' fill at the first serve, retention catching up
// after months) read each page once: with the store's usual 16 MiB page cache they only fill it with pages nobody
// reads again, and once freed that memory stays with the process (malloc keeps it, fragmented between what is still
// in use). So they run with a small cache.
import type { DatabaseSync } from 'node:sqlite';

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
