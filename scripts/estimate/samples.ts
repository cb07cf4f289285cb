// The calibration samples for the character-class estimate: text already on every developer's machine (the
// project's node_modules: READMEs, JavaScript sources, package.json files, TypeScript's translated diagnostic
// messages in Chinese, Japanese, Korean, Russian, German and French) and a page of Chinese prose. Deterministic: same files, same order, same cuts.
// Kept apart from the test corpus (test/core/estimate/fixtures/corpus), which the accuracy report is measured on.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Sample {
  kind: string;
  source: string;
  text: string;
}

const SAMPLE_CHARS = 4000;

function cut(text: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + 200 < text.length && out.length < n; i += SAMPLE_CHARS) out.push(text.slice(i, i + SAMPLE_CHARS));
  return out;
}

function packages(nm: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(nm).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const sub of readdirSync(join(nm, name)).sort()) out.push(join(nm, name, sub));
    else out.push(join(nm, name));
  }
  return out;
}

function read(path: string): string | null {
  try {
    return statSync(path).isFile() ? readFileSync(path, 'utf8') : null;
  } catch {
    return null;
  }
}

export function calibrationSamples(root: string): Sample[] {
  const nm = join(root, 'node_modules');
  const samples: Sample[] = [];
  const pkgs = packages(nm);
  // English prose: README text outside code fences.
  let readmes = 0;
  for (const p of pkgs) {
    if (readmes >= 40) break;
    const md = read(join(p, 'README.md'));
    if (!md || md.length < 3000) continue;
    const text = md.replace(/```[\s\S]*?```/g, '').replace(/<[^>]+>/g, '');
    for (const t of cut(text, 1)) {
      samples.push({ kind: 'english', source: p.slice(nm.length + 1), text: t });
      readmes++;
    }
  }
  // Code: readable (unminified) JavaScript.
  let code = 0;
  for (const p of pkgs) {
    if (code >= 40) break;
    for (const f of ['index.js', 'lib/index.js', 'dist/index.js', 'src/index.js', 'index.mjs']) {
      const js = read(join(p, f));
      if (!js || js.length < 3000) continue;
      const lines = js.split('\n');
      if (js.length / lines.length > 100) continue;
      samples.push({ kind: 'code', source: `${p.slice(nm.length + 1)}/${f}`, text: js.slice(0, SAMPLE_CHARS) });
      code++;
      break;
    }
  }
  // JSON: package manifests, pretty-printed as published.
  let json = 0;
  for (const p of pkgs) {
    if (json >= 30) break;
    const pj = read(join(p, 'package.json'));
    if (!pj || pj.length < 1500) continue;
    samples.push({ kind: 'json', source: `${p.slice(nm.length + 1)}/package.json`, text: pj.slice(0, SAMPLE_CHARS) });
    json++;
  }
  // Other languages: TypeScript's translated messages (the values only).
  const langs: [string, string, number][] = [['zh-cn', 'chinese', 25], ['zh-tw', 'chinese', 5], ['ja', 'japanese', 10], ['ko', 'korean', 10], ['ru', 'russian', 10], ['de', 'german', 8], ['fr', 'french', 8]];
  for (const [dir, kind, n] of langs) {
    const file = join(nm, 'typescript/lib', dir, 'diagnosticMessages.generated.json');
    if (!existsSync(file)) continue;
    const values = Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).join('\n');
    for (const t of cut(values.slice(20_000), n)) samples.push({ kind, source: `typescript/lib/${dir}`, text: t });
  }
  // Chinese prose: TypeScript's messages are technical and full of English names; this page of plain prose was
  // written for the calibration (one sample per paragraph), and is not part of the test corpus.
  const prose = readFileSync(join(root, 'scripts/estimate/calibration-zh.txt'), 'utf8').split(/\n\s*\n/);
  for (const p of prose) if (p.trim()) samples.push({ kind: 'chinese prose', source: 'scripts/estimate/calibration-zh.txt', text: p.trim() });
  return samples;
}
