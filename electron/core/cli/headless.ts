// Builds the core for headless use: conf settings and file-key secrets in the data dir, accounts from the
// config file (read-only), node-notifier popups.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigAccount } from '../accounts.ts';
import { createCore, type EngineCore } from '../engine.ts';
import type { AlertConfig } from '../alert-service.ts';
import type { Preferences } from '../ports.ts';
import { getDescriptor } from '../providers/registry.ts';
import { createConfSettingsStore } from '../settings/conf-settings.ts';
import { createFileSecretStore } from '../settings/file-secrets.ts';
import { loadConfigFile } from '../settings/config-file.ts';
import { ConfigFileError, SecretStoreError } from '../settings/errors.ts';
import { createNodeNotifier } from '../notify/node-notifier.ts';
import { packageVersion } from './paths.ts';

export class CliError extends Error {}

export interface HeadlessCore {
  core: EngineCore;
  warnings: string[];
}

export async function buildHeadlessCore(opts: {
  dataDir: string;
  configFile: string | undefined;
  mode: 'serve';
  demoAccounts?: ConfigAccount[];
  env?: NodeJS.ProcessEnv;
}): Promise<HeadlessCore> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const warnings: string[] = [];
  let configAccounts: ConfigAccount[] = opts.demoAccounts ?? [];
  let configAlerts: AlertConfig = {};
  let configPreferences: Partial<Preferences> = {};
  if (opts.configFile) {
    try {
      const loaded = loadConfigFile(opts.configFile, { env: opts.env ?? process.env, descriptors: getDescriptor });
      configAccounts = [...configAccounts, ...loaded.accounts];
      configAlerts = { rules: loaded.alerts, channels: loaded.channels, quietHours: loaded.quietHours };
      configPreferences = loaded.preferences;
      warnings.push(...loaded.warnings);
    } catch (err) {
      if (err instanceof ConfigFileError) throw new CliError(err.message);
      throw err;
    }
  }
  const settings = createConfSettingsStore(opts.dataDir);
  let secrets;
  try {
    secrets = createFileSecretStore(opts.dataDir);
  } catch (err) {
    if (err instanceof SecretStoreError) throw new CliError(err.message);
    throw err;
  }
  const core = await createCore({
    dataDir: opts.dataDir,
    mode: opts.mode,
    settings,
    secrets,
    notifier: createNodeNotifier(),
    configAccounts,
    configAlerts,
    configPreferences,
    demo: Boolean(opts.demoAccounts?.length),
    version: packageVersion(),
    proxyToken: (opts.env ?? process.env).SPENDBAR_PROXY_TOKEN || undefined,
  });
  warnings.push(...core.alertProblems().map((p) => `alert settings: ${p}`));
  return { core, warnings };
}

/**
 * Whether real accounts are set up (in the config file or in the data dir's settings), read without opening the
 * database or creating anything, so `serve --demo` never touches the user's store.
 */
export function hasConfiguredAccounts(dataDir: string, configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (configFile) {
    try {
      if (loadConfigFile(configFile, { env, descriptors: getDescriptor }).accounts.length > 0) return true;
    } catch (err) {
      if (err instanceof ConfigFileError) throw new CliError(err.message);
      throw err;
    }
  }
  if (!existsSync(join(dataDir, 'settings.json'))) return false;
  return createConfSettingsStore(dataDir).get().accounts.length > 0;
}
