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

  it.each([
    ['acknowledgeAlert', [3]],
    ['snoozeAlert', [{ eventId: 3 }, '1h']],
    ['saveAlerts', [{ rules: [] }]],
    ['testAlertChannel', ['popup']],
  ] as const)('drops a foreign frame’s %s call before the core sees it', async (method, args) => {
    registerIpc(ipcMain, api, { log });
    const result = await invokeMain(INVOKE_CHANNELS[method], 'https://evil.example/', ...args);
    expect(result).toEqual({ ok: false, error: { message: FOREIGN_SENDER_MESSAGE } });
    expect(api.calls).toEqual([]);
    // The same call from the app's page goes through.
    expect(await invokeMain(INVOKE_CHANNELS[method], APP, ...args)).toMatchObject({ ok: true });
    expect(api.calls.map((c) => c.method)).toEqual([method]);
  });

  it('passes valid alert calls through, including a webhook whose stored URL the core fills in', async () => {
    const called: string[] = [];
    registerIpc(ipcMain, api, { log, onCalled: (m) => called.push(m) });
    const rule = { type: 'balance-below', account: 'or', amount: 5, currency: 'USD' };
    const calls: [keyof typeof INVOKE_CHANNELS, unknown[]][] = [
      ['getAlerts', []],
      ['saveAlerts', [{ rules: [rule], channels: [{ id: 'slack', type: 'webhook', url: '', format: 'slack' }], quietHours: null }]],
      ['previewAlertRule', [rule, 30]],
      ['previewAlertRule', [rule]],
      ['alertHistory', [{ kind: 'fired', acknowledged: false, from: 0, to: DAY, limit: 50 }]],
      ['alertHistory', []],
      ['snoozeAlert', [{ ruleId: 'balance-below.or.1x2y3z', subject: 'or' }, 'tomorrow']],
      ['snoozeAlert', [{ eventId: 9 }, 1_700_000_000_000]],
      ['acknowledgeAlert', [9]],
      ['testAlertChannel', [{ id: 'slack', type: 'webhook' }]],
    ];
    for (const [method, args] of calls) expect(await invokeMain(INVOKE_CHANNELS[method], APP, ...args), method).toMatchObject({ ok: true });
    expect(api.calls.map((c) => c.method)).toEqual(calls.map(([m]) => m));
    expect(api.calls[3]).toEqual({ method: 'previewAlertRule', args: [rule, undefined] });
    expect(called).toEqual(calls.map(([m]) => m));
  });

  it('refuses bad alert arguments with a message naming the problem', async () => {
    registerIpc(ipcMain, api, { log });
    const refused = async (method: keyof typeof INVOKE_CHANNELS, ...args: unknown[]) => {
      const result = (await invokeMain(INVOKE_CHANNELS[method], APP, ...args)) as { ok: boolean; error: { message: string; field?: string } };
      expect(result.ok, `${method} ${JSON.stringify(args)}`).toBe(false);
      return result.error;
    };
    expect((await refused('acknowledgeAlert', 0)).message).toMatch(/eventId must be more than 0/);
    expect((await refused('acknowledgeAlert', 2.5)).message).toMatch(/eventId must be a whole number/);
    expect((await refused('acknowledgeAlert', '7')).message).toMatch(/eventId must be a number/);
    expect((await refused('previewAlertRule', {}, 0)).message).toMatch(/Preview days must be from 1 to 365/);
    expect((await refused('previewAlertRule', {}, 366)).message).toMatch(/Preview days must be from 1 to 365/);
    expect((await refused('snoozeAlert', { eventId: 1 }, '2h')).message).toMatch(/until must be "1h", "tomorrow" or a time/);
    expect((await refused('snoozeAlert', { ruleId: 'r' }, -5)).message).toMatch(/until must be/);
    expect((await refused('snoozeAlert', {}, '1h')).message).toMatch(/eventId of an alert, or the ruleId/);
    expect(await refused('snoozeAlert', { eventId: 1, ruleId: 'r' }, '1h')).toBeDefined();
    expect(await refused('alertHistory', { kind: 'snoozed' })).toMatchObject({ field: 'kind' });
    expect(await refused('alertHistory', { from: DAY, to: 0 })).toMatchObject({ field: 'to' });
    expect(await refused('alertHistory', { limit: 5001 })).toMatchObject({ field: 'limit' });
    expect(await refused('alertHistory', { accountId: '../x' })).toMatchObject({ field: 'accountId' });
    expect(await refused('alertHistory', { sql: '1=1' })).toMatchObject({ field: 'sql' });
    expect(await refused('saveAlerts', { rules: 'all' })).toMatchObject({ field: 'rules' });
    expect(await refused('saveAlerts', { rules: [], quietHours: { start: '25:00', end: '07:00' } })).toMatchObject({
      field: 'quietHours.start',
      message: expect.stringMatching(/Quiet hours start must be a time like "22:00"/),
    });
    expect(await refused('saveAlerts', { rules: [], channels: [{ id: 'x', type: 'sms' }] })).toMatchObject({ field: 'channels[0]' });
    expect(await refused('testAlertChannel', { id: 'h', type: 'webhook', url: 'ftp://hooks.example/x', format: 'json' })).toMatchObject({
      field: 'url',
      message: expect.stringMatching(/Webhook URL must start with http/),
    });
    expect(await refused('testAlertChannel', 42)).toBeDefined();
    expect(await refused('getAlerts', 'extra')).toBeDefined();
    expect(api.calls).toEqual([]);
  });

  it('masks a webhook URL the core’s error echoes', async () => {
    registerIpc(ipcMain, api, { log });
    const url = 'https://hooks.slack.example/services/T000/B000/XXXXsecretXXXX';
    api.failWith = new Error(`Could not reach ${url}: connection refused`);
    const result = (await invokeMain(INVOKE_CHANNELS.testAlertChannel, APP, { id: 'slack', type: 'webhook', url, format: 'slack' })) as {
      ok: false;
      error: { message: string };
    };
    expect(result.error.message).toContain('connection refused');
    expect(result.error.message).not.toContain('XXXXsecretXXXX');
    expect(JSON.stringify(log.error.mock.calls)).not.toContain('XXXXsecretXXXX');
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
    expect((badUrl as { error: { message: string } }).error.message).toMatch(/^Base URL must be an absolute http\(s\) URL/);

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
