// The SpendbarApi as it leaves the core: every answer and every error message passes the redactor, whichever
// transport (IPC, HTTP, the tray) carries it. Secrets a call itself brings (a key being tested, a webhook URL being
// saved) are masked too, so an error that quotes its input never hands the secret back.
import type { SpendbarApi } from '../../shared/api.ts';
import type { Redactor } from './redaction.ts';

/** Credential values and URLs anywhere in a call's arguments. */
export function secretsInArgs(args: unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'credentials' && x && typeof x === 'object') {
        for (const c of Object.values(x as Record<string, unknown>)) if (typeof c === 'string' && c) out.push(c);
      } else if (k === 'url' && typeof x === 'string' && x) out.push(x);
      else walk(x, depth + 1);
    }
  };
  walk(args, 0);
  return out;
}

export function scrubbedApi(api: SpendbarApi, redactor: Redactor): SpendbarApi {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(api) as [keyof SpendbarApi, (...a: unknown[]) => unknown][]) {
    // Events are scrubbed where they are emitted; subscribe hands them on as they are.
    if (name === 'subscribe') {
      wrapped[name] = fn;
      continue;
    }
    wrapped[name] = async (...args: unknown[]) => {
      const extra = secretsInArgs(args);
      try {
        return redactor.value(await fn(...args), extra);
      } catch (err) {
        if (err instanceof Error) {
          err.message = redactor.text(err.message, extra);
          const test = (err as { test?: unknown }).test;
          if (test !== undefined) Object.assign(err, { test: redactor.value(test, extra) });
        }
        throw err;
      }
    };
  }
  return wrapped as unknown as SpendbarApi;
}
