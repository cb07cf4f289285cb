// The rule editor's form model: a draft of text fields per rule type, turned into the config form the core
// validates (major units). Validation is shared/alerts.ts validateRules, so the editor and the server say the same thing.
import { ALL_ACCOUNTS, DEFAULT_MARGIN_PERCENT, FIELD_WORDS, RULE_TYPE_WORDS, RULE_TYPES, validateRules, type RuleType, type SpendWindow } from '../../shared/alerts.ts';
import type { AccountStatus } from '../../shared/domain.ts';
import { formatMoney, isMoneyCurrency, toMicros } from '../../shared/money.ts';
import { formatCount } from './format.ts';

export const RULE_TYPE_LABELS: Record<RuleType, string> = RULE_TYPE_WORDS;

export const RULE_TYPE_HELP: Record<RuleType, string> = {
  'balance-below': 'Fires when the balance drops under an amount; a top-up re-arms it.',
  'runway-below': "Fires when balance ÷ the last 7 days' burn is under a number of days.",
  'spend-above': 'Fires when spend in a calendar window (your time zone) goes over an amount.',
  'quota-used': 'Fires once per level per quota window when the quota or key cap use reaches it.',
  'token-budget': "Fires when this month's tokens reach a share of a budget.",
  spike: 'Fires when the last hour or day is far above the usual for that hour of the week (median of 4 weeks).',
  'provider-failing': 'Fires when an account has failed or been stale for too long, and once when it recovers.',
  'ratelimit-headroom': "Fires when a key's remaining requests or tokens (from the metering proxy) drop under a share of its rate limit.",
  'rate-limited': 'Fires when requests through the metering proxy are answered with HTTP 429 too often: you exceed rate limits frequently.',
  'budget-pace': "Fires when this month's spend so far plus the current pace to month end is over the currency's monthly budget (set it on the Overview).",
};

/** Every field the editor can show; which ones depends on the type (see FIELDS_BY_TYPE). */
export interface RuleDraft {
  /** Kept when editing so the rule's alert state survives; new rules get one from the core. */
  id?: string;
  type: RuleType;
  name: string;
  enabled: boolean;
  /** Encoded scope: "a:<account id>", "*" (every account) or "c:<currency>" (all accounts of it, together). */
  scope: string;
  currency: string;
  amount: string;
  days: string;
  spendWindow: SpendWindow;
  levels: string;
  tokens: string;
  percent: string;
  metric: 'cost' | 'requests';
  spikeWindow: 'hour' | 'day';
  factor: string;
  minimum: string;
  minutes: string;
  /** 429 answers (rate-limited). */
  count: string;
  margin: string;
  /** null: every channel. */
  channels: string[] | null;
}

export type DraftField = Exclude<keyof RuleDraft, 'id' | 'type' | 'name' | 'enabled' | 'scope' | 'margin' | 'channels'>;

/** Type-specific fields, in the order the editor shows them. `currency` is only shown when the scope does not fix it. */
export const FIELDS_BY_TYPE: Record<RuleType, DraftField[]> = {
  'balance-below': ['amount', 'currency'],
  'runway-below': ['days'],
  'spend-above': ['spendWindow', 'amount', 'currency'],
  'quota-used': ['levels'],
  'token-budget': ['tokens', 'percent'],
  spike: ['metric', 'spikeWindow', 'factor', 'minimum', 'currency'],
  'provider-failing': ['minutes'],
  'ratelimit-headroom': ['percent'],
  'rate-limited': ['count', 'minutes'],
  'budget-pace': ['currency'],
};

/** The config key each draft field is written to: error messages name config keys, the form names draft fields. */
export const CONFIG_KEY: Record<DraftField, string> = {
  currency: 'currency',
  amount: 'amount',
  days: 'days',
  spendWindow: 'window',
  levels: 'levels',
  tokens: 'tokens',
  percent: 'percent',
  metric: 'metric',
  spikeWindow: 'window',
  factor: 'factor',
  minimum: 'minimum',
  minutes: 'minutes',
  count: 'count',
};

