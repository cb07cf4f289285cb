// Demo accounts for the organization-API and balance providers (OpenAI, Anthropic, xAI, Moonshot, SiliconFlow,
// LiteLLM, custom): their loopback fakes, one account each, and a tick that keeps their figures moving.
import type { Account } from '../../shared/domain.ts';
import type { ConfigAccount } from './accounts.ts';
import { grantedFirst } from './demo-accounts.ts';
import type { DemoAccount, DemoWorld, Ledger } from './demo-world.ts';
import { DEMO_OPENAI_ADMIN_KEY, startOpenAiFake } from './providers/fakes/openai.ts';
import { DEMO_ANTHROPIC_ADMIN_KEY, startAnthropicFake } from './providers/fakes/anthropic.ts';
import { DEMO_XAI_MANAGEMENT_KEY, startXaiFake } from './providers/fakes/xai.ts';
import { DEMO_MOONSHOT_KEY, startMoonshotFake } from './providers/fakes/moonshot.ts';
import { DEMO_SILICONFLOW_KEY, startSiliconFlowFake } from './providers/fakes/siliconflow.ts';
import { DEMO_LITELLM_KEY, startLiteLlmFake } from './providers/fakes/litellm.ts';
import { DEMO_ASSISTERS_KEY, DEMO_RESELLER_KEY, startCustomFake } from './providers/fakes/custom.ts';

type MakeAccount = (id: string, provider: Account['provider'], label: string, baseUrl: string, credentials: Record<string, string>, options?: Account['options']) => ConfigAccount;

export interface AdminDemo {
  accounts: ConfigAccount[];
  /** Accounts whose fakes take their state from the demo world (the balance-only ones), when a world is given. */
  worldAccounts: (DemoAccount & { ledger: Ledger })[];
  tick(next: () => number): void;
  stop(): Promise<void>;
}

export async function startAdminDemo(account: MakeAccount, world?: DemoWorld): Promise<AdminDemo> {
  const [openai, anthropic, xai, moonshot, siliconflow, litellm, custom] = await Promise.all([
    startOpenAiFake(), startAnthropicFake(), startXaiFake(), startMoonshotFake(), startSiliconFlowFake(), startLiteLlmFake(), startCustomFake(),
  ]);
  const accounts = [
    account('demo-openai', 'openai', 'OpenAI org', openai.url, { apiKey: DEMO_OPENAI_ADMIN_KEY }),
    account('demo-anthropic', 'anthropic', 'Anthropic org', anthropic.url, { apiKey: DEMO_ANTHROPIC_ADMIN_KEY }),
    account('demo-xai', 'xai', 'xAI', xai.url, { apiKey: DEMO_XAI_MANAGEMENT_KEY }),
    account('demo-moonshot', 'moonshot', 'Moonshot', moonshot.url, { apiKey: DEMO_MOONSHOT_KEY }, { currency: 'CNY' }),
    account('demo-siliconflow', 'siliconflow', 'SiliconFlow', siliconflow.url, { apiKey: DEMO_SILICONFLOW_KEY }, { currency: 'USD' }),
    account('demo-litellm', 'litellm', 'LiteLLM proxy', litellm.url, { apiKey: DEMO_LITELLM_KEY }),
    account('demo-reseller', 'custom', 'Reseller (custom)', custom.url, { apiKey: DEMO_RESELLER_KEY }, { preset: 'one-api-credit-grants' }),
    account('demo-assisters', 'custom', 'assisters.dev (custom)', custom.url, { apiKey: DEMO_ASSISTERS_KEY }, { preset: 'assisters' }),
  ];
  // Moonshot and SiliconFlow report only a balance: in a world they become ledgers like the other balance accounts.
  const worldAccounts: AdminDemo['worldAccounts'] = [];
  if (world) {
    const ms = moonshot.state.keys[DEMO_MOONSHOT_KEY]!;
    const sf = siliconflow.state.keys[DEMO_SILICONFLOW_KEY]!;
    const to = (micros: number, places: number) => Math.round(micros / 10 ** (6 - places)) / 10 ** places;
    const moon = grantedFirst(world, { perDay: 3.2e6, seed: 61, granted: 30e6, paid: 120e6, topUp: { daysAgo: 9, micros: 50e6 } }, (g, p) => {
      ms.voucher = to(g, 5);
      ms.cash = to(p, 5);
    });
    const silicon = grantedFirst(world, { perDay: 1.1e6, seed: 67, granted: 14e6, paid: 40e6, topUp: { daysAgo: 18, micros: 20e6 } }, (g, p) => {
      sf.granted = to(g, 2);
      sf.paid = to(p, 2);
    });
    const byId = (id: string) => accounts.find((a) => a.account.id === id)!;
    worldAccounts.push({ account: byId('demo-moonshot'), historyDays: 7, ...moon }, { account: byId('demo-siliconflow'), historyDays: 7, ...silicon });
  }
  return {
    accounts: accounts.filter((a) => !worldAccounts.some((w) => w.account === a)),
    worldAccounts,
    tick(next) {
      const prompt = Math.round(400 + next() * 3000);
      const completion = Math.round(80 + next() * 900);
      openai.record({ model: 'gpt-4.1-mini-2025-04-14', projectId: 'proj_demo_prod', keyId: 'key_demo_web', requests: 1, input: prompt, cached: Math.round(prompt * 0.3), output: completion });
      anthropic.record({ model: 'claude-sonnet-4-5-20250929', apiKeyId: 'apikey_demo_support', workspaceId: 'wrkspc_demo_prod', uncached: prompt, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: prompt * 2, output: completion, webSearches: 0 });
      xai.spend('team-demo', Number((0.001 + next() * 0.02).toFixed(4)));
      if (!world) {
        moonshot.spend(DEMO_MOONSHOT_KEY, Number((0.01 + next() * 0.1).toFixed(3)));
        siliconflow.spend(DEMO_SILICONFLOW_KEY, Number((0.01 + next() * 0.05).toFixed(2)));
      }
      litellm.spend(DEMO_LITELLM_KEY, Number((0.002 + next() * 0.03).toFixed(5)), 'gpt-4o', { prompt, completion });
      custom.spend(Number((0.001 + next() * 0.02).toFixed(4)), prompt + completion);
    },
    stop: async () => void (await Promise.all([openai, anthropic, xai, moonshot, siliconflow, litellm, custom].map((f) => f.close()))),
  };
}
