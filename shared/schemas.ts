// Validation schemas for everything that crosses a boundary: forms, HTTP bodies, IPC calls, settings files.
// Used by the renderer, the server and the Electron main process alike, so: no Node, no DOM, only zod.
import { z } from 'zod';
import type { AccountInput, TotalsQuery } from './api.ts';
import type { Account, CredentialHint, ProviderId, SeriesQuery } from './domain.ts';
import { isUtcZone, MIN_POLL_INTERVAL_SEC } from './domain.ts';

const PROVIDER_IDS = [
  'newapi',
  'openrouter',
  'deepseek',
  'surfercloud',
  'openai',
  'anthropic',
  'moonshot',
  'siliconflow',
  'custom',
  'xai',
  'litellm',
] as const satisfies readonly ProviderId[];

export const accountIdSchema = z
  .string({ error: 'Account id must be a string' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, {
    error: "Account id must be 1–40 lowercase letters, digits, '-' or '_', starting with a letter or digit",
  });

/** Ids that are words of the HTTP API (`/api/accounts/test`): a new account may not take them. */
export const RESERVED_ACCOUNT_IDS = ['test', 'new'] as const;

/** An id for a new account: a valid id that is not a route word. */
export const newAccountIdSchema = accountIdSchema.refine((id) => !(RESERVED_ACCOUNT_IDS as readonly string[]).includes(id), {
  error: (issue) => `Account id '${String(issue.input)}' is reserved (it is part of the API's addresses); pick another, e.g. '${String(issue.input)}-1'`,
});

export const providerIdSchema = z.enum(PROVIDER_IDS, {
  error: `Provider must be one of: ${PROVIDER_IDS.join(', ')}`,
});

const BASE_URL_MESSAGE = 'Base URL must be an absolute http(s) URL, e.g. https://openrouter.ai/api/v1';

function isPlainHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Credentials in a URL end up in logs and settings files in clear; they belong in the secret store.
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
}

export const baseUrlSchema = z
  .string({ error: BASE_URL_MESSAGE })
  .trim()
  .refine(isPlainHttpUrl, { error: BASE_URL_MESSAGE });

export const MAX_POLL_INTERVAL_SEC = 86_400;

export const pollIntervalSchema = z
  .number({ error: 'Poll interval must be a number of seconds' })
  .int({ error: 'Poll interval must be a whole number of seconds' })
  .min(MIN_POLL_INTERVAL_SEC, { error: `Poll interval must be at least ${MIN_POLL_INTERVAL_SEC} seconds` })
  .max(MAX_POLL_INTERVAL_SEC, { error: `Poll interval must be at most ${MAX_POLL_INTERVAL_SEC} seconds (one day)` });

const labelSchema = z
  .string({ error: 'Label must be a string' })
  .trim()
  .min(1, { error: 'Label must not be empty' })
  .max(80, { error: 'Label must be at most 80 characters' });

const optionValueSchema = z.union([z.string(), z.array(z.string())], {
  error: 'Option values must be text or a list of text',
});

/** Names that are secrets wherever they appear; they never belong among an account's plain options. */
const SECRET_NAME = /^(api[-_]?key|private[-_]?key|public[-_]?key)$|(secret|password|token)$/i;

/**
 * A custom endpoint's header that carries a credential must take it from the API key field ({apiKey}): written out
 * it would sit in the settings file and reach the UI in clear. Returns the problem, or null.
 */
export function secretHeaderProblem(line: string): string | null {
  const name = line.split(':', 1)[0]?.trim() ?? '';
  if (!/auth|key|token|secret|cookie|session/i.test(name) || line.includes('{apiKey}')) return null;
  return `the ${name.slice(0, 40)} header must use {apiKey} (e.g. "${name.slice(0, 40)}: Bearer {apiKey}"), with the secret in the API key field`;
}

const optionsSchema = z.record(z.string(), optionValueSchema).superRefine((options, ctx) => {
  for (const [name, value] of Object.entries(options)) {
    if (SECRET_NAME.test(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `'${name}' is a secret: it goes in the credentials, not among the options`,
      });
    }
    if (name === 'headers') {
      const lines = Array.isArray(value) ? value : value.split(',');
      const problem = lines.map(secretHeaderProblem).find((p) => p !== null);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
  }
});

