// Image generations per bucket, for providers that count them (SurferCloud): a small table of its own in spendbar.db,
// set up with its own version (the store's migrations stay untouched), upserted like usage buckets so re-reading a
// revised day never counts twice.
import type { DatabaseSync } from 'node:sqlite';
import type { UsageBucket } from '../../../shared/domain.ts';

const VERSION = 1;

export class ImageCounts {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS images_schema (version INTEGER NOT NULL)`);
    const row = db.prepare('SELECT MAX(version) AS v FROM images_schema').get() as { v: number | null } | undefined;
    if ((row?.v ?? 0) < VERSION) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS usage_images (
          start INTEGER NOT NULL, account_id TEXT NOT NULL, width TEXT NOT NULL, model TEXT NOT NULL, key TEXT NOT NULL,
          images INTEGER NOT NULL, PRIMARY KEY (start, account_id, width, model, key)) WITHOUT ROWID;
        INSERT INTO images_schema (version) VALUES (${VERSION});`);
    }
  }

  /** Stores the image counts a poll's buckets carry (the latest figure for a bucket replaces the earlier one). */
  save(accountId: string, buckets: readonly UsageBucket[]): void {
    const counted = buckets.filter((b) => b.images !== undefined);
    if (counted.length === 0) return;
    const put = this.db.prepare(
      `INSERT INTO usage_images (start, account_id, width, model, key, images) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (start, account_id, width, model, key) DO UPDATE SET images = excluded.images`,
    );
    for (const b of counted) put.run(b.start, accountId, b.width, b.model, b.key, Math.max(0, Math.round(b.images ?? 0)));
  }

  /** Images per account whose bucket starts in [from, to). */
  totals(from: number, to: number): Map<string, number> {
    const rows = this.db.prepare('SELECT account_id AS a, SUM(images) AS n FROM usage_images WHERE start >= ? AND start < ? GROUP BY account_id').all(from, to) as { a: string; n: number }[];
    return new Map(rows.map((r) => [r.a, r.n]));
  }

  deleteAccount(accountId: string): void {
    this.db.prepare('DELETE FROM usage_images WHERE account_id = ?').run(accountId);
  }
}
