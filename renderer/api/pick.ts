// One of two transports, chosen once at startup; the views only ever see SpendbarApi.
import type { SpendbarApi } from '../../shared/api.ts';
import { createHttpApi } from './http.ts';
import { takeToken } from './token.ts';

export function pickApi(win: Window = window): { api: SpendbarApi; transport: 'ipc' | 'http' } {
  if (win.spendbar) return { api: win.spendbar, transport: 'ipc' };
  return { api: createHttpApi({ token: takeToken(win.location) }), transport: 'http' };
}
