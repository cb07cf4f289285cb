// Money is an integer count of micro-units (1e-6) of one currency or provider unit.
// Conversions from wire formats happen once, in the adapter that reads them; amounts of
// different currencies are never added.

/** ISO 4217 code ("USD", "CNY") or a provider unit ("CREDITS", "TOKENS", "QUOTA"). */
export type Currency = string;

export interface Money {
  micros: number;
  currency: Currency;
}

export const MICROS = 1_000_000;

/** Units that are not money: counted things a provider meters. */
export const PROVIDER_UNITS = ['TOKENS', 'QUOTA', 'CREDITS', 'REQUESTS'] as const;

export function isMoneyCurrency(currency: Currency): boolean {
  return /^[A-Z]{3}$/.test(currency) && !(PROVIDER_UNITS as readonly string[]).includes(currency);
}

/** Major units (e.g. dollars) to integer micro-units. Throws on NaN/Infinity so bad figures never get stored. */
export function toMicros(major: number): number {
  if (!Number.isFinite(major)) throw new RangeError(`not a finite amount: ${major}`);
  return Math.round(major * MICROS);
}

export function money(major: number, currency: Currency): Money {
  return { micros: toMicros(major), currency };
}

export function fromMicros(micros: number): number {
  return micros / MICROS;
}

/** Parses a decimal string ("110.00", "-3.5", "1e-3") exactly enough for micro-units. */
export function parseDecimal(text: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    throw new RangeError(`not a decimal number: ${JSON.stringify(text).slice(0, 40)}`);
  }
  return Number(trimmed);
}

/** Adds amounts of one currency; refuses to mix currencies. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error(`cannot add ${a.currency} to ${b.currency}`);
  return { micros: a.micros + b.micros, currency: a.currency };
}

/** Sums a list into one total per currency, in first-seen order. */
export function totalsByCurrency(amounts: Iterable<Money | null | undefined>): Money[] {
  const totals = new Map<Currency, number>();
  for (const m of amounts) {
    if (!m) continue;
    totals.set(m.currency, (totals.get(m.currency) ?? 0) + m.micros);
  }
  return [...totals].map(([currency, micros]) => ({ micros, currency }));
}

const SYMBOLS: Record<string, string> = { USD: '$', CNY: '¥', EUR: '€', GBP: '£', JPY: '¥' };

/** "$12.34", "¥110.00", "1,234 TOKENS". */
export function formatMoney(m: Money, digits = 2): string {
  const major = fromMicros(m.micros);
  const symbol = SYMBOLS[m.currency];
  if (symbol) {
    const sign = major < 0 ? '-' : '';
    return `${sign}${symbol}${Math.abs(major).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 4) })}`;
  }
  if (!isMoneyCurrency(m.currency)) {
    return `${major.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${m.currency.toLowerCase()}`;
  }
  return `${major.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 4) })} ${m.currency}`;
}
