// Binary search over ascending numbers: which bucket, transition or event an instant falls in or after.

/** Index of the last value ≤ t in ascending `sorted`, or -1 when t precedes them all. */
export function lastAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
