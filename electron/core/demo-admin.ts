// Demo accounts for the organization-API, budget and balance providers (OpenAI, Anthropic, xAI, Moonshot,
// SiliconFlow, LiteLLM, custom): their loopback fakes, one account each, every one a ledger in the demo world.
import type { Account } from '../../shared/domain.ts';
import type { ConfigAccount } from './accounts.ts';
import { grantedFirst } from './demo-accounts.ts';
import { anthropicAccount, assistersAccount, litellmAccount, openaiAccount, resellerAccount, xaiAccount, type WorldAccount } from './demo-orgs.ts';
import type { DemoWorld } from './demo-world.ts';
import { DEMO_OPENAI_ADMIN_KEY, startOpenAiFake } from './providers/fakes/openai.ts';
import { DEMO_ANTHROPIC_ADMIN_KEY, startAnthropicFake } from './providers/fakes/anthropic.ts';
import { DEMO_XAI_MANAGEMENT_KEY, startXaiFake } from './providers/fakes/xai.ts';
import { DEMO_MOONSHOT_KEY, startMoonshotFake } from './providers/fakes/moonshot.ts';
import { DEMO_SILICONFLOW_KEY, startSiliconFlowFake } from './providers/fakes/siliconflow.ts';
import { DEMO_LITELLM_KEY, startLiteLlmFake } from './providers/fakes/litellm.ts';
import { DEMO_ASSISTERS_KEY, DEMO_RESELLER_KEY, startCustomFake } from './providers/fakes/custom.ts';

type MakeAccount = (id: string, provider: Account['provider'], label: string, baseUrl: string, credentials: Record<string, string>, options?: Account['options']) => ConfigAccount;

export interface AdminDemo {
  /** Every account, each with its ledger and the sync that sets its fake to the world at time t. */
  worldAccounts: WorldAccount[];
  stop(): Promise<void>;
}

export async function startAdminDemo(account: MakeAccount, world: DemoWorld): Promise<AdminDemo> {
  const now = () => world.now();
  const [openai, anthropic, xai, moonshot, siliconflow, litellm, custom] = await Promise.all([
    startOpenAiFake({ now }), startAnthropicFake({ now }), startXaiFake({ now }), startMoonshotFake(), startSiliconFlowFake(), startLiteLlmFake({ now }), startCustomFake({ now }),
  ]);
  const ms = moonshot.state.keys[DEMO_MOONSHOT_KEY]!;
  const sf = siliconflow.state.keys[DEMO_SILICONFLOW_KEY]!;
  const to = (micros: number, places: number) => Math.round(micros / 10 ** (6 - places)) / 10 ** places;
  // Moonshot and SiliconFlow report only a balance: a granted part spent first, then the paid part.
  const moon = grantedFirst(world, { perDay: 3.2e6, seed: 61, granted: 30e6, paid: 120e6, topUp: { daysAgo: 9, micros: 50e6 } }, (g, p) => {
    ms.voucher = to(g, 5);
    ms.cash = to(p, 5);
  });
  const silicon = grantedFirst(world, { perDay: 1.1e6, seed: 67, granted: 14e6, paid: 40e6, topUp: { daysAgo: 18, micros: 20e6 } }, (g, p) => {
    sf.granted = to(g, 2);
    sf.paid = to(p, 2);
  });
  const worldAccounts: WorldAccount[] = [
    openaiAccount(world, openai, account('demo-openai', 'openai', 'OpenAI org', openai.url, { apiKey: DEMO_OPENAI_ADMIN_KEY })),
    anthropicAccount(world, anthropic, account('demo-anthropic', 'anthropic', 'Anthropic org', anthropic.url, { apiKey: DEMO_ANTHROPIC_ADMIN_KEY })),
    xaiAccount(world, xai, account('demo-xai', 'xai', 'xAI', xai.url, { apiKey: DEMO_XAI_MANAGEMENT_KEY }), xai.state.keys[DEMO_XAI_MANAGEMENT_KEY]!),
    { account: account('demo-moonshot', 'moonshot', 'Moonshot', moonshot.url, { apiKey: DEMO_MOONSHOT_KEY }, { currency: 'CNY' }), historyDays: 7, ...moon },
    { account: account('demo-siliconflow', 'siliconflow', 'SiliconFlow', siliconflow.url, { apiKey: DEMO_SILICONFLOW_KEY }, { currency: 'USD' }), historyDays: 7, ...silicon },
    litellmAccount(world, litellm, account('demo-litellm', 'litellm', 'LiteLLM proxy', litellm.url, { apiKey: DEMO_LITELLM_KEY }), DEMO_LITELLM_KEY),
    resellerAccount(world, custom, account('demo-reseller', 'custom', 'Reseller (custom)', custom.url, { apiKey: DEMO_RESELLER_KEY }, { preset: 'one-api-credit-grants' })),
    assistersAccount(world, custom, account('demo-assisters', 'custom', 'assisters.dev (custom)', custom.url, { apiKey: DEMO_ASSISTERS_KEY }, { preset: 'assisters' })),
  ];
  return {
    worldAccounts,
    stop: async () => void (await Promise.all([openai, anthropic, xai, moonshot, siliconflow, litellm, custom].map((f) => f.close()))),
  };
}
