import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SpendbarApi, SpendbarEvent } from '../../shared/api.ts';
import { electronMock, resetElectronMock, sendToRenderer } from './electron-mock.ts';
import { recordingApi, type RecordingApi } from './fake-api.ts';
import { alert, status, usd } from './fixtures.ts';

vi.mock('electron', async () => (await import('./electron-mock.ts')).electronModule());

const { ipcMain } = await import('electron');
const { registerIpc } = await import('../../electron/shell/ipc.ts');
const { EVENT_CHANNEL, INVOKE_METHODS, NAVIGATE_CHANNEL } = await import('../../electron/shell/ipc-contract.ts');

let api: RecordingApi;
let exposed: SpendbarApi;

beforeEach(async () => {
  resetElectronMock();
  vi.resetModules();
  await import('../../electron/preload.ts');
  exposed = electronMock.exposed.spendbar as SpendbarApi;
  api = recordingApi();
  // The fake ipcRenderer.invoke reaches the real main-side handlers, as from app://spendbar/.
  registerIpc(ipcMain, api, { log: { warn: () => {}, error: () => {} } });
});

describe('preload', () => {
  it('exposes exactly one object: the contract’s methods plus subscribe, all functions', () => {
    expect(Object.keys(electronMock.exposed)).toEqual(['spendbar']);
    expect(Object.keys(exposed).sort()).toEqual([...INVOKE_METHODS, 'subscribe'].sort());
    for (const value of Object.values(exposed)) expect(typeof value).toBe('function');
    // Nothing of ipcRenderer leaks through: no `on`, `send`, `invoke` or the module itself.
    expect(Object.keys(exposed)).not.toEqual(expect.arrayContaining(['invoke']));
    expect(Object.keys(exposed)).not.toEqual(expect.arrayContaining(['on']));
  });

  it('calls the main process through the contract and resolves with the value', async () => {
    const statuses = await exposed.getStatus();
    expect(statuses[0]?.accountId).toBe('or');
    await exposed.setPaused(true);
    await exposed.refresh();
    expect(api.calls.map((c) => [c.method, ...c.args])).toEqual([
      ['getStatus'],
      ['setPaused', true],
      ['refresh', undefined],
    ]);
  });

  it('reaches the alert methods through the contract, leaving optional arguments out', async () => {
    api.activeAlerts = [alert(4, 'critical')];
    expect((await exposed.getAlerts()).active.map((a) => a.id)).toEqual([4]);
    await exposed.previewAlertRule({ type: 'runway-below', account: 'or', days: 3 });
    await exposed.alertHistory();
    expect(await exposed.acknowledgeAlert(4)).toBe(true);
    expect(await exposed.acknowledgeAlert(4)).toBe(false);
    await expect(exposed.snoozeAlert({ eventId: 4 }, 'next week' as never)).rejects.toThrow(/until must be/);
    expect(api.calls.map((c) => [c.method, ...c.args])).toEqual([
      ['getAlerts'],
      ['previewAlertRule', { type: 'runway-below', account: 'or', days: 3 }, undefined],
      ['alertHistory', undefined],
      ['acknowledgeAlert', 4],
      ['acknowledgeAlert', 4],
    ]);
  });

  it('rejects with the main side’s message when a call fails', async () => {
    await expect(exposed.removeAccount('Not An Id!')).rejects.toThrow(/Account id must be/);
    api.failWith = new Error('The store is closed; restart Spendbar');
    await expect(exposed.getInfo()).rejects.toThrow('The store is closed; restart Spendbar');
  });

  it('fans events out to subscribers with only the payload, and unsubscribes', () => {
    const a: unknown[][] = [];
    const b: unknown[][] = [];
    const offA = exposed.subscribe((...args) => a.push(args));
    const offB = exposed.subscribe((...args) => b.push(args));
    expect(electronMock.rendererListeners.listenerCount(EVENT_CHANNEL)).toBe(1);
    const event: SpendbarEvent = { type: 'status', statuses: [status('or', { balance: usd(3) })] };
    sendToRenderer(EVENT_CHANNEL, event);
    expect(a).toEqual([[event]]);
    expect(b).toEqual([[event]]);

    offA();
    offA();
    sendToRenderer(EVENT_CHANNEL, { type: 'accounts', accounts: [] });
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);
    offB();
    expect(electronMock.rendererListeners.listenerCount(EVENT_CHANNEL)).toBe(0);
  });

  it('a failing subscriber does not stop the others', () => {
    const seen: unknown[] = [];
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    exposed.subscribe(() => {
      throw new Error('boom');
    });
    exposed.subscribe((e) => seen.push(e));
    sendToRenderer(EVENT_CHANNEL, { type: 'accounts', accounts: [] });
    expect(seen).toHaveLength(1);
    quiet.mockRestore();
  });

  it('moves the dashboard to a route main sends, and ignores anything else', () => {
    const location = { hash: '' };
    vi.stubGlobal('location', location);
    sendToRenderer(NAVIGATE_CHANNEL, '#/account/or');
    expect(location.hash).toBe('#/account/or');
    sendToRenderer(NAVIGATE_CHANNEL, 'javascript:alert(1)');
    sendToRenderer(NAVIGATE_CHANNEL, { hash: '#/x' });
    expect(location.hash).toBe('#/account/or');
    vi.unstubAllGlobals();
  });
});
