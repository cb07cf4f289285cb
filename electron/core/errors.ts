// Errors are values with a user-actionable message. Adapters throw ProviderError; the poller turns it into
// a PollError on the account's snapshot. Messages never contain a secret.
import type { ErrorKind, PollError } from '../../shared/domain.ts';
import { maskSecret, redact as redactWith } from './redaction.ts';

export class ProviderError extends Error {
  readonly kind: ErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ErrorKind, message: string, opts: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProviderError';
    this.kind = kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }

  toPollError(): PollError {
    const e: PollError = { kind: this.kind, message: this.message };
    if (this.status !== undefined) e.status = this.status;
    if (this.retryAfterMs !== undefined) e.retryAfterMs = this.retryAfterMs;
    return e;
  }
}

/** Anything thrown while polling, as a PollError whose message has every known secret masked out. */
export function toPollError(err: unknown, secrets: readonly string[] = []): PollError {
  const base: PollError =
    err instanceof ProviderError
      ? err.toPollError()
      : { kind: 'bad-response', message: `Unexpected error while reading the provider: ${err instanceof Error ? err.message : String(err)}` };
  return { ...base, message: redact(base.message, secrets) };
}

/** Every form of each secret masked out (see redaction.ts, the one home of that rule). */
export function redact(text: string, secrets: readonly string[]): string {
  return redactWith(text, secrets);
}

export { maskSecret };

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
