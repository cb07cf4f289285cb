// Where a figure lives in a JSON reply: an RFC 6901 JSON Pointer ("/data/balance") or a JMESPath expression
// ("data.quota / `500000`"), evaluated by maintained libraries — never eval. A pointer starts with "/".
import * as JsonPointer from '@hyperjump/json-pointer';
import { compile, TreeInterpreter } from '@jmespath-community/jmespath';
import type { JSONValue } from '@jmespath-community/jmespath';

export const MAX_EXPRESSION_LENGTH = 500;

export type Query = { kind: 'pointer'; text: string } | { kind: 'jmespath'; text: string; ast: ReturnType<typeof compile> };

/** Parses an expression once; a syntax error comes back as a message naming the figure. */
export function parseQuery(text: string, figure: string): Query | { error: string } {
  const t = text.trim();
  if (t.length > MAX_EXPRESSION_LENGTH) return { error: `${figure} is longer than ${MAX_EXPRESSION_LENGTH} characters` };
  if (t.startsWith('/')) {
    try {
      // A malformed escape (~2) makes the library throw; check once here, not on every poll.
      for (const segment of JsonPointer.pointerSegments(t)) void segment;
    } catch (err) {
      return { error: `${figure} "${t.slice(0, 60)}" is not a valid JSON Pointer (${err instanceof Error ? err.message : String(err)})` };
    }
    return { kind: 'pointer', text: t };
  }
  try {
    return { kind: 'jmespath', text: t, ast: compile(t) };
  } catch (err) {
    return { error: `${figure} "${t.slice(0, 60)}" is not a valid JMESPath expression (${err instanceof Error ? err.message : String(err)}); a JSON Pointer starts with "/"` };
  }
}

/** The value the query selects; undefined when it matches nothing (a missing member, index or null). */
export function runQuery(q: Query, doc: unknown): unknown {
  if (q.kind === 'pointer') {
    try {
      const v = JsonPointer.get(q.text, doc as JsonPointer.Json);
      return v === null ? undefined : v;
    } catch {
      // Stepping through a missing member or a non-object: the pointer matches nothing.
      return undefined;
    }
  }
  const v = TreeInterpreter.search(q.ast, doc as JSONValue);
  return v === null ? undefined : v;
}