export const SCOPE_ALL = ALL_ACCOUNTS;
export const accountScope = (id: string) => `a:${id}`;
export const currencyScope = (currency: string) => `c:${currency}`;

export function parseScope(scope: string): { account?: string; currency?: string } {
  if (scope === SCOPE_ALL) return { account: ALL_ACCOUNTS };
  if (scope.startsWith('a:')) return { account: scope.slice(2) };
  if (scope.startsWith('c:')) return { currency: scope.slice(2) };
  return {};
}

/** Whether the rule needs a currency of its own (money amounts) beyond the one a currency scope gives. */
export function needsCurrency(d: Pick<RuleDraft, 'type' | 'metric'>): boolean {
  return d.type === 'balance-below' || d.type === 'spend-above' || d.type === 'budget-pace' || (d.type === 'spike' && d.metric === 'cost');
}

/** The fields to show for a draft: the type's, without currency when not needed or fixed by the scope. */
export function visibleFields(d: RuleDraft): DraftField[] {
  return FIELDS_BY_TYPE[d.type].filter((f) => f !== 'currency' || (needsCurrency(d) && parseScope(d.scope).currency === undefined));
}

export function newDraft(type: RuleType, scope: string, currency: string): RuleDraft {
  return {
    type,
    name: '',
    enabled: true,
    scope,
    currency,
    amount: '5',
    days: '3',
    spendWindow: 'today',
    levels: '50, 80, 95',
    tokens: '5000000',
    percent: type === 'ratelimit-headroom' ? '10' : '80',
    metric: 'cost',
    spikeWindow: 'hour',
    factor: '3',
    minimum: '1',
    minutes: type === 'rate-limited' ? '60' : '30',
    count: '5',
    margin: '',
    channels: null,
  };
}

const text = (v: unknown, fallback: string) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : fallback);

/** A rule as the core shows it (config form, major units) into an editable draft. */
export function draftFromRule(rule: Record<string, unknown>): RuleDraft {
  const type = (RULE_TYPES as readonly string[]).includes(String(rule.type)) ? (rule.type as RuleType) : 'balance-below';
  const account = typeof rule.account === 'string' ? rule.account : undefined;
  const currency = typeof rule.currency === 'string' ? rule.currency : '';
  const base = newDraft(type, account === ALL_ACCOUNTS ? SCOPE_ALL : account !== undefined ? accountScope(account) : currencyScope(currency), currency);
  const d: RuleDraft = {
    ...base,
    name: typeof rule.name === 'string' ? rule.name : '',
    enabled: rule.enabled !== false,
    amount: text(rule.amount, base.amount),
    days: text(rule.days, base.days),
    levels: Array.isArray(rule.levels) ? rule.levels.join(', ') : base.levels,
    tokens: text(rule.tokens, base.tokens),
    percent: text(rule.percent, base.percent),
    factor: text(rule.factor, base.factor),
    minimum: text(rule.minimum, base.minimum),
    minutes: text(rule.minutes, base.minutes),
    count: text(rule.count, base.count),
    margin: rule.margin === undefined || rule.margin === DEFAULT_MARGIN_PERCENT ? '' : text(rule.margin, ''),
    channels: Array.isArray(rule.channels) ? rule.channels.map(String) : null,
  };
  if (typeof rule.id === 'string') d.id = rule.id;
  if (type === 'spend-above' && (rule.window === 'today' || rule.window === 'week' || rule.window === 'month')) d.spendWindow = rule.window;
  if (type === 'spike') {
    if (rule.window === 'hour' || rule.window === 'day') d.spikeWindow = rule.window;
    if (rule.metric === 'cost' || rule.metric === 'requests') d.metric = rule.metric;
  }
  return d;
}

