import { useEffect, useState } from 'react';
import { usePageVisible } from './visibility.ts';

/**
 * The current time, ticking so "5 min ago" labels stay true without new data. Only while the page can be seen:
 * hidden, nothing ticks; shown again, it reads the clock once and ticks on.
 */
export function useNow(everyMs = 30_000): number {
  const visible = usePageVisible();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!visible) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs, visible]);
  return now;
}
