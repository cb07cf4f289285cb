// One account of the headless config file: its fields checked, its credentials resolved (inline or from an
// environment variable). A problem here marks this account with a 'config' error and never stops the others.
import type { FieldDescriptor, ProviderDescriptor } from '../../../shared/api.ts';
import type { Account, CredentialHint, PollError, ProviderId } from '../../../shared/domain.ts';
import { DEFAULT_POLL_INTERVAL_SEC } from '../../../shared/domain.ts';
import { accountIdSchema, baseUrlSchema, pollIntervalSchema, providerIdSchema, secretHeaderProblem } from '../../../shared/schemas.ts';
import { maskSecret } from '../errors.ts';
import { looksLikeKey } from '../redaction.ts';

export interface ConfigAccount {
  account: Account;
  /** Resolved secret values by field name; empty when the account has an error. */
  credentials: Record<string, string>;
  /** Set when the account cannot be polled as written; its message says what to change. */
  error?: PollError;
}

export interface AccountContext {
  env: NodeJS.ProcessEnv;
  descriptors: (id: string) => ProviderDescriptor | undefined;
  /** Ids taken by earlier accounts, with the index that took them. */
  taken: Map<string, number>;
  /** Every string id in the file, so a stand-in id for a broken account collides with none of them. */
  allIds: Set<string>;
}

export interface AccountReading {
  result: ConfigAccount;
  warnings: string[];
  /** Whether a secret value is written in the file itself (for the file-permission warning). */
  hasInlineSecret: boolean;
}