/** "12.5" → 12.5; "" → absent (the schema then says what is missing); anything else stays text so it is named as not a number. */
function num(value: string): number | string | undefined {
  const t = value.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/** The draft in config form, exactly what is sent to the core and shown in config files. */
export function draftToRule(d: RuleDraft): Record<string, unknown> {
  const out: Record<string, unknown> = { type: d.type };
  if (d.id) out.id = d.id;
  if (d.name.trim()) out.name = d.name.trim();
  out.enabled = d.enabled;
  const scope = parseScope(d.scope);
  if (scope.account !== undefined) out.account = scope.account;
  const currency = scope.currency ?? (needsCurrency(d) ? d.currency.trim().toUpperCase() || undefined : undefined);
  if (currency !== undefined) out.currency = currency;
  const set = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  switch (d.type) {
    case 'balance-below':
      set('amount', num(d.amount));
      break;
    case 'runway-below':
      set('days', num(d.days));
      break;
    case 'spend-above':
      out.window = d.spendWindow;
      set('amount', num(d.amount));
      break;
    case 'quota-used':
      out.levels = d.levels.split(/[\s,;]+/).filter(Boolean).map((l) => num(l));
      break;
    case 'token-budget':
      set('tokens', num(d.tokens));
      set('percent', num(d.percent));
      break;
    case 'spike':
      out.metric = d.metric;
      out.window = d.spikeWindow;
      set('factor', num(d.factor));
      set('minimum', num(d.minimum));
      break;
    case 'provider-failing':
      set('minutes', num(d.minutes));
      break;
    case 'ratelimit-headroom':
      set('percent', num(d.percent));
      break;
    case 'rate-limited':
      set('count', num(d.count));
      set('minutes', num(d.minutes));
      break;
  }
  set('margin', num(d.margin));
  if (d.channels !== null) out.channels = d.channels;
  return out;
}

export interface RuleCheckContext {
  accountIds: readonly string[];
  channelIds: readonly string[];
  accountCurrencies?: Readonly<Record<string, readonly string[]>>;
  label?: (accountId: string) => string;
}

/**
 * Checks the settings rules as they would be saved, with `index` the one being edited: its message (worded exactly as
 * the core would word it), or null when the whole list is valid. Another rule's problem is reported too, since the
 * core would refuse the save for it.
 */
export function checkRuleList(rules: readonly unknown[], index: number, ctx: RuleCheckContext): string | null {
  const { errors } = validateRules(rules, ctx);
  if (errors.length === 0) return null;
  return (errors.find((e) => e.index === index) ?? errors[0]!).message;
}

/** Which form controls a validation message names, so the editor can mark them invalid. */
export function fieldsInMessage(message: string, d: RuleDraft): Set<string> {
  const detail = message.replace(/^Alert rule \d+( \([^)]*\))?: /, '');
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Messages name fields in words ("Amount:", "Level 2 (150):"), as the editor labels them.
  const names = (key: string) => {
    const words = [FIELD_WORDS[key] ?? key, ...(key === 'levels' ? ['Level'] : key === 'channels' ? ['Channel'] : [])];
    return words.some((w) => new RegExp(`(^|; )${escape(w)}( \\d+( \\([^)]*\\))?)?:`).test(detail));
  };
  const shown = visibleFields(d);
  const out = new Set<string>(shown.filter((f) => names(CONFIG_KEY[f])));
  if (names('account') || detail.startsWith('needs an "account"') || (names('currency') && !shown.includes('currency'))) out.add('scope');
  for (const key of ['name', 'margin', 'channels']) if (names(key)) out.add(key);
  return out;
}

/** Currencies the accounts report (balances, spend, caps), for the currency picker; money currencies first. */
export function knownCurrencies(statuses: readonly AccountStatus[]): string[] {
  const seen = new Set<string>();
  for (const s of statuses) {
    const snap = s.lastSuccess;
    if (!snap) continue;
    for (const m of [...snap.balances, snap.spent.today, snap.spent.week, snap.spent.month, snap.quota?.used]) if (m) seen.add(m.currency);
  }
  return [...seen].sort((a, b) => Number(isMoneyCurrency(b)) - Number(isMoneyCurrency(a)) || a.localeCompare(b));
}

