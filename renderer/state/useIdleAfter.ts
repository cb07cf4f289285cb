// Work that is not on screen at first (panels below the fold, their queries) waits until what is on screen has been
// painted: it starts once `ready` has held for one frame and the browser is idle, so it never delays that frame.
import { useEffect, useState } from 'react';

/** False until `ready` has been true for a painted frame and the main thread then went idle (or `timeoutMs` passed). */
export function useIdleAfter(ready: boolean, timeoutMs = 500): boolean {
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!ready || done) return;
    let cancelled = false;
    let idle: number | undefined;
    const finish = () => {
      if (!cancelled) setDone(true);
    };
    const whenIdle = () => {
      if (cancelled) return;
      if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(finish, { timeout: timeoutMs });
      else idle = window.setTimeout(finish, 0);
    };
    // A hidden page gets no animation frames: then there is no frame to wait for.
    const frame = typeof requestAnimationFrame === 'function' && document.visibilityState !== 'hidden' ? requestAnimationFrame(() => setTimeout(whenIdle, 0)) : undefined;
    if (frame === undefined) whenIdle();
    return () => {
      cancelled = true;
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (idle !== undefined) {
        if (typeof cancelIdleCallback === 'function') cancelIdleCallback(idle);
        else clearTimeout(idle);
      }
    };
  }, [ready, done, timeoutMs]);
  return done;
}