const BASE_FIELDS = new Set(['id', 'provider', 'label', 'baseUrl', 'pollIntervalSec']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Short, plain words are echoed in messages; anything else (a pasted key above all) is not. */
const ECHOABLE_SHAPE = /^[\w .-]{1,40}$/;
const echoable = (v: string) => ECHOABLE_SHAPE.test(v) && !looksLikeKey(v);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function standInId(index: number, allIds: Set<string>): string {
  let id = `invalid-${index + 1}`;
  for (let n = 2; allIds.has(id); n++) id = `invalid-${index + 1}-${n}`;
  allIds.add(id);
  return id;
}

function firstMessage(result: { success: boolean; error?: { issues: { message: string }[] } }): string {
  return result.error?.issues[0]?.message ?? 'invalid value';
}

function hintFor(value: string, from: 'inline' | 'env', env?: string): CredentialHint {
  const hint: CredentialHint = { set: true, from };
  if (value.length >= 8) hint.masked = maskSecret(value);
  if (env !== undefined) hint.env = env;
  return hint;
}

/** Reads one credential field; returns the value, or a problem phrased without the value in it. */
function readCredential(
  raw: Record<string, unknown>,
  field: FieldDescriptor,
  env: NodeJS.ProcessEnv,
): { value?: string; hint?: CredentialHint; problem?: string; inline?: boolean } {
  const name = field.name;
  const envKey = `${name}Env`;
  const inline = raw[name];
  const envName = raw[envKey];
  if (inline !== undefined && envName !== undefined) {
    return { problem: `set either ${name} or ${envKey}, not both`, inline: true };
  }
  if (envName !== undefined) {
    if (typeof envName !== 'string' || !ENV_NAME.test(envName)) {
      return { problem: `${envKey} must be the name of an environment variable, e.g. "${envKey}": "MY_${name.toUpperCase()}"` };
    }
    const value = env[envName];
    if (value === undefined) return { problem: `${envKey} names ${envName}, which is not set in the environment` };
    if (value.trim() === '') return { problem: `${envKey} names ${envName}, which is empty in the environment` };
    return { value, hint: hintFor(value, 'env', envName) };
  }
  if (inline !== undefined) {
    if (typeof inline !== 'string' || inline.trim() === '') {
      return { problem: `${name} must be non-empty text (or use "${envKey}" to read it from the environment)`, inline: true };
    }
    return { value: inline, hint: hintFor(inline, 'inline'), inline: true };
  }
  if (field.required) {
    return { problem: `${name} is missing: add "${envKey}": "NAME_OF_ENV_VAR" (or "${name}" inline)` };
  }
  return {};
}

function readOption(value: unknown, field: FieldDescriptor): { value?: string | string[]; problem?: string } {
  if (value === undefined || value === null || value === '') {
    return field.required ? { problem: `${field.name} is missing${field.help ? ` (${field.help})` : ''}` } : {};
  }
  if (field.type === 'list') {
    const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
    if (!items || !items.every((item) => typeof item === 'string')) {
      return { problem: `${field.name} must be a list of text, or one comma-separated string` };
    }
    const list = items.map((item) => item.trim()).filter((item) => item !== '');
    return list.length === 0 && field.required ? { problem: `${field.name} is empty` } : { value: list };
  }
  // Ids are often numbers in people's configs ("userId": 7); any finite number is taken as its text.
  if (typeof value === 'number' && Number.isFinite(value)) return { value: String(value) };
  if (typeof value !== 'string') return { problem: `${field.name} must be text` };
  return { value: value.trim() };
}

/**
 * Members of grouped objects (custom's `request` and `figures`) as option fields: numbers become text and a
 * `headers` object becomes "Name: value" lines. A member also set at the top level is a problem, not a guess.
 */
function flattenGroups(fields: Record<string, unknown>, groups: string[]): { fields: Record<string, unknown>; problems: string[] } {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const group of groups) {
    const value = fields[group];
    if (value === undefined) continue;
    if (!isRecord(value)) {
      problems.push(`${group} must be an object`);
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      if (fields[key] !== undefined || out[key] !== undefined) {
        problems.push(`${group}.${key} is set twice: keep one`);
        continue;
      }
      if (key === 'headers' && (isRecord(v) || Array.isArray(v))) {
        const lines = Array.isArray(v)
          ? v.map((l: unknown) => (typeof l === 'string' ? l : undefined))
          : Object.entries(v).map(([h, hv]) => (typeof hv === 'string' ? `${h}: ${hv}` : undefined));
        const secret = lines.map((l) => (l === undefined ? null : secretHeaderProblem(l))).find((p) => p !== null);
        if (lines.some((l) => l === undefined)) problems.push(`${group}.headers values must be text`);
        // Never kept, not even on the broken account: the line may hold a key.
        else if (secret) problems.push(`${group}.headers: ${secret}`);
        else out[key] = lines;
      } else if (typeof v === 'number' && Number.isFinite(v)) out[key] = String(v);
      else if (key === 'body' && isRecord(v)) out[key] = JSON.stringify(v);
      else out[key] = v;
    }
  }
  return { fields: out, problems };
}

