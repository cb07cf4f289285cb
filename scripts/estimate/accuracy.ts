#!/usr/bin/env node
// The estimate's accuracy on the test corpus (test/core/estimate/fixtures): Spendbar's count next to the reference
// tokenizer's recorded count, per file and family. Needs no reference package (the counts are recorded in
// expected.json). Printed by `npm run bench` and quoted in README "Estimate".
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { textFeatures } from '../../electron/core/estimate/features.ts';
import { estimateTokens, type RateSet } from '../../electron/core/estimate/heuristic.ts';
import { counter } from '../../electron/core/estimate/tokenizer.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = join(root, 'test/core/estimate/fixtures');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  tokenizers: Record<string, string>;
  files: Record<string, { o200k_base: number; cl100k_base: number; reference: Record<string, number> }>;
};

const o200k = await counter('o200k_base');
const cl100k = await counter('cl100k_base');
const pad = (s: string | number, n: number) => String(s).padStart(n);
const families = Object.keys(Object.values(expected.files)[0]?.reference ?? {}) as RateSet[];

console.log('exact (gpt-tokenizer vs js-tiktoken, recorded):');
for (const [file, e] of Object.entries(expected.files)) {
  const text = readFileSync(join(dir, 'corpus', file), 'utf8');
  const a = o200k(text);
  const b = cl100k(text);
  console.log(`  ${file.padEnd(14)} o200k_base ${pad(a, 5)} / ${pad(e.o200k_base, 5)} ${a === e.o200k_base ? 'equal' : 'DIFFERENT'}   cl100k_base ${pad(b, 5)} / ${pad(e.cl100k_base, 5)} ${b === e.cl100k_base ? 'equal' : 'DIFFERENT'}`);
}
console.log('\nestimated (character-class estimate ÷ reference tokenizer, per file):');
console.log(`  ${'file'.padEnd(14)}${families.map((f) => pad(f, 16)).join('')}`);
const errors = new Map<string, number[]>(families.map((f) => [f, []]));
for (const [file, e] of Object.entries(expected.files)) {
  const f = textFeatures(readFileSync(join(dir, 'corpus', file), 'utf8'));
  const cells = families.map((fam) => {
    const est = estimateTokens(f, fam);
    const ref = e.reference[fam] as number;
    errors.get(fam)?.push(est / ref - 1);
    return pad(`${est}/${ref} ${est >= ref ? '+' : ''}${((est / ref - 1) * 100).toFixed(1)}%`, 16);
  });
  console.log(`  ${file.padEnd(14)}${cells.join('')}`);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`  ${'mean |error|'.padEnd(14)}${families.map((f) => pad(`${(mean((errors.get(f) ?? []).map(Math.abs)) * 100).toFixed(1)}%`, 16)).join('')}`);
console.log(`  ${'worst |error|'.padEnd(14)}${families.map((f) => pad(`${(Math.max(...(errors.get(f) ?? []).map(Math.abs)) * 100).toFixed(1)}%`, 16)).join('')}`);
console.log('\nreferences:');
for (const [k, v] of Object.entries(expected.tokenizers)) console.log(`  ${k}: ${v}`);
