// Alert rules, channels and history: the types and schemas the core, the settings file and the rule editor share.
// Config amounts are in MAJOR units ("amount": 5 means $5); validateRules converts them to micro-units once.
// No Node, no DOM: the renderer validates with the same code the core does.
import { z } from 'zod';
import type { Currency, Money } from './money.ts';
import { toMicros } from './money.ts';
import { formatIssues, isValidTimeZone } from './schemas.ts';

export const RULE_TYPES = [
  'balance-below',
  'runway-below',
  'spend-above',
  'quota-used',
  'token-budget',
  'spike',
  'provider-failing',
  'ratelimit-headroom',
  'rate-limited',
  'budget-pace',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** Each rule type in the user's words, as the editor and validation messages say it. */
export const RULE_TYPE_WORDS: Record<RuleType, string> = {
  'balance-below': 'Balance below',
  'runway-below': 'Runway below',
  'spend-above': 'Spend above',
  'quota-used': 'Quota or key cap used',
  'token-budget': 'Monthly token budget',
  spike: 'Spike in spend or requests',
  'provider-failing': 'Provider failing or stale',
  'ratelimit-headroom': 'Rate-limit headroom low',
  'rate-limited': 'Rate limited often (429s)',
  'budget-pace': 'On pace to exceed the monthly budget',
};

export type SpendWindow = 'today' | 'week' | 'month';
/** `account: "*"` applies a rule to every account, each evaluated on its own. */
export const ALL_ACCOUNTS = '*';
/** Re-arm margin in percent of the threshold when a rule does not set one. */
export const DEFAULT_MARGIN_PERCENT = 10;

interface RuleBase {
  id: string;
  name?: string;
  enabled: boolean;
  /** An account id, or "*" for every account. Absent: all accounts of `currency`, taken together. */
  account?: string;
  currency?: Currency;
  /** Hysteresis: how far (percent of the threshold) the value must recover before the rule fires again. */
  margin: number;
  /** Channel ids; every channel when absent. */
  channels?: string[];
}

export type AlertRule =
  | (RuleBase & { type: 'balance-below'; amount: Money })
  | (RuleBase & { type: 'runway-below'; days: number })
  | (RuleBase & { type: 'spend-above'; window: SpendWindow; amount: Money })
  | (RuleBase & { type: 'quota-used'; levels: number[] })
  | (RuleBase & { type: 'token-budget'; tokens: number; percent: number })
  /** `minimum` is micro-units of `currency` for cost, a request count for requests. */
  | (RuleBase & { type: 'spike'; metric: 'cost' | 'requests'; window: 'hour' | 'day'; factor: number; minimum: number })
  | (RuleBase & { type: 'provider-failing'; minutes: number })
  /** Metering proxy: a key's lowest remaining ÷ limit (any window) is under `percent`. */
  | (RuleBase & { type: 'ratelimit-headroom'; percent: number })
  /** Metering proxy: at least `count` 429 answers within the last `minutes`. */
  | (RuleBase & { type: 'rate-limited'; count: number; minutes: number })
  /** Fires when this month's forecast (month to date + the current pace to month end) exceeds the currency's budget. */
  | (RuleBase & { type: 'budget-pace'; currency: Currency });

export type Severity = 'info' | 'warning' | 'critical';

/** One row of the alert history. */
export interface AlertEvent {
  id: number;
  time: number;
  /** 'fired' when a rule breaches, 'recovered' when a failing provider answers again. */
  kind: 'fired' | 'recovered';
  ruleId: string;
  ruleType: RuleType;
  ruleName?: string;
  /** What was measured: an account id, or "currency:USD" for a currency-wide rule. */
  subject: string;
  accountId?: string;
  /** The dedupe window: "2025-03-04" for daily, "2025-03" for monthly, "" when the rule is not windowed. */
  window: string;
  /** rule + subject + window (+ level): fires at most once per breach. */
  dedupeKey: string;
  severity: Severity;
  title: string;
  body: string;
  value: number;
  threshold: number;
  unit: AlertUnit;
  acknowledgedAt: number | null;
  snoozedUntil: number | null;
  /** held: waiting for quiet hours to end; summarized: delivered in the summary popup. */
  popup: 'none' | 'sent' | 'held' | 'summarized' | 'snoozed';
  deliveries: Delivery[];
}

/** Money values are micro-units of `currency`. */
export type AlertUnit = { kind: 'money'; currency: Currency } | { kind: 'count' | 'percent' | 'days' | 'minutes' | 'tokens' };

export interface Delivery {
  channelId: string;
  ok: boolean;
  attempts: number;
  message?: string;
  at: number;
}

export interface AlertHistoryFilter {
  from?: number;
  to?: number;
  ruleId?: string;
  accountId?: string;
  kind?: AlertEvent['kind'];
  /** true: acknowledged only; false: unacknowledged only. */
  acknowledged?: boolean;
  limit?: number;
}

// ---- channels and quiet hours -----------------------------------------------------------------------------

export type WebhookFormat = 'json' | 'slack' | 'discord' | 'ntfy';

export type AlertChannel =
  | { id: string; type: 'popup'; name?: string }
  | { id: string; type: 'webhook'; name?: string; url: string; format: WebhookFormat };

export interface QuietHours {
  /** "22:00": local wall time in `timeZone` (the app's zone when absent). */
  start: string;
  end: string;
  timeZone?: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const idSchema = z.string().regex(ID, { error: "must be 1–64 letters, digits, '_', '.', ':' or '-'" });

export { isValidTimeZone };

function webhookUrlProblem(value: string, format: WebhookFormat): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Webhook URL must be an absolute http(s) URL, e.g. https://hooks.slack.com/services/…';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Webhook URL must start with http:// or https://';
  if (url.username || url.password) return 'Webhook URL must not contain a user name or password';
  if (format === 'ntfy' && url.pathname.replace(/\/+$/, '').split('/').pop() === '') {
    return 'An ntfy URL must name a topic, e.g. https://ntfy.sh/my-spendbar-alerts';
  }
  return null;
}

export const channelSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ id: idSchema, type: z.literal('popup'), name: z.string().optional() }),
      z.strictObject({
        id: idSchema,
        type: z.literal('webhook'),
        name: z.string().optional(),
        url: z.string({ error: 'Webhook URL must be text' }).trim(),
        format: z.enum(['json', 'slack', 'discord', 'ntfy'], { error: 'format must be json, slack, discord or ntfy' }).default('json'),
      }),
    ],
    { error: 'Channel type must be "popup" or "webhook"' },
  )
  .superRefine((c, ctx) => {
    if (c.type !== 'webhook') return;
    const problem = webhookUrlProblem(c.url, c.format);
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
  });

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
export const quietHoursSchema = z.strictObject({
  start: z.string().regex(HHMM, { error: 'Quiet hours start must be a time like "22:00"' }),
  end: z.string().regex(HHMM, { error: 'Quiet hours end must be a time like "07:00"' }),
  timeZone: z
    .string()
    .refine(isValidTimeZone, { error: 'Unknown time zone: use an IANA name such as "Europe/Berlin" or "UTC"' })
    .optional(),
});

