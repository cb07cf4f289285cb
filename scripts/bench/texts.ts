// Generated texts for the estimate benchmark: seeded, so every run counts the same text, and varied, so a
// tokenizer's cache cannot make 1 MB look like 1 KB repeated.
export { seeded as rng } from '../../electron/core/providers/fakes/report.ts';

const WORDS = 'the of and to in is that for it as with was on be by this are or at from have an but not which all one their more can has will about been when there would they so out if some what up into than its time only also new two may other most such over any these then after first could them people use like well even made many back way because through year work where much your should both each those between long used very does under own same while last might part great since last world small before large must found still three never case place number point'.split(' ');
const CJK_FIRST = 0x4e00;

export function englishText(bytes: number, r: () => number): string {
  const out: string[] = [];
  let size = 0;
  let sentence = 0;
  while (size < bytes) {
    let w = WORDS[Math.floor(r() * WORDS.length)] as string;
    if (r() < 0.08) w = w + w.slice(0, 3) + 'ing'; // rarer, longer words
    if (r() < 0.03) w = String(Math.floor(r() * 10_000));
    if (sentence === 0) w = w[0]?.toUpperCase() + w.slice(1);
    sentence++;
    let piece = w;
    if (sentence > 8 + r() * 12) {
      piece += r() < 0.1 ? '.\n\n' : '. ';
      sentence = 0;
    } else piece += r() < 0.08 ? ', ' : ' ';
    out.push(piece);
    size += piece.length;
  }
  return out.join('').slice(0, bytes);
}

export function chineseText(bytes: number, r: () => number): string {
  const out: string[] = [];
  let size = 0;
  while (size < bytes) {
    const c = r() < 0.06 ? (r() < 0.5 ? '，' : '。') : String.fromCharCode(CJK_FIRST + Math.floor(Math.pow(r(), 3) * 6000));
    out.push(c);
    size += 3;
  }
  return out.join('');
}

export function codeText(bytes: number, r: () => number): string {
  const out: string[] = [];
  let size = 0;
  let i = 0;
  while (size < bytes) {
    const a = WORDS[Math.floor(r() * WORDS.length)];
    const b = WORDS[Math.floor(r() * WORDS.length)];
    const n = Math.floor(r() * 1000);
    const line = [
      `export function ${a}${i}(${b}: number, options: { limit?: number } = {}): number {`,
      `  const total = ${b} * ${n} + (options.limit ?? ${n % 7});`,
      `  if (total > ${n * 3}) throw new RangeError(\`${a} too large: \${total}\`);`,
      `  return Math.round(total / ${(n % 9) + 1}); // ${a} ${b}`,
      '}',
      '',
    ].join('\n');
    out.push(line);
    size += line.length;
    i++;
  }
  return out.join('\n').slice(0, bytes);
}

export function jsonText(bytes: number, r: () => number): string {
  const rows: string[] = [];
  let size = 0;
  let i = 0;
  while (size < bytes) {
    const row = JSON.stringify({ id: `req_${i}_${Math.floor(r() * 1e9).toString(36)}`, model: WORDS[Math.floor(r() * WORDS.length)], inputTokens: Math.floor(r() * 1e5), cost: Math.round(r() * 1e6) / 1e6, ok: r() < 0.9, tags: [WORDS[Math.floor(r() * 50)], WORDS[Math.floor(r() * 50)]] });
    rows.push(row);
    size += row.length + 2;
    i++;
  }
  return `[\n${rows.join(',\n')}\n]`.slice(0, bytes);
}

