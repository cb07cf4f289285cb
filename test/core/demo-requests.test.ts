// `serve --demo` has metered requests: a day of the demo gateway's own request log, so each metered row has a billed
// twin (same time, model, tokens) and the gateway's billing covers at least what went through the proxy.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../electron/core/engine.ts';
import { createMemorySettingsStore } from '../../electron/core/settings/conf-settings.ts';
import { createMemorySecretStore } from '../../electron/core/settings/file-secrets.ts';
import { startDemo } from '../../electron/core/demo.ts';
import { pollDemoHistory } from '../../electron/core/demo-history.ts';
import { DEMO_REQUEST_HOURS, demoProxyRecords } from '../../electron/core/demo-requests.ts';

const HOUR = 3_600_000;
const open: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of open.splice(0)) await close();
});

describe('the demo\'s metered requests', () => {
  it('are the gateway log of the last day, every other hour; billed covers metered', async () => {
    const clock = { t: Date.parse('2026-03-18T15:20:00Z') };
    const demo = await startDemo({ now: () => clock.t, tickMs: 3_600_000 });
    const dataDir = mkdtempSync(join(tmpdir(), 'spendbar-demo-requests-'));
    const core = await createCore({ dataDir, mode: 'serve', settings: createMemorySettingsStore(), secrets: createMemorySecretStore(), configAccounts: demo.demoAccounts.map((d) => d.account), configPreferences: { timeZone: 'UTC' }, demo: true, now: () => clock.t });
    open.push(async () => {
      await core.stop();
      await demo.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    await pollDemoHistory(demo, { days: 2, save: (batch) => core.importSnapshots(batch) });
    demo.sync();
    await core.pollAll();
    const records = demoProxyRecords(demo.gatewayLog(), clock.t, (k) => core.meter.keyId(k));
    for (const r of records) core.meter.recorder.add(r);
    await core.meter.recorder.flush();

    const rows = (await core.api.listRequests({ limit: 500 })).rows;
    expect(rows.length).toBe(records.length);
    // A small day: about 12 hours × 3 models.
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThanOrEqual((DEMO_REQUEST_HOURS / 2 + 1) * 3);
    const log = demo.gatewayLog();
    for (const r of rows) {
      expect(r.accountId).toBe('demo-gateway');
      const twin = log.find((l) => l.created_at * 1000 === r.time && l.model_name === r.model);
      expect(twin, `${r.model} at ${new Date(r.time).toISOString()}`).toBeTruthy();
      expect([r.inputTokens, r.outputTokens]).toEqual([twin!.prompt_tokens, twin!.completion_tokens]);
      expect(r.time).toBeGreaterThanOrEqual(clock.t - DEMO_REQUEST_HOURS * HOUR);
      expect(r.estimated).toBe(false);
    }
    expect(new Set(rows.map((r) => r.app))).toEqual(new Set(['chat-ui', 'support-bot', 'indexer']));
    // Per model, the gateway billed at least the tokens metered over the same hours.
    const from = Math.floor((clock.t - DEMO_REQUEST_HOURS * HOUR) / HOUR) * HOUR;
    const billed = await core.api.queryTotals({ groupBy: 'model', from, to: clock.t + 1, accountIds: ['demo-gateway'] });
    for (const model of new Set(rows.map((r) => r.model))) {
      const metered = rows.filter((r) => r.model === model).reduce((s, r) => s + r.inputTokens + r.outputTokens, 0);
      const b = billed.filter((t) => t.group === model).reduce((s, t) => s + t.inputTokens + t.outputTokens, 0);
      expect(b, model).toBeGreaterThanOrEqual(metered);
    }
    const summary = await core.api.meterSummary({ from, to: clock.t + 1 });
    expect(summary.headroom.map((h) => [h.accountId, h.key])).toEqual([['demo-gateway', 'sk-…0001']]);
  });
});