/** Alert settings beside the rules: where alerts go and when popups wait. */
export interface AlertSettings {
  channels: AlertChannel[];
  quietHours?: QuietHours;
}

export const DEFAULT_CHANNELS: AlertChannel[] = [{ id: 'popup', type: 'popup' }];

export interface ItemError {
  index: number;
  message: string;
}

/** Validates channels one by one, like rules: a bad channel is reported and left out, the others work. */
export function validateChannels(raw: unknown[]): { channels: AlertChannel[]; errors: ItemError[] } {
  const channels: AlertChannel[] = [];
  const errors: ItemError[] = [];
  const seen = new Set<string>();
  raw.forEach((item, index) => {
    const parsed = channelSchema.safeParse(item);
    if (!parsed.success) {
      errors.push({ index, message: `Channel ${index + 1}: ${formatIssues(parsed.error).replace(/\n/g, '; ')}` });
    } else if (seen.has(parsed.data.id)) {
      errors.push({ index, message: `Channel ${index + 1}: the id "${parsed.data.id}" is used twice` });
    } else {
      seen.add(parsed.data.id);
      channels.push(parsed.data as AlertChannel);
    }
  });
  return { channels, errors };
}


/** Channels and quiet hours from settings: each problem gets a message, the valid parts are kept. */
export function validateAlertSettings(raw: { channels?: unknown; quietHours?: unknown }): AlertSettings & { errors: string[] } {
  const errors: string[] = [];
  let channels = DEFAULT_CHANNELS;
  if (raw.channels !== undefined) {
    if (Array.isArray(raw.channels)) {
      const v = validateChannels(raw.channels);
      channels = v.channels;
      errors.push(...v.errors.map((e) => e.message));
    } else errors.push('Alert channels must be a list');
  }
  const out: AlertSettings & { errors: string[] } = { channels, errors };
  if (raw.quietHours !== undefined && raw.quietHours !== null) {
    const q = quietHoursSchema.safeParse(raw.quietHours);
    if (q.success) out.quietHours = q.data as QuietHours;
    else errors.push(`Quiet hours: ${formatIssues(q.error).replace(/\n/g, '; ')}`);
  }
  return out;
}

