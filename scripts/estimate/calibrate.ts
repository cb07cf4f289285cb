#!/usr/bin/env node
// Fits the per-family rates of the character-class estimate (electron/core/estimate/heuristic.ts, RATES) against
// the reference tokenizers, on the calibration samples (samples.ts). Prints the rates as a TypeScript literal and the
// fit's error per kind of text; paste the literal into heuristic.ts when a reference or the features change.
//   node scripts/estimate/calibrate.ts --refs /tmp/spendbar-refs      (see references.ts for the install line)
// The fit: non-negative least squares on the relative error (every sample weighs the same however long it is),
// by coordinate descent. "generic" is fitted on the mean of the references' counts.
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURE_NAMES, textFeatures } from '../../electron/core/estimate/features.ts';
import { loadReferences } from './references.ts';
import { calibrationSamples } from './samples.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { refs: { type: 'string' } } });
if (!values.refs) {
  console.error('Pass --refs DIR: a folder with the reference tokenizers installed (see scripts/estimate/references.ts).');
  process.exit(1);
}

function nnls(x: number[][], y: number[]): number[] {
  const n = x[0]?.length ?? 0;
  // Rows scaled by 1/y: minimise the sum of squared relative errors.
  const rows = x.map((r, i) => r.map((v) => v / (y[i] as number)));
  const ones = y.map(() => 1);
  const w = new Array<number>(n).fill(0);
  const h = Array.from({ length: n }, (_, j) => rows.reduce((s, r) => s + (r[j] as number) ** 2, 0));
  const pred = rows.map(() => 0);
  for (let iter = 0; iter < 5000; iter++) {
    let change = 0;
    for (let j = 0; j < n; j++) {
      if ((h[j] as number) === 0) continue;
      let g = 0;
      rows.forEach((r, i) => (g += (r[j] as number) * ((pred[i] as number) - (ones[i] as number))));
      const next = Math.max(0, (w[j] as number) - g / (h[j] as number));
      const d = next - (w[j] as number);
      if (d !== 0) {
        rows.forEach((r, i) => (pred[i] = (pred[i] as number) + d * (r[j] as number)));
        w[j] = next;
        change = Math.max(change, Math.abs(d));
      }
    }
    if (change < 1e-9) break;
  }
  return w;
}

const samples = calibrationSamples(root);
const refs = await loadReferences(values.refs);
const x = samples.map((s) => {
  const f = textFeatures(s.text);
  return FEATURE_NAMES.map((k) => f[k]);
});
const counts = new Map(refs.map((r) => [r.family, samples.map((s) => r.count(s.text))]));
counts.set('generic', samples.map((_, i) => [...counts.values()].reduce((s, c) => s + (c[i] as number), 0) / refs.length));

console.log(`${samples.length} samples: ${[...new Set(samples.map((s) => s.kind))].map((k) => `${k} ${samples.filter((s) => s.kind === k).length}`).join(', ')}\n`);
const literal: string[] = [];
for (const [family, y] of counts) {
  const w = nnls(x, y);
  literal.push(`  ${family}: { ${FEATURE_NAMES.map((k, j) => `${k}: ${(w[j] as number).toFixed(4)}`).join(', ')} },`);
  const errs = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const est = (x[i] as number[]).reduce((sum, v, j) => sum + v * (w[j] as number), 0);
    const list = errs.get(s.kind) ?? [];
    list.push(est / (y[i] as number) - 1);
    errs.set(s.kind, list);
  });
  console.log(`${family}: ${[...errs].map(([k, e]) => `${k} mean ${(100 * e.reduce((a, b) => a + b, 0) / e.length).toFixed(1)}% max |${(100 * Math.max(...e.map(Math.abs))).toFixed(1)}|%`).join('; ')}`);
}
console.log(`\nconst RATES = {\n${literal.join('\n')}\n};`);
