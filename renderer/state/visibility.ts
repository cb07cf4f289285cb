// Whether anyone can see the page. A window in the tray (hidden), minimized or behind a browser tab has
// document.visibilityState 'hidden': then the dashboard does no work of its own — no clocks ticking, no re-renders for
// pushes, no re-queries — and catches up once, in one render, when it is shown again.
import { useSyncExternalStore } from 'react';

export function pageHidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

/** Calls `listener` each time the page is shown again; returns the unsubscribe. */
export function onPageShown(listener: () => void): () => void {
  if (typeof document === 'undefined') return () => undefined;
  const handler = () => {
    if (!pageHidden()) listener();
  };
  document.addEventListener('visibilitychange', handler);
  return () => document.removeEventListener('visibilitychange', handler);
}

function subscribe(onChange: () => void): () => void {
  if (typeof document === 'undefined') return () => undefined;
  document.addEventListener('visibilitychange', onChange);
  return () => document.removeEventListener('visibilitychange', onChange);
}

/** True while the page can be seen; re-renders the caller when that changes. */
export function usePageVisible(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => !pageHidden(),
    () => true,
  );
}

/**
 * Wraps `fn` so that a call while the page is hidden waits for it to be shown, and any number of such calls run it
 * once then. Visible calls run at once. `cancel` drops a waiting call and stops listening.
 */
export function whenVisible(fn: () => void): { call: () => void; cancel: () => void } {
  let waiting = false;
  const off = onPageShown(() => {
    if (!waiting) return;
    waiting = false;
    fn();
  });
  return {
    call() {
      if (pageHidden()) waiting = true;
      else fn();
    },
    cancel() {
      waiting = false;
      off();
    },
  };
}
