import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { electronMock, invokeMain, resetElectronMock } from '../electron-mock.ts';
import { recordingApi, type RecordingApi } from '../fake-api.ts';

vi.mock('electron', async () => (await import('../electron-mock.ts')).electronModule());

const { ipcMain } = await import('electron');
const { registerIpc, FOREIGN_SENDER_MESSAGE, ARGUMENT_SCHEMAS } = await import('../../../electron/shell/ipc.ts');
const { INVOKE_CHANNELS, INVOKE_METHODS } = await import('../../../electron/shell/ipc-contract.ts');

const APP = 'app://spendbar/index.html#/usage';
const DAY = 86_400_000;
const seriesQuery = { metric: 'cost', bucket: 'day', groupBy: 'model', from: 0, to: 7 * DAY };

let api: RecordingApi;
let log: { warn: Mock<(m: string) => void>; error: Mock<(m: string) => void> };

beforeEach(() => {
  resetElectronMock();
  api = recordingApi();
  log = { warn: vi.fn<(m: string) => void>(), error: vi.fn<(m: string) => void>() };
});

describe('registerIpc', () => {
  it('registers one handler per contract method and removes them again', () => {
    const dispose = registerIpc(ipcMain, api, { log });
    expect([...electronMock.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    expect(Object.keys(ARGUMENT_SCHEMAS).sort()).toEqual([...INVOKE_METHODS].sort());
    dispose();
    expect(electronMock.handlers.size).toBe(0);
  });

  it('passes validated arguments from the app’s own page to the core', async () => {
    registerIpc(ipcMain, api, { log });
    const result = await invokeMain(INVOKE_CHANNELS.querySeries, APP, seriesQuery);
    expect(result).toMatchObject({ ok: true, value: { bucket: 'day', series: [] } });
    expect(api.calls).toEqual([{ method: 'querySeries', args: [seriesQuery] }]);
    await invokeMain(INVOKE_CHANNELS.refresh, APP);
    await invokeMain(INVOKE_CHANNELS.refresh, APP, 'or');
    expect(api.calls.slice(1)).toEqual([
      { method: 'refresh', args: [undefined] },
      { method: 'refresh', args: ['or'] },
    ]);
  });

  it.each([
    ['a remote site', 'https://evil.example/index.html'],
    ['a file page', 'file:///tmp/index.html'],
    ['another app:// host', 'app://other/index.html'],
    ['a destroyed frame', null],
    ['the dev server when not in development', 'http://localhost:5173/'],
  ])('drops calls from %s', async (_what, url) => {
    registerIpc(ipcMain, api, { log });
    const result = await invokeMain(INVOKE_CHANNELS.setPaused, url, true);
    expect(result).toEqual({ ok: false, error: { message: FOREIGN_SENDER_MESSAGE } });
    expect(api.calls).toEqual([]);
    expect(log.warn).toHaveBeenCalledOnce();
  });

  it('trusts the dev server origin only in development, and only that origin', async () => {
    registerIpc(ipcMain, api, { log, devServerUrl: 'http://localhost:5173/' });
    expect(await invokeMain(INVOKE_CHANNELS.getInfo, 'http://localhost:5173/#/accounts')).toMatchObject({ ok: true });
    expect(await invokeMain(INVOKE_CHANNELS.getInfo, 'http://localhost:5174/')).toMatchObject({ ok: false });
    expect(api.calls.map((c) => c.method)).toEqual(['getInfo']);
  });

  it('refuses bad arguments with a message naming the field, before the core sees them', async () => {
    registerIpc(ipcMain, api, { log });
    const badUrl = await invokeMain(INVOKE_CHANNELS.saveAccount, APP, { provider: 'openrouter', label: 'OR', baseUrl: 'ftp://x' });
    expect(badUrl).toMatchObject({ ok: false, error: { field: 'baseUrl' } });
    expect((badUrl as { error: { message: string } }).error.message).toMatch(/^baseUrl: Base URL must be an absolute http\(s\) URL/);

    const badRange = await invokeMain(INVOKE_CHANNELS.querySeries, APP, { ...seriesQuery, from: 10, to: 5 });
    expect(badRange).toMatchObject({ ok: false, error: { field: 'to' } });

    const badId = await invokeMain(INVOKE_CHANNELS.removeAccount, APP, '../../etc');
    expect(badId).toMatchObject({ ok: false });
    const notBool = await invokeMain(INVOKE_CHANNELS.setPaused, APP, 'yes');
    expect(notBool).toMatchObject({ ok: false, error: { message: expect.stringMatching(/paused must be true or false/) } });
    const extra = await invokeMain(INVOKE_CHANNELS.getStatus, APP, 'surprise');
    expect(extra).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^getStatus was called with the wrong arguments/) } });
    expect(api.calls).toEqual([]);
  });

  it('returns the core’s error as a clear message with any secret masked', async () => {
    registerIpc(ipcMain, api, { log });
    const key = 'sk-or-v1-0123456789abcdef0123456789abcdef';
    api.failWith = Object.assign(new Error(`The provider refused key ${key} (401): create a new key`), { field: 'credentials.apiKey' });
    const result = (await invokeMain(INVOKE_CHANNELS.testAccount, APP, {
      provider: 'openrouter',
      label: 'OR',
      credentials: { apiKey: key },
    })) as { ok: false; error: { message: string; field?: string } };
    expect(result.ok).toBe(false);
    expect(result.error.field).toBe('credentials.apiKey');
    expect(result.error.message).toContain('create a new key');
    expect(result.error.message).not.toContain(key);
    const logged = JSON.stringify(log.error.mock.calls);
    expect(logged).not.toContain(key);
    expect(logged).toContain('testAccount failed');
  });
});