// ---- rules ---------------------------------------------------------------------------------------------------

const currencySchema = z
  .string({ error: 'must be text' })
  .regex(/^([A-Z]{3}|TOKENS|QUOTA|CREDITS|REQUESTS)$/, { error: 'must be a currency code such as "USD" or "CNY"' });
const amountSchema = z.number({ error: 'must be a number' }).min(0, { error: 'must not be negative' }).max(1e12, { error: 'is too large' });
const percentSchema = z
  .number({ error: 'must be a number' })
  .gt(0, { error: 'must be more than 0' })
  .max(100, { error: 'must be at most 100 (it is a percentage)' });
const positive = z.number({ error: 'must be a number' }).gt(0, { error: 'must be more than 0' }).max(1e12, { error: 'is too large' });

const common = {
  id: idSchema.optional(),
  name: z.string({ error: 'must be text' }).max(80, { error: 'must be at most 80 characters' }).optional(),
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  account: z.string({ error: 'must be an account id' }).min(1, { error: 'must not be empty' }).optional(),
  currency: currencySchema.optional(),
  margin: z.number({ error: 'must be a number' }).min(0, { error: 'must not be negative' }).max(100, { error: 'must be at most 100 (it is a percentage)' }).optional(),
  channels: z.array(z.string({ error: 'must be channel ids' }), { error: 'must be a list of channel ids' }).optional(),
};
const needsCurrency = { currency: z.string({ error: 'is required: the currency of the amount, e.g. "USD"' }).pipe(currencySchema) };

const RULE_SCHEMAS = {
  'balance-below': z.strictObject({ ...common, type: z.literal('balance-below'), amount: amountSchema, ...needsCurrency }),
  'runway-below': z.strictObject({ ...common, type: z.literal('runway-below'), days: positive }),
  'spend-above': z.strictObject({
    ...common,
    type: z.literal('spend-above'),
    window: z.enum(['today', 'week', 'month'], { error: 'must be "today", "week" or "month"' }),
    amount: amountSchema,
    ...needsCurrency,
  }),
  'quota-used': z.strictObject({
    ...common,
    type: z.literal('quota-used'),
    levels: z.array(percentSchema, { error: 'must be a list of percentages, e.g. [50, 80, 95]' }).min(1, { error: 'must name at least one level' }).default([50, 80, 95]),
  }),
  'token-budget': z.strictObject({
    ...common,
    type: z.literal('token-budget'),
    tokens: positive.int({ error: 'must be a whole number of tokens' }),
    percent: percentSchema.default(80),
  }),
  spike: z.strictObject({
    ...common,
    type: z.literal('spike'),
    metric: z.enum(['cost', 'requests'], { error: 'must be "cost" or "requests"' }).default('cost'),
    window: z.enum(['hour', 'day'], { error: 'must be "hour" or "day"' }).default('hour'),
    factor: z.number({ error: 'must be a number' }).gt(1, { error: 'must be more than 1 (k times the usual)' }).max(1000, { error: 'is too large' }),
    minimum: amountSchema,
  }),
  'provider-failing': z.strictObject({ ...common, type: z.literal('provider-failing'), minutes: positive }),
  'ratelimit-headroom': z.strictObject({ ...common, type: z.literal('ratelimit-headroom'), percent: percentSchema.default(10) }),
  'rate-limited': z.strictObject({
    ...common,
    type: z.literal('rate-limited'),
    count: positive.int({ error: 'must be a whole number of 429 answers' }).default(5),
    minutes: positive.max(10_080, { error: 'must be at most 10080 (a week)' }).default(60),
  }),
  'budget-pace': z.strictObject({ ...common, type: z.literal('budget-pace'), ...needsCurrency }),
} as const;

export interface RuleContext {
  /** Accounts that exist; a rule naming another is rejected. */
  accountIds: readonly string[];
  /** Currencies the accounts report; when given, a currency-wide rule for another currency is rejected. */
  currencies?: readonly string[];
  /** Channel ids; when given, a rule naming another is rejected. */
  channelIds?: readonly string[];
  /**
   * The currencies each account's figures are in, where known (polled at least once): a money rule for one account
   * must use one of its own currencies, and a rule for every account one that some account reports.
   */
  accountCurrencies?: Readonly<Record<string, readonly string[]>>;
  /** Account names for messages; the id when absent. */
  label?: (accountId: string) => string;
}

