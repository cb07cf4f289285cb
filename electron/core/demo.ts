// `spendbar serve --demo`: the same loopback fakes the tests use, started in-process with a month of history,
// and a ticker that keeps spending so a newcomer sees live, moving figures with no keys. Everything is labelled demo.
import type { Account } from '../../shared/domain.ts';
import { MIN_POLL_INTERVAL_SEC } from '../../shared/domain.ts';
import type { ConfigAccount } from './accounts.ts';
import { maskSecret } from './errors.ts';
import { DEMO_NEWAPI_KEY, startNewApiFake } from './providers/fakes/newapi.ts';
import { DEMO_OPENROUTER_KEY, startOpenRouterFake } from './providers/fakes/openrouter.ts';
import { DEMO_DEEPSEEK_KEY, startDeepSeekFake } from './providers/fakes/deepseek.ts';
import { DEMO_SURFER_KEY_ID, DEMO_SURFER_PRIVATE_KEY, DEMO_SURFER_PUBLIC_KEY, startSurferCloudFake } from './providers/fakes/surfercloud.ts';
import { startAdminDemo } from './demo-admin.ts';

/** How many days each demo balance lasts at its usual burn: a spread, so one card warns and others don't. */
export const DEMO_RUNWAY_DAYS: Record<string, number> = { 'demo-gateway': 6, 'demo-openrouter': 24, 'demo-deepseek': 40 };

export interface Demo {
  accounts: ConfigAccount[];
  stop(): Promise<void>;
}

const MODELS = ['openai/gpt-4.1', 'anthropic/claude-sonnet-4', 'deepseek/deepseek-chat', 'google/gemini-2.5-flash'];

export async function startDemo(opts: { tickMs?: number; pollIntervalSec?: number } = {}): Promise<Demo> {
  const [gateway, router, deepseek, surfer] = await Promise.all([startNewApiFake(), startOpenRouterFake(), startDeepSeekFake(), startSurferCloudFake()]);
  const interval = Math.max(MIN_POLL_INTERVAL_SEC, opts.pollIntervalSec ?? MIN_POLL_INTERVAL_SEC);

  const account = (id: string, provider: Account['provider'], label: string, baseUrl: string, credentials: Record<string, string>, options?: Account['options']): ConfigAccount => {
    const a: Account = {
      id,
      provider,
      label: `${label} (demo)`,
      baseUrl,
      pollIntervalSec: interval,
      demo: true,
      source: 'config',
      credentials: Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, { set: true, masked: maskSecret(v), from: 'inline' as const }])),
    };
    if (options) a.options = options;
    return { account: a, credentials };
  };

  const accounts: ConfigAccount[] = [
    account('demo-gateway', 'newapi', 'smai.ai gateway', gateway.url, { apiKey: DEMO_NEWAPI_KEY }),
    account('demo-openrouter', 'openrouter', 'OpenRouter', router.url, { apiKey: DEMO_OPENROUTER_KEY }),
    account('demo-deepseek', 'deepseek', 'DeepSeek', deepseek.url, { apiKey: DEMO_DEEPSEEK_KEY }),
    account('demo-surfer', 'surfercloud', 'SurferCloud', surfer.url, { publicKey: DEMO_SURFER_PUBLIC_KEY, privateKey: DEMO_SURFER_PRIVATE_KEY }, { keyId: DEMO_SURFER_KEY_ID }),
  ];
  const admin = await startAdminDemo(account);
  accounts.push(...admin.accounts);

  // A deterministic pseudo-random walk, so demo figures move without Math.random.
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const tick = () => {
    const model = MODELS[Math.floor(next() * MODELS.length)] ?? 'openai/gpt-4.1';
    const prompt = Math.round(500 + next() * 4000);
    const completion = Math.round(100 + next() * 1500);
    router.spend(DEMO_OPENROUTER_KEY, Number((0.002 + next() * 0.05).toFixed(6)), model, { prompt, completion });
    gateway.spend(DEMO_NEWAPI_KEY, Math.round(1000 + next() * 20000));
    deepseek.spend(DEMO_DEEPSEEK_KEY, 'CNY', Number((0.01 + next() * 0.2).toFixed(2)));
    surfer.record(Date.now(), 'deepseek-ai/DeepSeek-V3', { in: prompt, out: completion, requests: 1 });
    admin.tick(next);
  };
  const timer = setInterval(tick, opts.tickMs ?? 10_000);

  return {
    accounts,
    async stop() {
      clearInterval(timer);
      await Promise.all([gateway.close(), router.close(), deepseek.close(), surfer.close(), admin.stop()]);
    },
  };
}
