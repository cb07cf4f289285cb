// The first load `spendbar serve` put in the page (shared/first-load.ts), read once: the element is removed so the
// figures are not left in the document as it changes.
import { FIRST_LOAD_ELEMENT_ID, type FirstLoad } from '../../shared/first-load.ts';

export function takeServedFirstLoad(doc: Document = document): FirstLoad | null {
  const el = doc.getElementById(FIRST_LOAD_ELEMENT_ID);
  if (!el) return null;
  el.remove();
  try {
    const load = JSON.parse(el.textContent ?? '') as Partial<FirstLoad> | null;
    // Anything else (a page saved from another version): ask the API as if there were none.
    return load?.info && Array.isArray(load.providers) && Array.isArray(load.accounts) && Array.isArray(load.statuses) ? (load as FirstLoad) : null;
  } catch {
    return null;
  }
}
