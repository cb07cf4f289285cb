// OpenAI's encodings, exact, from gpt-tokenizer (MIT, pure JavaScript, vocabularies bundled: nothing is fetched).
// Each encoding is imported on first use only (o200k_base adds about 70 MB to the process, cl100k_base about 40 MB),
// so a Spendbar that never estimates never holds one. Special-token text ("<|endoftext|>") in a prompt is counted as
// the plain text it is, as the API does for user content.
import type { Encoding } from './families.ts';

/** The tokenizer package and version, for the method shown with each count. */
export const TOKENIZER_SOURCE = 'gpt-tokenizer 4.0.0';

type Counter = (text: string) => number;

const loading = new Map<Encoding, Promise<Counter>>();

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

async function load(encoding: Encoding): Promise<Counter> {
  const mod =
    encoding === 'o200k_base'
      ? await import('gpt-tokenizer/encoding/o200k_base')
      : await import('gpt-tokenizer/encoding/cl100k_base');
  return (text) => mod.countTokens(text, NO_SPECIAL as never);
}

/** The exact token counter of one encoding, loaded on first use. */
export function counter(encoding: Encoding): Promise<Counter> {
  let p = loading.get(encoding);
  if (!p) {
    p = load(encoding).catch((err: unknown) => {
      loading.delete(encoding);
      throw err;
    });
    loading.set(encoding, p);
  }
  return p;
}

/** Which encodings are in memory (for the idle-memory check). */
export function loadedEncodings(): Encoding[] {
  return [...loading.keys()];
}
