// `spendbar serve --demo`: the same loopback fakes the tests use, started in-process, their state set from one
// demo world (demo-world.ts; every account is a ledger there) so every figure agrees with every other, and a month
// of history polled through the real adapters before the first live poll. Everything is labelled demo.
import type { ConfigAccount } from './accounts.ts';
import { demoConfigAccount, DemoWorld, type DemoAccount } from './demo-world.ts';
import { gatewayAccount, routerAccount, deepseekAccount, surferAccount } from './demo-accounts.ts';
import { startNewApiFake } from './providers/fakes/newapi.ts';
import { startOpenRouterFake } from './providers/fakes/openrouter.ts';
import { startDeepSeekFake } from './providers/fakes/deepseek.ts';
import { startSurferCloudFake } from './providers/fakes/surfercloud.ts';
import { startAdminDemo } from './demo-admin.ts';
import type { LogRow } from './providers/fakes/newapi-routes.ts';

/** How many days of history the demo polls before its first live poll. */
export const DEMO_HISTORY_DAYS = 30;

export interface Demo {
  world: DemoWorld;
  accounts: ConfigAccount[];
  /** Every demo account with its sync; the history generator and the consistency tests use these. */
  demoAccounts: DemoAccount[];
  /** Sets every fake to the world at its clock's time (the ticker does this every few seconds). */
  sync(): void;
  /** The demo gateway's request log as its fake serves it now (the metered demo requests are taken from it). */
  gatewayLog(): readonly LogRow[];
  stop(): Promise<void>;
}

export async function startDemo(opts: { tickMs?: number; pollIntervalSec?: number; now?: () => number } = {}): Promise<Demo> {
  const world = new DemoWorld(opts.now ? { now: opts.now } : {});
  const clock = () => world.now();
  const [gateway, router, deepseek, surfer] = await Promise.all([
    // The gateway's rate limiter counts by the world's clock too, so a month of history polls is a month of requests.
    startNewApiFake({ now: clock }),
    startOpenRouterFake({ now: clock }),
    startDeepSeekFake(),
    startSurferCloudFake({ now: clock, state: { usage: [] } }),
  ]);
  const common = { pollIntervalSec: opts.pollIntervalSec };
  const admin = await startAdminDemo(
    (id, provider, label, baseUrl, credentials, options) => demoConfigAccount(id, provider, label, baseUrl, credentials, { ...(options ? { options } : {}), pollIntervalSec: opts.pollIntervalSec }),
    world,
  );
  const demoAccounts: DemoAccount[] = [
    gatewayAccount(world, gateway, common),
    routerAccount(world, router, common),
    deepseekAccount(world, deepseek, common),
    surferAccount(world, surfer, common),
    ...admin.worldAccounts,
  ];
  const sync = () => {
    const t = world.now();
    for (const d of demoAccounts) d.sync(t);
  };
  sync();
  const timer = setInterval(sync, opts.tickMs ?? 5_000);
  timer.unref?.();

  return {
    world,
    accounts: demoAccounts.map((d) => d.account),
    demoAccounts,
    sync,
    gatewayLog: () => gateway.state.log,
    async stop() {
      clearInterval(timer);
      await Promise.all([gateway.close(), router.close(), deepseek.close(), surfer.close(), admin.stop()]);
    },
  };
}
