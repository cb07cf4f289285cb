// The `spendbar serve` access token: handed over once in the URL fragment (never sent to the server in a
// request line), then kept for the tab's lifetime in sessionStorage and removed from the address bar.
const STORAGE_KEY = 'spendbar.token';

export function takeToken(loc: Location = window.location, storage: Storage | null = safeSessionStorage()): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(loc.hash);
  if (m?.[1]) {
    const token = decodeURIComponent(m[1]);
    try {
      storage?.setItem(STORAGE_KEY, token);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    const rest = loc.hash.replace(/(^#|&)token=[^&]+/, '$1').replace(/^#&/, '#');
    try {
      window.history.replaceState(null, '', `${loc.pathname}${loc.search}${rest === '#' ? '' : rest}`);
    } catch {
      // Some embedders forbid history edits; leaving the fragment is harmless.
    }
    return token;
  }
  try {
    return storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