/** The words the rule editor uses for each field: validation messages name fields this way, never as config paths. */
export const FIELD_WORDS: Record<string, string> = {
  type: 'Alert when',
  account: 'Account',
  currency: 'Currency',
  amount: 'Amount',
  days: 'Days of runway left',
  window: 'Window',
  levels: 'Levels',
  tokens: 'Monthly budget (tokens)',
  percent: 'Warn at (% of the budget)',
  metric: 'Measure',
  factor: 'Factor',
  minimum: 'Only above',
  minutes: 'Minutes',
  count: '429 answers',
  margin: 'Re-arm margin (%)',
  channels: 'Send to',
  name: 'Name',
  id: 'Id',
  enabled: 'Enabled',
};

/** One entry of a list field, in words: "Level 2 (150)". */
const ITEM_WORDS: Record<string, string> = { levels: 'Level', channels: 'Channel' };

/** "Level 2 (150): must be at most 100 (it is a percentage)" rather than "levels[1]: must be at most 100". */
function ruleIssue(issue: z.core.$ZodIssue, item: Record<string, unknown>): string {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `"${k}": not a field of this rule type`).join('; ');
  const [key, index] = issue.path;
  if (key === undefined) return issue.message;
  const name = String(key);
  if (typeof index === 'number') {
    const value = (item[name] as unknown[] | undefined)?.[index];
    const shown = value === undefined ? '' : ` (${JSON.stringify(value).slice(0, 20)})`;
    return `${ITEM_WORDS[name] ?? FIELD_WORDS[name] ?? name} ${index + 1}${shown}: ${issue.message}`;
  }
  return `${FIELD_WORDS[name] ?? name}: ${issue.message}`;
}

type RawRule = z.output<(typeof RULE_SCHEMAS)[RuleType]>;

/**
 * Checks every rule on its own: a bad rule gets one clear message and is left out, the others keep working.
 * Amounts arrive in major units and leave as micro-units.
 */
export function validateRules(raw: readonly unknown[], ctx: RuleContext): { rules: AlertRule[]; errors: ItemError[] } {
  const rules: AlertRule[] = [];
  const errors: ItemError[] = [];
  const ids = new Set<string>();
  raw.forEach((item, index) => {
    const result = parseRule(item, ctx);
    const prefix = `Alert rule ${index + 1}${describe(item)}`;
    if (typeof result === 'string') {
      errors.push({ index, message: `${prefix}: ${result}` });
      return;
    }
    let id = result.id ?? deriveRuleId(result);
    if (result.id !== undefined && ids.has(id)) {
      errors.push({ index, message: `${prefix}: ${FIELD_WORDS.id}: "${id}" is used by another rule` });
      return;
    }
    // Two identical rules without ids would share one state; the second gets a suffix that stays put.
    for (let n = 2; ids.has(id); n++) id = `${result.id ?? deriveRuleId(result)}-${n}`;
    ids.add(id);
    rules.push(toRule(result, id));
  });
  return { rules, errors };
}

function describe(item: unknown): string {
  if (!item || typeof item !== 'object') return '';
  const r = item as { type?: unknown; name?: unknown };
  const type = typeof r.type === 'string' ? (RULE_TYPE_WORDS[r.type as RuleType] ?? r.type.slice(0, 30)) : '';
  const name = typeof r.name === 'string' ? ` "${r.name.slice(0, 40)}"` : '';
  return type || name ? ` (${type}${name})` : '';
}

