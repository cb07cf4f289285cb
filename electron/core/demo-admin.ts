// Demo accounts for the organization-API and balance providers (OpenAI, Anthropic, xAI, Moonshot, SiliconFlow,
// LiteLLM, custom): their loopback fakes, one account each, and a tick that keeps their figures moving.
import type { Account } from '../../shared/domain.ts';
import type { ConfigAccount } from './accounts.ts';
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
  tick(next: () => number): void;
  stop(): Promise<void>;
}

export async function startAdminDemo(account: MakeAccount): Promise<AdminDemo> {
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
  return {
    accounts,
    tick(next) {
      const prompt = Math.round(400 + next() * 3000);
      const completion = Math.round(80 + next() * 900);
      openai.record({ model: 'gpt-4.1-mini-2025-04-14', projectId: 'proj_demo_prod', keyId: 'key_demo_web', requests: 1, input: prompt, cached: Math.round(prompt * 0.3), output: completion });
      anthropic.record({ model: 'claude-sonnet-4-5-20250929', apiKeyId: 'apikey_demo_support', workspaceId: 'wrkspc_demo_prod', uncached: prompt, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: prompt * 2, output: completion, webSearches: 0 });
      xai.spend('team-demo', Number((0.001 + next() * 0.02).toFixed(4)));
      moonshot.spend(DEMO_MOONSHOT_KEY, Number((0.01 + next() * 0.1).toFixed(3)));
      siliconflow.spend(DEMO_SILICONFLOW_KEY, Number((0.01 + next() * 0.05).toFixed(2)));
      litellm.spend(DEMO_LITELLM_KEY, Number((0.002 + next() * 0.03).toFixed(5)), 'gpt-4o', { prompt, completion });
      custom.spend(Number((0.001 + next() * 0.02).toFixed(4)), prompt + completion);
    },
    stop: async () => void (await Promise.all([openai, anthropic, xai, moonshot, siliconflow, litellm, custom].map((f) => f.close()))),
  };
}
