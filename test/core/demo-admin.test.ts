// The demo accounts of the admin-API and balance providers poll their fakes for real and get plausible figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../electron/core/demo.ts';
import { defaultHttpClient } from '../../electron/core/http.ts';
import { pollAccount } from '../../electron/core/poll-account.ts';
import { getAdapter } from '../../electron/core/providers/registry.ts';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo({ tickMs: 60_000 });
});
afterAll(() => demo.stop());

describe('demo accounts of the new providers', () => {
  it('each polls its fake successfully, with figures in the right units', async () => {
    const ids = ['demo-openai', 'demo-anthropic', 'demo-xai', 'demo-moonshot', 'demo-siliconflow', 'demo-litellm', 'demo-reseller', 'demo-assisters'];
    const snaps = Object.fromEntries(
      await Promise.all(
        ids.map(async (id) => {
          const c = demo.accounts.find((a) => a.account.id === id)!;
          return [id, await pollAccount(c.account, { adapters: getAdapter, credentials: c.credentials, http: defaultHttpClient })] as const;
        }),
      ),
    );
    for (const id of ids) expect(snaps[id]!.ok, `${id}: ${snaps[id]!.error?.message}`).toBe(true);
    expect(snaps['demo-openai']!.usage.some((u) => u.width === 'hour' && u.inputTokens > 0)).toBe(true);
    expect(snaps['demo-openai']!.spent.month!.micros).toBeGreaterThan(0);
    expect(snaps['demo-anthropic']!.usage.some((u) => u.cachedTokens > 0)).toBe(true);
    expect(snaps['demo-xai']!.balance?.currency).toBe('USD');
    expect(snaps['demo-moonshot']!.balance?.currency).toBe('CNY');
    expect(snaps['demo-litellm']!.quota?.limit?.micros).toBe(150_000_000);
    expect(snaps['demo-assisters']!.quota?.used.currency).toBe('TOKENS');
    expect(snaps['demo-reseller']!.balance?.micros).toBeGreaterThan(0);
  });
});
