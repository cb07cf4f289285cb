import type { SpendbarApi } from '../shared/api.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser talking to `spendbar serve`. */
    spendbar?: SpendbarApi;
  }
}