/** Forms send "" for a field left empty: that means "use the provider's default". */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const accountInputSchema = z.object({
  id: z.preprocess(emptyToUndefined, accountIdSchema.optional()),
  provider: providerIdSchema,
  label: labelSchema,
  baseUrl: z.preprocess(emptyToUndefined, baseUrlSchema.optional()),
  pollIntervalSec: pollIntervalSchema.optional(),
  options: optionsSchema.optional(),
  credentials: z.record(z.string(), z.string({ error: 'Credential values must be text' })).optional(),
}) satisfies z.ZodType<AccountInput>;

const HINT_ONLY = 'Only a credential hint ({ set, masked, from }) is kept here; the value itself goes in the secret store';

const credentialHintSchema = z.strictObject(
  {
    set: z.boolean(),
    // What maskSecret produces: "••••", or a known prefix, an ellipsis and the last four characters.
    masked: z
      .string()
      .regex(/^(••••|[A-Za-z0-9_-]{0,24}…\S{4})$/, { error: 'A masked hint shows at most a prefix and the last 4 characters' })
      .optional(),
    from: z.enum(['store', 'inline', 'env']),
    env: z.string().optional(),
  },
  { error: HINT_ONLY },
) satisfies z.ZodType<CredentialHint>;

/** An account as stored: strict, so a stray secret field is refused rather than silently written to disk. */
export const accountSchema = z.strictObject({
  id: accountIdSchema,
  provider: providerIdSchema,
  label: labelSchema,
  baseUrl: baseUrlSchema.optional(),
  pollIntervalSec: pollIntervalSchema,
  options: optionsSchema.optional(),
  credentials: z.record(z.string(), credentialHintSchema).optional(),
  demo: z.boolean().optional(),
  source: z.enum(['config', 'settings']).optional(),
}) satisfies z.ZodType<Account>;

export function isValidTimeZone(zone: string): boolean {
  if (isUtcZone(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .refine(isValidTimeZone, { error: 'Time zone must be an IANA zone name such as Europe/Berlin or UTC' });

/** Two years of buckets is the most a chart asks for; a wider span is a mistake, not a query. */
export const MAX_QUERY_SPAN_MS = 2 * 366 * 86_400_000;

const epochMs = z.number({ error: 'Expected a time in epoch milliseconds' }).int().nonnegative();
const stringList = z.array(z.string()).optional();

function checkRange(q: { from: number; to: number }, ctx: z.RefinementCtx): void {
  if (q.from >= q.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: "'to' must be after 'from'" });
  } else if (q.to - q.from > MAX_QUERY_SPAN_MS) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'The time range must span at most 2 years' });
  }
}

/** Billed: usage as the provider reports it (polled). Metered: what the proxy measured. Never mixed in one answer. */
const usageSourceSchema = z.enum(['billed', 'metered'], { error: 'source must be "billed" or "metered"' });

export const seriesQuerySchema = z
  .object({
    metric: z.enum(['requests', 'inputTokens', 'outputTokens', 'totalTokens', 'cachedTokens', 'reasoningTokens', 'cost', 'balance']),
    bucket: z.enum(['hour', 'day', 'week', 'month']),
    groupBy: z.enum(['account', 'model', 'key', 'none']),
    from: epochMs,
    to: epochMs,
    accountIds: stringList,
    models: stringList,
    keys: stringList,
    timeZone: timeZoneSchema.optional(),
    maxPoints: z.number().int().min(1).max(10_000).optional(),
    source: usageSourceSchema.optional(),
  })
  .superRefine(checkRange) satisfies z.ZodType<SeriesQuery>;

export const totalsQuerySchema = z
  .object({
    groupBy: z.enum(['account', 'model', 'key']),
    from: epochMs,
    to: epochMs,
    accountIds: stringList,
    models: stringList,
    keys: stringList,
    source: usageSourceSchema.optional(),
  })
  .superRefine(checkRange) satisfies z.ZodType<TotalsQuery>;

export const glanceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('today') }),
  z.strictObject({ kind: z.literal('month') }),
  z.strictObject({ kind: z.literal('balance'), accountId: accountIdSchema }),
]);

