// A strict reader of the Prometheus text format (0.0.4) for the metrics tests: it throws on anything a Prometheus
// server would reject or misread (a sample before its family's HELP/TYPE, a bad name, a bad escape), so a test that
// parses /metrics proves the exposition is valid, not only that it contains some strings.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  families: Map<string, { help: string; type: string; samples: Sample[] }>;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families: Exposition['families'] = new Map();
  const helps = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name ${name}`);
      if (kind === 'HELP') {
        if (helps.has(name)) throw new Error(`second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`bad escape in HELP of ${name}`);
        helps.set(name, rest);
      } else {
        if (families.has(name)) throw new Error(`second TYPE for ${name}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type ${rest}`);
        const help = helps.get(name);
        if (help === undefined) throw new Error(`TYPE before HELP for ${name}`);
        families.set(name, { help, type: rest, samples: [] });
      }
      continue;
    }
    if (line.startsWith('#') || line === '') throw new Error(`unexpected line ${JSON.stringify(line)}`);
    const s = parseSample(line);
    const fam = families.get(s.name);
    if (!fam) throw new Error(`sample of ${s.name} without HELP and TYPE before it`);
    fam.samples.push(s);
    samples.push(s);
  }
  return { families, samples };
}

function parseSample(line: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
  if (!m) throw new Error(`bad sample line ${JSON.stringify(line)}`);
  const [, name, body, raw] = m as unknown as [string, string, string | undefined, string];
  const labels: Record<string, string> = {};
  if (body) {
    let i = 1;
    while (i < body.length - 1) {
      const eq = body.indexOf('=', i);
      const key = body.slice(i, eq);
      if (!LABEL_NAME.test(key)) throw new Error(`bad label name ${key} in ${line}`);
      if (body[eq + 1] !== '"') throw new Error(`unquoted label value in ${line}`);
      let value = '';
      let j = eq + 2;
      for (; body[j] !== '"'; j++) {
        const c = body[j];
        if (c === undefined || c === '\n') throw new Error(`unterminated label value in ${line}`);
        if (c === '\\') {
          const next = body[++j];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else throw new Error(`bad escape \\${next} in ${line}`);
        } else value += c;
      }
      if (Object.hasOwn(labels, key)) throw new Error(`label ${key} twice in ${line}`);
      labels[key] = value;
      i = j + 1;
      if (body[i] === ',') i++;
      else if (i !== body.length - 1) throw new Error(`bad label list in ${line}`);
    }
  }
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
  if (raw !== 'NaN' && Number.isNaN(value)) throw new Error(`bad value ${raw}`);
  return { name, labels, value };
}

/** A sample's identity: its name and sorted labels. */
export function seriesKey(s: Sample): string {
  return `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}
