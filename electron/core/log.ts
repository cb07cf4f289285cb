// The core's log lines. Every one passes the redactors of the running cores (each registers its own while it runs),
// so an error message that quotes a provider's reply, a webhook URL or a thrown exception never prints a secret.
// The core writes nothing to the console any other way (eslint's no-console holds it to this module).
import type { Redactor } from './redaction.ts';

const active = new Set<Redactor>();

/** Lets the log scrub this redactor's secrets until the returned function is called. */
export function useRedactor(r: Redactor): () => void {
  active.add(r);
  return () => void active.delete(r);
}

/** Text with the secrets of every running core masked. */
export function scrubForLog(text: string): string {
  let out = text;
  for (const r of active) out = r.text(out);
  return out;
}

function line(parts: unknown[]): string {
  return parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : safeJson(p))).join(' ');
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export const log = {
  error(...parts: unknown[]): void {
    console.error(scrubForLog(line(parts)));
  },
  warn(...parts: unknown[]): void {
    console.warn(scrubForLog(line(parts)));
  },
};
