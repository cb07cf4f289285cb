// The order the core sorts names in (models, currencies, account ids, app names): letters ignoring case, then by
// code unit, so "app" < "Bench" < "bench" and the order is the same on every machine. Not String#localeCompare: its
// first call makes an ICU collator, whose data stays resident (~3 MB) in a process that otherwise never needs ICU
// (a `spendbar serve` in UTC). The dashboard sorts what it shows with the browser's own collation.
export function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
