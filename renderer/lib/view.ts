// Which view the page opens on: `?view=usage` (or requests, accounts, alerts) opens it directly; the tray's "open at"
// links and the dashboard benchmark use it.
export type View = 'overview' | 'usage' | 'requests' | 'accounts' | 'alerts' | 'estimate';

const VIEWS: readonly View[] = ['overview', 'usage', 'requests', 'accounts', 'alerts', 'estimate'];

export function viewFromSearch(search: string): View {
  const requested = new URLSearchParams(search).get('view');
  return VIEWS.find((v) => v === requested) ?? 'overview';
}

/** The account a "#/account/<id>" route points at (set by the app when a notification is clicked), or null. */
export function accountFromHash(hash: string): string | null {
  const m = /^#\/account\/([^/]+)$/.exec(hash);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** The route the Overview's "Add account" button opens: the Accounts view with the add form. */
export const ADD_ACCOUNT_ROUTE = '#/add-account';
