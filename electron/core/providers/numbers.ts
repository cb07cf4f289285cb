// Guards for figures read off the wire: absurd numbers (NaN, strings, negative usage) become a clear
// bad-response error instead of a stored figure.
import { ProviderError } from '../errors.ts';
import { parseDecimal } from '../../../shared/money.ts';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(field: string, what: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 30)) : String(value);
  throw new ProviderError('bad-response', `The provider reported ${shown} for ${field}, which is ${what}; Spendbar kept the previous figures.`);
}

/** A finite number (numeric strings accepted). */
export function finite(value: unknown, field: string): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    try {
      n = parseDecimal(value);
    } catch {
      return fail(field, 'not a number', value);
    }
  } else return fail(field, 'not a number', value);
  if (!Number.isFinite(n)) return fail(field, 'not a finite number', value);
  return n;
}

/** A finite number that is not negative (usage, spend, token counts). */
export function nonNegative(value: unknown, field: string): number {
  const n = finite(value, field);
  if (n < 0) return fail(field, 'negative', value);
  return n;
}

/** A non-negative integer count (tokens, requests). */
export function count(value: unknown, field: string): number {
  const n = nonNegative(value, field);
  return Math.round(n);
}

export function optionalNumber(value: unknown, field: string): number | null {
  if (value === null || value === undefined) return null;
  return finite(value, field);
}
