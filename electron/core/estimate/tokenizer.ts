// OpenAI's encodings, exact: the vocabularies and split patterns of gpt-tokenizer (MIT, pure JavaScript, data
// bundled: nothing is fetched), counted by bpe.ts. Each encoding is imported on first use only (README "Estimate"
// has its load time and memory), so a Spendbar that never estimates never holds one. Special-token text
// ("<|endoftext|>") in a prompt is counted as the plain text it is, as the API does for user content.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Vocabulary } from './bpe.ts';
import type { Encoding } from './families.ts';

/** The tokenizer package and version, for the method shown with each count. */
export const TOKENIZER_SOURCE = 'gpt-tokenizer 4.0.0';

type Counter = (text: string) => number;

const loading = new Map<Encoding, Promise<Counter>>();

/** Mergeable tokens per encoding (special tokens excluded): a vocabulary that reads differently is refused. */
const VOCABULARY_SIZE: Record<Encoding, number> = { o200k_base: 199_998, cl100k_base: 100_256 };

/** One JavaScript string literal's escapes (the vocabulary files use \\", \\\\, \\n, \\u…, \\0 and identity escapes). */
function unescapeLiteral(body: string): string {
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_, e: string) => {
    if (e.startsWith('u{')) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    if (e[0] === 'u' && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', 0: '\0' } as Record<string, string>)[e] ?? e;
  });
}

/**
 * An encoding's tokens as one byte pool, read from gpt-tokenizer's vocabulary file as text (one token per line: a
 * string literal, or the bytes as a number array). Reading it as text rather than importing it keeps its 200k strings
 * from ever being compiled into a module that would stay in memory for the life of the process: what stays is
 * bpe.ts's ~5 MB of tables.
 */
function readVocabulary(encoding: Encoding): Vocabulary {
  const file = createRequire(import.meta.url).resolve(`gpt-tokenizer/cjs/bpeRanks/${encoding}`);
  const text = readFileSync(file, 'utf8');
  // Token bytes never outnumber the file's own bytes (escapes and number lists only get shorter as bytes).
  const pool = Buffer.alloc(Buffer.byteLength(text));
  const lengths = new Int32Array(VOCABULARY_SIZE[encoding] + 1);
  let count = 0;
  let at = 0;
  let inList = false;
  let listStart = 0;
  const add = (length: number) => {
    if (count < lengths.length) lengths[count] = length;
    count++;
  };
  // Line by line without splitting the whole file (a 400k-entry array would be most of the memory this saves).
  for (let from = 0; from < text.length; ) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const line = text.slice(from, to).trim();
    from = to + 1;
    if (inList) {
      if (line.startsWith(']')) {
        add(at - listStart);
        inList = false;
      } else pool[at++] = parseInt(line, 10);
    } else if (line.startsWith('"')) {
      const n = pool.write(unescapeLiteral(line.slice(1, line.lastIndexOf('"'))), at, 'utf8');
      at += n;
      add(n);
    } else if (line === '[') {
      inList = true;
      listStart = at;
    } else if (/^\[[\d, ]+\],?$/.test(line)) {
      const start = at;
      for (const n of line.slice(1, line.lastIndexOf(']')).split(',')) pool[at++] = parseInt(n, 10);
      add(at - start);
    }
  }
  if (count !== VOCABULARY_SIZE[encoding]) {
    throw new Error(`The ${encoding} vocabulary in ${file} has ${count} tokens, not ${VOCABULARY_SIZE[encoding]}: reinstall gpt-tokenizer 4.0.0.`);
  }
  return { pool: Uint8Array.prototype.slice.call(pool, 0, at), lengths: lengths.subarray(0, count) };
}

async function load(encoding: Encoding): Promise<Counter> {
  const [{ BpeCounter }, patterns] = await Promise.all([import('./bpe.ts'), import('gpt-tokenizer/encodingParams/constants')]);
  const bpe = new BpeCounter(readVocabulary(encoding), encoding === 'o200k_base' ? patterns.O200K_TOKEN_SPLIT_REGEX : patterns.CL100K_TOKEN_SPLIT_REGEX);
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
