// The headless config file (`spendbar serve --config config.json`):
//   {"accounts": [{"id", "provider", "label", "baseUrl", "pollIntervalSec", apiKey | apiKeyEnv, …options}],
//    "alerts": […], "preferences": {…}}
// A file that cannot be read as a whole throws ConfigFileError; a bad account is marked with a 'config' error
// and the others load. No message ever holds a secret value, and JSON.parse's own messages are not passed
// on because they quote the file around the error, which is where an inline key would be.
import { readFileSync, statSync } from 'node:fs';
import type { ProviderDescriptor } from '../../../shared/api.ts';
import { formatIssues, preferencesSchema } from '../../../shared/schemas.ts';
import type { Preferences } from '../ports.ts';
import { readConfigAccount, type ConfigAccount } from './config-account.ts';
import { ConfigFileError } from './errors.ts';
import { MAX_ACCOUNTS, MAX_ALERT_RULES, MAX_CONFIG_BYTES } from '../limits.ts';

export type { ConfigAccount };

export interface LoadConfigOptions {
  env: NodeJS.ProcessEnv;
  descriptors: (id: string) => ProviderDescriptor | undefined;
}

export interface LoadedConfig {
  accounts: ConfigAccount[];
  alerts: unknown[];
  /** Alert channels (webhooks), with `urlEnv` resolved from the environment; validated by the alerts module. */
  channels: unknown[];
  quietHours?: unknown;
  preferences: Partial<Preferences>;
  /** Things worth telling the user that do not stop anything: unknown fields, loose file permissions. */
  warnings: string[];
}

const TOP_LEVEL = new Set(['accounts', 'alerts', 'channels', 'quietHours', 'preferences', '$schema']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

/** Where a bare token V8 did not locate sits: the first thing outside a string that JSON has no place for. */
function findStrayToken(text: string): number | undefined {
  const literal = /true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      i++;
    } else if (/[\s{}[\]:,]/.test(c)) {
      i++;
    } else {
      literal.lastIndex = i;
      const m = literal.exec(text);
      if (!m) return i;
      i += m[0].length;
    }
  }
  return undefined;
}

function jsonError(path: string, text: string, err: unknown): ConfigFileError {
  const message = err instanceof Error ? err.message : '';
  const located = /^(.*?)(?: in JSON| after JSON)? at position (\d+)/.exec(message);
  let position = located ? Number(located[2]) : findStrayToken(text);
  // V8's phrase is kept only when it quotes nothing from the file.
  let reason = located && !located[1]!.includes('"') ? located[1]! : 'unexpected character';
  if (/end of JSON input/.test(message)) {
    position = undefined;
    reason = 'the file ends too early (a missing } or ] or closing quote?)';
  }
  if (position === undefined) return new ConfigFileError(`${path} is not valid JSON: ${reason}`, path);
  const { line, column } = lineAndColumn(text, position);
  return new ConfigFileError(`${path} is not valid JSON at line ${line}, column ${column}: ${reason}`, path, { line, column });
}

function readText(path: string): string {
  try {
    // Looked at before it is read: a config file is small, and a huge one is a mistake (or someone else's file).
    const size = statSync(path).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new ConfigFileError(`Config file ${path} is ${(size / 1024 / 1024).toFixed(1)} MB; Spendbar reads config files of at most ${MAX_CONFIG_BYTES / 1024 / 1024} MB`, path);
    }
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    if (err instanceof ConfigFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read (permission denied)'
          : code === 'EISDIR'
            ? 'is a folder, not a file'
            : `cannot be read (${code ?? String(err)})`;
    throw new ConfigFileError(`Config file ${path} ${why}`, path);
  }
}

function readPreferences(raw: unknown, path: string, warnings: string[]): Partial<Preferences> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw new ConfigFileError(`${path}: "preferences" must be an object`, path);
  const shape = preferencesSchema.shape as Record<string, (typeof preferencesSchema.shape)[keyof typeof preferencesSchema.shape]>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const schema = shape[key];
    if (!schema) {
      warnings.push(`${path}: unknown preference '${key}' is ignored`);
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else warnings.push(`${path}: preferences.${key} is ignored: ${formatIssues(parsed.error).replace(/\n/g, '; ')}`);
  }
  return out as Partial<Preferences>;
}

/** Reads and checks the config file. Throws ConfigFileError only for problems with the file as a whole. */
export function loadConfigFile(path: string, opts: LoadConfigOptions): LoadedConfig {
  const text = readText(path);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw jsonError(path, text, err);
  }
  if (!isRecord(data)) {
    throw new ConfigFileError(`${path} must hold a JSON object like {"accounts": […]}`, path);
  }

  const warnings: string[] = [];
  for (const key of Object.keys(data)) {
    if (!TOP_LEVEL.has(key)) warnings.push(`${path}: unknown top-level field '${key}' is ignored`);
  }
  const rawAccounts = data.accounts ?? [];
  if (!Array.isArray(rawAccounts)) throw new ConfigFileError(`${path}: "accounts" must be a list`, path);
  if (rawAccounts.length > MAX_ACCOUNTS) {
    throw new ConfigFileError(`${path} lists ${rawAccounts.length} accounts; Spendbar watches at most ${MAX_ACCOUNTS}`, path);
  }
  const alerts = data.alerts ?? [];
  if (!Array.isArray(alerts)) throw new ConfigFileError(`${path}: "alerts" must be a list`, path);
  if (alerts.length > MAX_ALERT_RULES) {
    throw new ConfigFileError(`${path} lists ${alerts.length} alert rules; Spendbar keeps at most ${MAX_ALERT_RULES}`, path);
  }
  const preferences = readPreferences(data.preferences, path, warnings);
  const channels = readChannels(data.channels, path, opts.env, warnings);

  const allIds = new Set(rawAccounts.flatMap((a: unknown) => (isRecord(a) && typeof a.id === 'string' ? [a.id] : [])));
  const ctx = { env: opts.env, descriptors: opts.descriptors, taken: new Map<string, number>(), allIds };
  const accounts: ConfigAccount[] = [];
  let hasInlineSecret = false;
  rawAccounts.forEach((raw: unknown, index: number) => {
    const reading = readConfigAccount(raw, index, ctx);
    accounts.push(reading.result);
    warnings.push(...reading.warnings);
    hasInlineSecret ||= reading.hasInlineSecret;
  });

  // Windows has no such mode bits; there the folder's ACL is what protects the file.
  if (hasInlineSecret && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    warnings.push(`${path} holds inline API keys and is readable by other users: chmod 600 ${path} or use apiKeyEnv`);
  }
  const out: LoadedConfig = { accounts, alerts, channels, preferences, warnings };
  if (data.quietHours !== undefined) out.quietHours = data.quietHours;
  return out;
}

/** Webhook URLs are credentials too (anyone holding a Slack hook can post): like keys, they may come from the environment. */
function readChannels(raw: unknown, path: string, env: NodeJS.ProcessEnv, warnings: string[]): unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigFileError(`${path}: "channels" must be a list`, path);
  return raw.flatMap((c: unknown, i: number) => {
    if (!isRecord(c) || c.urlEnv === undefined) return [c];
    const { urlEnv, ...rest } = c;
    const value = typeof urlEnv === 'string' ? env[urlEnv] : undefined;
    if (!value) {
      warnings.push(`${path}: channels[${i}] is skipped: urlEnv names ${String(urlEnv)}, which is not set in the environment`);
      return [];
    }
    return [{ ...rest, url: value }];
  });
}
