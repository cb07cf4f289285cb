// Busy stretches of a CPU profile (node --cpu-prof): runs of consecutive non-idle samples longer than --min-ms, with the
// functions that took most of each (self time, by name and place). To see what holds a process's event loop up.
//   node scripts/bench/stalls.ts FILE.cpuprofile [--min-ms 2] [--top 8]
import { readFileSync } from 'node:fs';

interface ProfNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const file = process.argv[2] as string;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIN = arg('min-ms', 2) * 1000;
const TOP = arg('top', 8);
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (id: number) => {
  const f = byId.get(id)!.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(electron|node_modules|scripts)\//, '$1/')}:${f.lineNumber + 1}`;
};
const idle = (id: number) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName);
// The nearest Spendbar frame above a sample, to say which of our code a node-internal self time belongs to.
const ours = (id: number) => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    if (/electron\/core|shared\//.test(byId.get(at)!.callFrame.url)) return name(at);
  }
  return '(no Spendbar frame)';
};
let t = prof.startTime;
const stretches: { start: number; us: number; self: Map<string, number>; mine: Map<string, number> }[] = [];
let cur: (typeof stretches)[number] | null = null;
prof.samples.forEach((id, i) => {
  const dt = prof.timeDeltas[i + 1] ?? 0;
  t += prof.timeDeltas[i] ?? 0;
  if (idle(id)) {
    if (cur && cur.us >= MIN) stretches.push(cur);
    cur = null;
    return;
  }
  cur ??= { start: t, us: 0, self: new Map(), mine: new Map() };
  cur.us += dt;
  cur.self.set(name(id), (cur.self.get(name(id)) ?? 0) + dt);
  cur.mine.set(ours(id), (cur.mine.get(ours(id)) ?? 0) + dt);
});
const total = (prof.timeDeltas.reduce((a, b) => a + b, 0)) / 1000;
console.log(`${file}: ${total.toFixed(0)} ms profiled, ${stretches.length} busy stretches ≥ ${MIN / 1000} ms`);
const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, v]) => `      ${(v / 1000).toFixed(2)} ms ${k}`).join('\n');
for (const s of stretches.sort((a, b) => b.us - a.us).slice(0, arg('stretches', 10))) {
  console.log(`  at ${((s.start - prof.startTime) / 1000).toFixed(0)} ms: ${(s.us / 1000).toFixed(1)} ms busy\n    self:\n${top(s.self)}\n    under:\n${top(s.mine)}`);
}
