// The first load of every page: what the live state starts from (renderer/state/live.tsx). `spendbar serve` may put
// it in the dashboard page itself (electron/core/server/page.ts), as a JSON data block with this id, so the page does
// not wait on four requests before it can render; anywhere else the page asks for it over the API.
import type { AppInfo, ProviderDescriptor } from './api.ts';
import type { Account, AccountStatus } from './domain.ts';

export interface FirstLoad {
  info: AppInfo;
  providers: ProviderDescriptor[];
  accounts: Account[];
  statuses: AccountStatus[];
}

export const FIRST_LOAD_ELEMENT_ID = 'spendbar-first-load';