export function readConfigAccount(raw: unknown, index: number, ctx: AccountContext): AccountReading {
  const where = `accounts[${index}]`;
  const problems: string[] = [];
  const warnings: string[] = [];
  const fields: Record<string, unknown> = isRecord(raw) ? { ...raw } : {};
  if (!isRecord(raw)) problems.push(`must be an object like {"id": "main", "provider": "openrouter", …}`);

  // The id: the account's name in every message, so settle it first.
  let id: string | undefined;
  if (fields.id === undefined) {
    if (isRecord(raw)) problems.push(`no id: add "id": "a-short-name" (lowercase letters, digits, '-' or '_')`);
  } else if (typeof fields.id === 'string' && looksLikeKey(fields.id)) {
    // A key pasted as the id would be shown on every card, label and log line: refuse it without repeating it.
    problems.push('the id looks like an API key: give the account a short name such as "main" (keys go in "apiKey" or "apiKeyEnv")');
  } else {
    const parsed = accountIdSchema.safeParse(fields.id);
    if (!parsed.success) problems.push(firstMessage(parsed));
    else if (ctx.taken.has(parsed.data)) {
      problems.push(`the id '${parsed.data}' is already used by accounts[${ctx.taken.get(parsed.data)}]: give each account its own id`);
    } else {
      id = parsed.data;
      ctx.taken.set(id, index);
    }
  }
  const name = typeof fields.id === 'string' && echoable(fields.id) ? `Account '${fields.id}'` : `Account ${where}`;

  let descriptor: ProviderDescriptor | undefined;
  const providerRaw = fields.provider;
  const known = providerIdSchema.options.join(', ');
  if (providerRaw === undefined) {
    if (isRecord(raw)) problems.push(`provider is missing: use one of ${known}`);
  } else if (typeof providerRaw !== 'string' || !(descriptor = ctx.descriptors(providerRaw))) {
    const shown = typeof providerRaw === 'string' && echoable(providerRaw) ? ` "${providerRaw}"` : '';
    problems.push(`unknown provider${shown}: use one of ${known}`);
  }

  let label = id ?? (typeof fields.id === 'string' && echoable(fields.id) ? fields.id : where);
  if (fields.label !== undefined) {
    if (typeof fields.label === 'string' && fields.label.trim() !== '') label = fields.label.trim();
    else problems.push('label must be non-empty text');
  }

  let baseUrl: string | undefined;
  if (fields.baseUrl !== undefined) {
    // The message never echoes the URL: a malformed one may well have a password in it.
    const parsed = baseUrlSchema.safeParse(fields.baseUrl);
    if (parsed.success) baseUrl = parsed.data;
    else problems.push(firstMessage(parsed));
  }

  let pollIntervalSec = DEFAULT_POLL_INTERVAL_SEC;
  if (fields.pollIntervalSec !== undefined) {
    const parsed = pollIntervalSchema.safeParse(fields.pollIntervalSec);
    if (parsed.success) pollIntervalSec = parsed.data;
    else problems.push(firstMessage(parsed));
  }

  const credentials: Record<string, string> = {};
  const hints: Record<string, CredentialHint> = {};
  const options: Record<string, string | string[]> = {};
  let hasInlineSecret = false;
  const knownFields = new Set(BASE_FIELDS);
  if (descriptor?.configGroups) {
    const flat = flattenGroups(fields, descriptor.configGroups);
    problems.push(...flat.problems);
    for (const group of descriptor.configGroups) knownFields.add(group);
    Object.assign(fields, flat.fields);
  }
  if (descriptor) {
    for (const field of descriptor.credentialFields) {
      knownFields.add(field.name).add(`${field.name}Env`);
      const got = readCredential(fields, field, ctx.env);
      if (got.inline) hasInlineSecret = true;
      if (got.problem) problems.push(got.problem);
      if (got.value !== undefined && got.hint) {
        credentials[field.name] = got.value;
        hints[field.name] = got.hint;
      }
    }
    for (const field of descriptor.optionFields) {
      knownFields.add(field.name);
      const got = readOption(fields[field.name], field);
      if (got.problem) problems.push(got.problem);
      if (got.value !== undefined) options[field.name] = got.value;
    }
    for (const key of Object.keys(fields)) {
      if (!knownFields.has(key) && !key.includes('.')) warnings.push(`${name}: unknown field '${key}' is ignored`);
    }
    for (const group of descriptor.configGroups ?? []) {
      const members = isRecord(raw) && isRecord(raw[group]) ? Object.keys(raw[group]) : [];
      for (const key of members) if (!knownFields.has(key)) warnings.push(`${name}: unknown field '${group}.${key}' is ignored`);
    }
  }

  const account: Account = {
    id: id ?? standInId(index, ctx.allIds),
    // An account with an error is never polled, so an unknown provider can stand here as the user wrote it.
    provider: (descriptor?.id ?? (typeof providerRaw === 'string' && echoable(providerRaw) ? providerRaw : 'unknown')) as ProviderId,
    label,
    pollIntervalSec,
    source: 'config',
  };
  if (baseUrl !== undefined) account.baseUrl = baseUrl;
  if (Object.keys(options).length > 0) account.options = options;
  if (Object.keys(hints).length > 0) account.credentials = hints;

  if (problems.length === 0) return { result: { account, credentials }, warnings, hasInlineSecret };
  return {
    result: { account, credentials: {}, error: { kind: 'config', message: `${name}: ${problems.join('; ')}` } },
    warnings,
    hasInlineSecret,
  };
}
