#!/usr/bin/env node
// Computes the test corpus's expected token counts with the reference tokenizers and writes them to
// test/core/estimate/fixtures/expected.json. Run once when the corpus changes; the tests then check Spendbar's
// counts against these recorded values without the (large) reference packages installed.
//   node scripts/estimate/reference-counts.ts --refs /tmp/spendbar-refs      (install line in references.ts)
// Exact encodings come from js-tiktoken, the JavaScript port of OpenAI's tiktoken — not from gpt-tokenizer, which
// Spendbar ships — so the test compares two independent implementations.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadReferences, loadTiktoken, REFERENCE_PACKAGES } from './references.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = join(root, 'test/core/estimate/fixtures/corpus');
const { values } = parseArgs({ options: { refs: { type: 'string' } } });
if (!values.refs) {
  console.error('Pass --refs DIR: a folder with the reference tokenizers installed (see scripts/estimate/references.ts).');
  process.exit(1);
}
const tiktoken = await loadTiktoken(values.refs);
const refs = await loadReferences(values.refs);

/** The text pieces of a chat request, as OpenAI's cookbook counts them (content strings and text parts, names). */
function chatPieces(body: { messages: { content: string | { type: string; text?: string }[]; name?: string }[] }): { pieces: string[]; messages: number; names: number } {
  const pieces: string[] = [];
  let names = 0;
  for (const m of body.messages) {
    if (typeof m.content === 'string') pieces.push(m.content);
    else for (const p of m.content) if (p.type === 'text' && p.text) pieces.push(p.text);
    if (m.name) {
      pieces.push(m.name);
      names++;
    }
  }
  return { pieces, messages: body.messages.length, names };
}

const files: Record<string, unknown> = {};
for (const file of readdirSync(corpus).sort()) {
  const text = readFileSync(join(corpus, file), 'utf8');
  const entry: Record<string, unknown> = {
    chars: text.length,
    o200k_base: tiktoken.o200k_base(text),
    cl100k_base: tiktoken.cl100k_base(text),
    reference: Object.fromEntries(refs.map((r) => [r.family, r.count(text)])),
  };
  if (file === 'messages.json') {
    const chat = chatPieces(JSON.parse(text));
    const overhead = chat.messages * 3 + chat.names + 3;
    entry.chat = {
      messages: chat.messages,
      // OpenAI's cookbook (num_tokens_from_messages): 3 per message, +1 per name, +3 priming the reply.
      o200k_base: chat.pieces.reduce((n, p) => n + tiktoken.o200k_base(p), 0) + overhead,
      cl100k_base: chat.pieces.reduce((n, p) => n + tiktoken.cl100k_base(p), 0) + overhead,
    };
  }
  files[file] = entry;
}

const out = {
  produced: 'node scripts/estimate/reference-counts.ts --refs DIR (see the script); whole files counted as plain text',
  tokenizers: { exact: 'js-tiktoken 1.0.21 (o200k_base, cl100k_base; special tokens counted as text)', ...Object.fromEntries(Object.entries(REFERENCE_PACKAGES).map(([k, v]) => [k, v.label])) },
  files,
};
writeFileSync(join(root, 'test/core/estimate/fixtures/expected.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out, null, 2));