export const preferencesSchema = z.strictObject({
  timeZone: timeZoneSchema.optional(),
  glance: glanceSchema,
  launchAtLogin: z.boolean(),
  retentionDays: z.number().int().min(1, { error: 'Keep raw snapshots at least 1 day' }).max(3650),
  concurrency: z.number().int().min(1, { error: 'Concurrency must be at least 1' }).max(32),
});

/** One monthly budget: a money currency and a positive amount in major units. */
export const budgetSchema = z.strictObject({
  currency: z.string({ error: 'Currency must be a code such as USD' }).regex(/^[A-Z]{3}$/, { error: 'Currency must be a three-letter code such as USD or CNY' }),
  amount: z
    .number({ error: 'Budget must be a number' })
    .min(0, { error: 'Budget must not be negative' })
    .max(1e9, { error: 'Budget is too large' }),
});

export const budgetsSchema = z.array(budgetSchema, { error: 'Budgets must be a list' }).max(50).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((b, i) => {
    if (seen.has(b.currency)) ctx.addIssue({ code: 'custom', path: [i, 'currency'], message: `There are two ${b.currency} budgets; keep one` });
    seen.add(b.currency);
  });
});

export const settingsSchema = z
  .strictObject({
    accounts: z.array(accountSchema),
    alerts: z.array(z.unknown()),
    budgets: budgetsSchema.optional(),
    alertChannels: z.array(z.unknown()).optional(),
    quietHours: z.unknown().optional(),
    preferences: preferencesSchema,
  })
  .superRefine((settings, ctx) => {
    const seen = new Set<string>();
    settings.accounts.forEach((account, i) => {
      if (seen.has(account.id)) {
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `Account id '${account.id}' is used twice` });
      }
      seen.add(account.id);
    });
  });

export type AccountInputParsed = z.infer<typeof accountInputSchema>;
export type AccountParsed = z.infer<typeof accountSchema>;
export type PreferencesParsed = z.infer<typeof preferencesSchema>;
export type SettingsParsed = z.infer<typeof settingsSchema>;

/** "accounts[1].baseUrl" from ['accounts', 1, 'baseUrl']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

type Issue = z.core.$ZodIssue;

/** One issue, as "path: message". Unknown keys are named one by one, so the path points at the offending field. */
function issueLines(issue: Issue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const where = formatPath([...issue.path, key]);
      const custom = issue.message.startsWith('Unrecognized key') ? 'unknown field' : issue.message;
      return `${where}: ${custom}`;
    });
  }
  const where = formatPath(issue.path);
  return [where === '' ? issue.message : `${where}: ${issue.message}`];
}

/** The path of the first problem ("accounts[1].baseUrl"), for the `field` of an API error. */
export function firstIssuePath(error: z.ZodError | readonly Issue[]): string | undefined {
  const issues = Array.isArray(error) ? (error as readonly Issue[]) : (error as z.ZodError).issues;
  const first = issues[0];
  if (!first) return undefined;
  const path = first.code === 'unrecognized_keys' && first.keys[0] !== undefined ? [...first.path, first.keys[0]] : first.path;
  return formatPath(path) || undefined;
}

/** One clear line per problem, each with its field path: "accounts[1].baseUrl: Base URL must be …". */
export function formatIssues(error: z.ZodError | readonly Issue[]): string {
  const issues = Array.isArray(error) ? (error as readonly Issue[]) : (error as z.ZodError).issues;
  return issues.flatMap(issueLines).join('\n');
}

/**
 * Messages for a form: each names its field in words already ("Poll interval must be at least 60 seconds"), so a
 * top-level field's path is left out of the text (it travels as the error's `field`). Deeper paths and unknown keys
 * keep their path, since the words alone would not say where.
 */
export function formatForForm(error: z.ZodError | readonly Issue[]): string {
  const issues = Array.isArray(error) ? (error as readonly Issue[]) : (error as z.ZodError).issues;
  const lines = issues.map((i) => (i.code === 'unrecognized_keys' || i.path.length > 1 ? formatIssues([i]) : i.message));
  return [...new Set(lines)].join('\n');
}