function parseRule(item: unknown, ctx: RuleContext): RawRule | string {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return 'must be an object like {"type": "balance-below", "account": "gw", "amount": 5, "currency": "USD"}';
  const type = (item as { type?: unknown }).type;
  if (typeof type !== 'string' || !(RULE_TYPES as readonly string[]).includes(type)) {
    return `unknown type ${JSON.stringify(type ?? null)}: use one of ${RULE_TYPES.join(', ')}`;
  }
  const parsed = RULE_SCHEMAS[type as RuleType].safeParse(item);
  if (!parsed.success) return parsed.error.issues.map((issue) => ruleIssue(issue, item as Record<string, unknown>)).join('; ');
  const r = parsed.data;
  if (r.type === 'budget-pace' && r.account !== undefined) return `${FIELD_WORDS.account}: a monthly budget is per currency; pick "All <currency> accounts" (leave the account out and name the "currency")`;
  if (r.account === undefined && r.currency === undefined) {
    return 'needs an "account" (an account id, or "*" for every account) or a "currency" (all accounts of that currency)';
  }
  if (r.account !== undefined && r.account !== ALL_ACCOUNTS && !ctx.accountIds.includes(r.account)) {
    return `${FIELD_WORDS.account}: no account "${r.account}"${ctx.accountIds.length ? ` (known: ${ctx.accountIds.slice(0, 10).join(', ')})` : ''}`;
  }
  if (r.account === undefined && r.currency !== undefined && ctx.currencies && !ctx.currencies.includes(r.currency)) {
    return `${FIELD_WORDS.currency}: no account reports ${r.currency}`;
  }
  const own = r.account !== undefined && r.account !== ALL_ACCOUNTS ? ctx.accountCurrencies?.[r.account] : undefined;
  if (r.currency !== undefined && own && own.length > 0 && !own.includes(r.currency)) {
    return `${FIELD_WORDS.currency}: ${ctx.label?.(r.account as string) ?? r.account} reports only ${own.join(', ')}, not ${r.currency}; pick one of its currencies`;
  }
  if (r.currency !== undefined && (r.account === undefined || r.account === ALL_ACCOUNTS) && ctx.accountCurrencies) {
    const all = new Set(Object.values(ctx.accountCurrencies).flat());
    if (all.size > 0 && !all.has(r.currency)) return `${FIELD_WORDS.currency}: no account reports ${r.currency} (they report ${[...all].sort().join(', ')})`;
  }
  if (r.type === 'spike' && r.metric === 'cost' && r.currency === undefined) return `${FIELD_WORDS.currency}: is required for a cost spike, e.g. "USD"`;
  if ((r.type === 'ratelimit-headroom' || r.type === 'rate-limited') && r.account === undefined) {
    return 'needs an "account" (an account id, or "*" for every account): rate limits are per account and key';
  }
  const unknownChannel = ctx.channelIds && r.channels?.find((c) => !ctx.channelIds?.includes(c));
  if (unknownChannel) return `${FIELD_WORDS.channels}: no channel "${unknownChannel}"`;
  return r;
}

function toRule(r: RawRule, id: string): AlertRule {
  const base: RuleBase = { id, enabled: r.enabled, margin: r.margin ?? DEFAULT_MARGIN_PERCENT };
  if (r.name !== undefined) base.name = r.name;
  if (r.account !== undefined) base.account = r.account;
  if (r.currency !== undefined) base.currency = r.currency;
  if (r.channels !== undefined) base.channels = r.channels;
  switch (r.type) {
    case 'balance-below':
      return { ...base, type: r.type, amount: { micros: toMicros(r.amount), currency: r.currency } };
    case 'spend-above':
      return { ...base, type: r.type, window: r.window, amount: { micros: toMicros(r.amount), currency: r.currency } };
    case 'runway-below':
      return { ...base, type: r.type, days: r.days };
    case 'quota-used':
      return { ...base, type: r.type, levels: [...new Set(r.levels)].sort((a, b) => a - b) };
    case 'token-budget':
      return { ...base, type: r.type, tokens: r.tokens, percent: r.percent };
    case 'spike':
      return { ...base, type: r.type, metric: r.metric, window: r.window, factor: r.factor, minimum: r.metric === 'cost' ? toMicros(r.minimum) : r.minimum };
    case 'provider-failing':
      return { ...base, type: r.type, minutes: r.minutes };
    case 'ratelimit-headroom':
      return { ...base, type: r.type, percent: r.percent };
    case 'rate-limited':
      return { ...base, type: r.type, count: r.count, minutes: r.minutes };
    case 'budget-pace':
      return { ...base, type: r.type, currency: r.currency };
  }
}

/** A stable id from what the rule means (not its name or channels), so state survives renames and restarts. */
export function deriveRuleId(r: { type: string; account?: string | undefined; currency?: string | undefined; [field: string]: unknown }): string {
  const meaning = Object.entries(r)
    .filter(([k, v]) => !['id', 'name', 'enabled', 'channels'].includes(k) && v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const scope = (r.account ?? r.currency ?? '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'all';
  return `${r.type}.${scope}.${fnv1a(JSON.stringify(meaning)).toString(36)}`;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The rule as it is written in settings and config files: major units. */
export function ruleToConfig(rule: AlertRule): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rule };
  if (rule.type === 'balance-below' || rule.type === 'spend-above') {
    out.amount = rule.amount.micros / 1e6;
    out.currency = rule.amount.currency;
  }
  if (rule.type === 'spike' && rule.metric === 'cost') out.minimum = rule.minimum / 1e6;
  return out;
}
