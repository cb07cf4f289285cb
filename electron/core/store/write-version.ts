// A token that moves whenever the database may have been written, for answers kept until it does (the /metrics
// counters' text, the Usage view's filter values). total_changes() counts every row this connection wrote (triggers'
// rows included) and data_version moves when another connection commits. Neither reads a table.
import type { StatementSync } from 'node:sqlite';

const VERSION = 'SELECT total_changes(), data_version FROM pragma_data_version';

export function writeVersion(stmt: (sql: string) => StatementSync): string {
  const read = stmt(VERSION);
  read.setReturnArrays(true);
  const [changes, data] = read.get() as unknown as [number, number];
  return `${changes}.${data}`;
}
