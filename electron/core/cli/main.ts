// `spendbar`: the headless face. `poll --once --json` for scripts, `serve` for a browser dashboard and Prometheus.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, isLoopback } from '../server/http-server.ts';
import { closeIdleUpstreams } from '../proxy/index.ts';
import { PACKAGE_ROOT, defaultDataDir, findConfigFile, packageVersion } from './paths.ts';
import { buildHeadlessCore, CliError, hasConfiguredAccounts, type HeadlessCore } from './headless.ts';
import { desktopNotificationProblem } from '../notify/node-notifier.ts';
import { snapshotToJson } from '../snapshots.ts';
import { DEMO_HISTORY_DAYS, startDemo, type Demo } from '../demo.ts';
import { optimizingCompilers } from '../compilers.ts';
import { pollDemoHistory } from '../demo-history.ts';
import { demoProxyRecords } from '../demo-requests.ts';
import { ESTIMATE_USAGE, estimateCommand } from './estimate.ts';

const USAGE = `Spendbar ${packageVersion()} — watch what you spend on LLM APIs

Usage:
  spendbar poll --once [--json | --ndjson] [--config FILE] [--data-dir DIR]
      Poll every account once, store the snapshots, print one JSON object per account.
      Exit 0 when every account succeeded, 2 when any failed, 1 on a usage or config-file error.
  spendbar serve [--port 8787] [--host 127.0.0.1] [--token TOKEN] [--config FILE] [--data-dir DIR] [--demo]
      Poll on schedule and serve the dashboard, a JSON API, live events, /metrics and the metering proxy
      (/proxy/<account id>/…: point your apps' base URL there).
      --demo with no accounts configured polls built-in fake providers (no keys needed).
  spendbar proxy-token [--data-dir DIR]
      Print the metering proxy's token: apps send it instead of a provider key and Spendbar inserts the stored key.

${ESTIMATE_USAGE}
Config: --config FILE, else $SPENDBAR_CONFIG, else <data dir>/config.json.
Data dir: --data-dir DIR, else $SPENDBAR_DATA_DIR, else ${defaultDataDir()}.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  try {
    if (command === 'poll') return await poll(rest);
    if (command === 'serve') return await serve(rest);
    if (command === 'proxy-token') return await proxyToken(rest);
    if (command === 'estimate') return await estimateCommand(rest);
    throw new CliError(`Unknown command '${command}'. Run 'spendbar --help'.`);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`spendbar: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function parse(args: string[], options: ParseArgsOptionsConfig) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}. Run 'spendbar --help'.`);
  }
}

async function poll(args: string[]): Promise<number> {
  const v = parse(args, {
    once: { type: 'boolean' },
    json: { type: 'boolean' },
    ndjson: { type: 'boolean' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
  });
  if (!v.once) throw new CliError("Only 'poll --once' exists; use 'spendbar serve' to poll on a schedule.");
  const dataDir = typeof v['data-dir'] === 'string' ? v['data-dir'] : defaultDataDir();
  const configFile = findConfigFile(v.config as string | undefined, dataDir);
  const { core, warnings } = await buildHeadlessCore({ dataDir, configFile, mode: 'serve' });
  for (const w of warnings) process.stderr.write(`spendbar: warning: ${w}\n`);
  await warnIfNoPopups(core);
  try {
    const accounts = await core.api.listAccounts();
    if (accounts.length === 0) {
      throw new CliError(`No accounts configured. Pass --config FILE (see README "Config file"), or add accounts in 'spendbar serve'.`);
    }
    const snapshots = new Map((await core.pollAll()).map((s) => [s.accountId, s]));
    const results = accounts.map((account) => {
      const snapshot = snapshots.get(account.id);
      return snapshot ? snapshotToJson(snapshot, account) : { accountId: account.id, provider: account.provider, ok: false, error: 'Not polled.' };
    });
    // The figures were scrubbed as they arrived; what is printed passes the redactor once more on its way out.
    const out = (text: string) => process.stdout.write(core.redactor.text(text));
    if (v.ndjson) for (const r of results) out(`${JSON.stringify(r)}\n`);
    else if (v.json) out(`${JSON.stringify(results, null, 2)}\n`);
    else for (const r of results) out(`${humanLine(r)}\n`);
    return results.every((r) => r.ok === true) ? 0 : 2;
  } finally {
    await core.stop();
  }
}

async function proxyToken(args: string[]): Promise<number> {
  const v = parse(args, { 'data-dir': { type: 'string' }, config: { type: 'string' } });
  const dataDir = typeof v['data-dir'] === 'string' ? v['data-dir'] : defaultDataDir();
  const { core } = await buildHeadlessCore({ dataDir, configFile: findConfigFile(v.config as string | undefined, dataDir), mode: 'serve' });
  try {
    process.stdout.write(`${core.meter.proxyToken()}\n`);
    return 0;
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  } finally {
    await core.stop();
  }
}

/** Says at start when popups cannot work here, instead of letting each alert fail silently later. */
async function warnIfNoPopups(core: HeadlessCore['core']): Promise<void> {
  const { channels } = await core.api.getAlerts();
  if (!channels.some((c) => c.type === 'popup')) return;
  const problem = await desktopNotificationProblem();
  if (problem) process.stderr.write(`spendbar: warning: ${problem}\n`);
}

function humanLine(r: Record<string, unknown>): string {
  const fmt = (m: unknown) => (m && typeof m === 'object' ? `${(m as { amount: number }).amount} ${(m as { currency: string }).currency}` : '—');
  if (!r.ok) return `✗ ${String(r.accountId)}: ${String(r.error)}`;
  const spent = (r.spent ?? {}) as Record<string, unknown>;
  return `✓ ${String(r.accountId)}: balance ${fmt(r.balance)}, today ${fmt(spent.today)}, month ${fmt(spent.month)}`;
}

async function serve(args: string[]): Promise<number> {
  const v = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    demo: { type: 'boolean' },
  });
  const port = v.port === undefined ? 8787 : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, not '${String(v.port)}'.`);
  const host = typeof v.host === 'string' ? v.host : '127.0.0.1';
  const token = typeof v.token === 'string' ? v.token : process.env.SPENDBAR_TOKEN;
  if (!isLoopback(host) && !token) throw new CliError(`--host ${host} serves your spend to the network: also pass --token (or set SPENDBAR_TOKEN).`);

  const explicitDir = typeof v['data-dir'] === 'string' ? v['data-dir'] : undefined;
  let dataDir = explicitDir ?? defaultDataDir();
  const configFile = findConfigFile(v.config as string | undefined, dataDir);
  let demo: Demo | undefined;
  // Decided without opening the database: a demo must never create, migrate or lock the user's real store.
  const useDemo = Boolean(v.demo) && !hasConfiguredAccounts(dataDir, configFile);
  if (v.demo && !useDemo) process.stderr.write('spendbar: --demo ignored: accounts are configured.\n');
  let built;
  if (useDemo) {
    // The demo polls a month of history from its fake world at start: seconds of JavaScript worth optimizing.
    optimizingCompilers.turnOn();
    // Demo data goes to its own folder unless one is given, so it never mixes with real accounts.
    dataDir = explicitDir ?? mkdtempSync(join(tmpdir(), 'spendbar-demo-'));
    demo = await startDemo();
    built = await buildHeadlessCore({ dataDir, configFile: undefined, mode: 'serve', demoAccounts: demo.accounts });
  } else {
    built = await buildHeadlessCore({ dataDir, configFile, mode: 'serve' });
  }
  const { core, warnings } = built;
  if (demo) {
    // A month of hourly history, polled from the demo world through the real adapters, then the first live poll.
    await pollDemoHistory(demo, { days: DEMO_HISTORY_DAYS, save: (batch) => core.importSnapshots(batch) });
    await core.pollAll();
    // A day of metered requests (the gateway's own log, demo-requests.ts), so the Requests view has rows.
    for (const r of demoProxyRecords(demo.gatewayLog(), Date.now(), (k) => core.meter.keyId(k))) core.meter.recorder.add(r);
    await core.meter.recorder.flush();
  }
  for (const w of warnings) process.stderr.write(`spendbar: warning: ${w}\n`);
  await warnIfNoPopups(core);
  const staticDir = join(PACKAGE_ROOT, 'dist', 'renderer');
  const hasDashboard = existsSync(join(staticDir, 'index.html'));
  const server = await startServer({
    api: core.api,
    host,
    port,
    token,
    staticDir: hasDashboard ? staticDir : undefined,
    redactor: core.redactor,
    metricsTotals: core.metricsTotals,
    proxy: core.meter.handler({ serveToken: token }),
    afterBurst: core.afterBurst,
  });
  core.meter.setUrl(server.url);
  await core.start();
  process.stdout.write(`Spendbar is serving on ${server.url}${token ? '  (open with #token=<your token>)' : ''}\n`);
  process.stdout.write(`  metering proxy: ${server.url}/proxy/<account id>  (API key: yours, or the token \`spendbar proxy-token\` prints)\n`);
  process.stdout.write(`  data: ${dataDir}${demo ? '  (demo: fake providers, no real keys)' : ''}\n`);
  if (!hasDashboard) {
    process.stderr.write('spendbar: warning: this copy has no dashboard (dist/renderer is missing and Vite is not installed to build it); the API and /metrics work. Reinstall from a checkout with `npm install`.\n');
  }

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('Spendbar is stopping…\n');
  await server.close();
  closeIdleUpstreams();
  await core.stop();
  await demo?.stop();
  return 0;
}
