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
    return `${sign}${symbol}${formatNumber(Math.abs(major), digits, Math.max(digits, 4))}`;
  }
  if (!isMoneyCurrency(m.currency)) {
    return `${formatNumber(major, 0, 2)} ${m.currency.toLowerCase()}`;
  }
  return `${formatNumber(major, digits, Math.max(digits, 4))} ${m.currency}`;
}

/**
 * `n` as en-US writes it ("1,234.5"): digits grouped by thousands, at least `minFraction` and at most `maxFraction`
 * decimals, rounded half away from zero on the shortest decimal that reads back as `n` — what
 * `n.toLocaleString('en-US', …)` gives, without Intl, whose first use loads ICU's data (~10 MB resident) into a
 * process that formats a handful of numbers.
 */
export function formatNumber(n: number, minFraction = 0, maxFraction = Math.max(3, minFraction)): string {
  if (Number.isNaN(n)) return 'NaN';
  const negative = n < 0 || Object.is(n, -0);
  if (!Number.isFinite(n)) return negative ? '-∞' : '∞';
  // Digits and the position of the decimal point in them, from the shortest round-trip form ("1.5e-7", "123.45").
  const [mantissa = '0', exp = '0'] = String(Math.abs(n)).split('e');
  const [whole = '0', frac = ''] = mantissa.split('.');
  let digits = whole + frac;
  let point = whole.length + Number(exp);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  } else if (point > digits.length) digits += '0'.repeat(point - digits.length);
  // Round at maxFraction decimals, half away from zero.
  const keep = point + maxFraction;
  if (digits.length > keep) {
    const up = (digits.charCodeAt(keep) - 48) >= 5;
    let kept = digits.slice(0, keep).split('').map(Number);
    if (up) {
      let i = kept.length - 1;
      while (i >= 0 && kept[i] === 9) kept[i--] = 0;
      if (i >= 0) kept[i] = (kept[i] as number) + 1;
      else {
        kept = [1, ...kept];
        point += 1;
      }
    }
    digits = kept.join('');
  }
  let intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  let fracPart = digits.slice(point).padEnd(minFraction, '0');
  while (fracPart.length > minFraction && fracPart.endsWith('0')) fracPart = fracPart.slice(0, -1);
  intPart = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${intPart}${fracPart ? `.${fracPart}` : ''}`;
}
