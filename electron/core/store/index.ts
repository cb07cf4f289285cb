export { SnapshotStore, type StoreOptions } from './store.ts';
export { MIGRATIONS, registerMigration, SchemaTooNewError, schemaVersion, type Migration } from './migrations.ts';
export { DEFAULT_MAX_POINTS, chooseBucket } from './series.ts';
export { bucketStart, bucketStarts, nextBucketStart } from './tz.ts';
export type { UsageTables } from './plan.ts';
