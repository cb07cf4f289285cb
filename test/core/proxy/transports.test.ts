// The Requests part of the API contract through both transports against one real core with real proxied requests:
// HTTP (the renderer's client → spendbar serve) and IPC (the sandboxed preload → main's validated handlers).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SpendbarApi } from '../../../shared/api.ts';
import { createHttpApi } from '../../../renderer/api/http.ts';
import { electronMock, resetElectronMock } from '../../electron/electron-mock.ts';
import { call, startHarness, type Harness } from './harness.ts';

vi.mock('electron', async () => (await import('../../electron/electron-mock.ts')).electronModule());

let h: Harness;
const transports: [string, () => Promise<SpendbarApi>][] = [
  ['HTTP', async () => createHttpApi({ baseUrl: h.server.url })],
  [
    'IPC',
    async () => {
      resetElectronMock();
      vi.resetModules();
      const { ipcMain } = await import('electron');
      const { registerIpc } = await import('../../../electron/shell/ipc.ts');
      await import('../../../electron/preload.ts');
      registerIpc(ipcMain, h.core.api, { log: { warn: () => {}, error: () => {} } });
      return electronMock.exposed.spendbar as SpendbarApi;
    },
  ],
];

beforeAll(async () => {
  h = await startHarness();
  await call(h, '/oa/v1/chat/completions', { model: 'gpt-4o', messages: [] }, { 'x-spendbar-app': 'web' });
  await call(h, '/an/v1/messages', { model: 'claude-sonnet-4-20250514', max_tokens: 5, stream: true, messages: [] }, { 'x-spendbar-app': 'bot; kind=internal' });
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

describe.each(transports)('over %s', (_name, connect) => {
  it('listRequests with filters, meterSummary, metered series, copyProxyToken', async () => {
    const api = await connect();
    const all = await api.listRequests();
    expect(all.rows.map((r) => r.accountId)).toEqual(['an', 'oa']);
    const internal = await api.listRequests({ kind: 'internal', stream: true });
    expect(internal.rows).toHaveLength(1);
    expect(internal.rows[0]).toMatchObject({ app: 'bot', model: 'claude-sonnet-4-20250514', inputTokens: 120, outputTokens: 42 });
    await expect(api.listRequests({ limit: 0 })).rejects.toThrow(/limit must be 1 to 500/);
    const summary = await api.meterSummary({ from: Date.now() - 3_600_000 });
    expect(summary.byApp.map((a) => `${a.app}/${a.kind}`).sort()).toEqual(['bot/internal', 'web/service']);
    expect(summary.proxy.url).toBe(h.server.url);
    const series = await api.querySeries({ metric: 'requests', bucket: 'hour', groupBy: 'account', from: Date.now() - 3_600_000, to: Date.now() + 3_600_000, source: 'metered' });
    expect(series.series.map((s) => s.group).sort()).toEqual(['an', 'oa']);
    // serve has no clipboard: it says how to get the token, and never sends it.
    const copied = await api.copyProxyToken();
    expect(copied.copied).toBe(false);
    expect(copied.message).toMatch(/spendbar proxy-token/);
    expect(JSON.stringify(copied)).not.toContain('spendbar-proxy-test-token');
  });
});
