// OpenAI's encodings, exact: the vocabularies and split patterns of gpt-tokenizer (MIT, pure JavaScript, data
// bundled: nothing is fetched), counted by bpe.ts. Each encoding is imported on first use only (README "Estimate"
// has its load time and memory), so a Spendbar that never estimates never holds one. Special-token text
// ("<|endoftext|>") in a prompt is counted as the plain text it is, as the API does for user content.
import type { Encoding } from './families.ts';

/** The tokenizer package and version, for the method shown with each count. */
export const TOKENIZER_SOURCE = 'gpt-tokenizer 4.0.0';

type Counter = (text: string) => number;

const loading = new Map<Encoding, Promise<Counter>>();

async function load(encoding: Encoding): Promise<Counter> {
  const [{ BpeCounter }, patterns, vocabulary] = await Promise.all([
    import('./bpe.ts'),
    import('gpt-tokenizer/encodingParams/constants'),
    encoding === 'o200k_base' ? import('gpt-tokenizer/bpeRanks/o200k_base') : import('gpt-tokenizer/bpeRanks/cl100k_base'),
  ]);
  const bpe = new BpeCounter(vocabulary.default, encoding === 'o200k_base' ? patterns.O200K_TOKEN_SPLIT_REGEX : patterns.CL100K_TOKEN_SPLIT_REGEX);
  return (text) => bpe.count(text);
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