/** The currencies each account's last good figures are in (the same reading as the core's), for the currency picker. */
export function currenciesByAccount(statuses: readonly AccountStatus[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of statuses) {
    const snap = s.lastSuccess;
    if (!snap) continue;
    const seen = new Set<string>();
    for (const m of [snap.balance, ...snap.balances, snap.spent.today, snap.spent.week, snap.spent.month, snap.spent.total, snap.quota?.limit, snap.quota?.used]) if (m) seen.add(m.currency);
    for (const u of snap.usage) if (u.cost) seen.add(u.cost.currency);
    if (seen.size > 0) out[s.accountId] = [...seen].sort((a, b) => Number(isMoneyCurrency(b)) - Number(isMoneyCurrency(a)) || a.localeCompare(b));
  }
  return out;
}

/** The currency of an account's main balance, to prefill a money rule for it. */
export function accountCurrency(statuses: readonly AccountStatus[], accountId: string | undefined): string | undefined {
  const snap = statuses.find((s) => s.accountId === accountId)?.lastSuccess;
  return snap?.balance?.currency ?? snap?.balances[0]?.currency ?? snap?.spent.month?.currency ?? snap?.spent.today?.currency;
}

const moneyText = (amount: unknown, currency: unknown) =>
  typeof amount === 'number' && typeof currency === 'string' && Number.isFinite(amount) ? formatMoney({ micros: toMicros(amount), currency }) : `${String(amount)} ${String(currency ?? '')}`.trim();

/** One line in the user's words: "Balance of OpenRouter below $5.00". */
export function describeRule(rule: Record<string, unknown>, labelOf: (accountId: string) => string): string {
  const account = typeof rule.account === 'string' ? rule.account : undefined;
  const who = account === ALL_ACCOUNTS ? 'any account' : account !== undefined ? labelOf(account) : `all ${String(rule.currency)} accounts together`;
  const margin = typeof rule.margin === 'number' && rule.margin !== DEFAULT_MARGIN_PERCENT ? ` (re-arms ${rule.margin}% past it)` : '';
  const windows: Record<string, string> = { today: 'today', week: 'this week', month: 'this month', hour: 'the last hour', day: 'the last day' };
  switch (rule.type) {
    case 'balance-below':
      return `Balance of ${who} below ${moneyText(rule.amount, rule.currency)}${margin}`;
    case 'runway-below':
      return `Runway of ${who} under ${String(rule.days)} days${margin}`;
    case 'spend-above':
      return `Spend of ${who} ${windows[String(rule.window)] ?? String(rule.window)} over ${moneyText(rule.amount, rule.currency)}${margin}`;
    case 'quota-used':
      return `Quota or cap of ${who} used at ${Array.isArray(rule.levels) ? rule.levels.map((l) => `${String(l)}%`).join(', ') : '?'}`;
    case 'token-budget':
      return `Tokens of ${who} this month reach ${String(rule.percent ?? 80)}% of ${typeof rule.tokens === 'number' ? formatCount(rule.tokens) : String(rule.tokens)}`;
    case 'spike': {
      const what = rule.metric === 'requests' ? 'Requests' : 'Spend';
      const min = rule.metric === 'requests' ? `${String(rule.minimum)} requests` : moneyText(rule.minimum, rule.currency);
      return `${what} of ${who} in ${windows[String(rule.window)] ?? String(rule.window)} above ${String(rule.factor)}× the usual (and over ${min})`;
    }
    case 'budget-pace':
      return `All ${String(rule.currency)} accounts on pace to exceed the monthly ${String(rule.currency)} budget${margin}`;
    case 'provider-failing':
      return `${account === undefined || account === ALL_ACCOUNTS ? who[0]!.toUpperCase() + who.slice(1) : who} failing or stale for over ${String(rule.minutes)} minutes`;
    case 'ratelimit-headroom':
      return `Rate-limit headroom of ${who} under ${String(rule.percent)}%${margin}`;
    case 'rate-limited':
      return `${who[0]!.toUpperCase() + who.slice(1)} answered 429 at least ${String(rule.count)} times in ${String(rule.minutes)} minutes`;
    default:
      return String(rule.type);
  }
}
