// The one redaction rule. Every text that leaves the core (errors, notes, model and key names, events, API answers,
// logs, webhooks, stored rows) passes a Redactor that knows every secret the process holds, and masks each secret
// wherever it appears, in every recognisable form: with or without its known prefix ("sk-or-v1-"), in any case,
// URL- or JSON-escaped, and any fragment of 8 characters or more (what a provider's clipped or field-quoting error
// leaves of it). Fragments are found with an index of the secrets' 8-character windows, so a scan costs one lookup
// per character of text however many secrets there are.

/** Prefixes that say what kind of key it is; public, so they stay readable ("sk-or-v1-…a1b2"). */
const KNOWN_PREFIX = /^(sk-or-v1-|sk-ant-admin\d*-|sk-ant-api\d*-|sk-ant-|sk-admin-|sk-proj-|sk-svcacct-|sk-)/;
/** The shortest run of a secret that counts as a leak of it. */
export const FRAGMENT = 8;
/** Secrets shorter than this are not secrets worth the name, and masking them would mask ordinary text. */
const MIN_SECRET = 4;

/** "sk-…a1b2": enough to recognise a key, never enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length < 8) return '••••';
  const prefix = KNOWN_PREFIX.exec(secret)?.[0] ?? '';
  return `${prefix}…${secret.slice(-4)}`;
}

/**
 * A key pasted where a name belongs (an account id, a label): a known key prefix followed by a long tail, or a long
 * run that mixes digits and letters the way generated keys do. Names people choose ("openrouter-team-2025") pass.
 */
export function looksLikeKey(s: string): boolean {
  if (/^(sk|pk|rk)[-_][A-Za-z0-9_-]{12,}/i.test(s)) return true;
  for (const run of s.match(/[A-Za-z0-9]{20,}/g) ?? []) {
    const digits = run.replace(/[^0-9]/g, '').length;
    const upper = /[A-Z]/.test(run);
    const lower = /[a-z]/.test(run);
    const letters = run.length - digits;
    if (digits >= run.length * 0.2 && letters >= run.length * 0.2) return true;
    if (upper && lower && digits > 0) return true;
  }
  return false;
}

/** The part of a secret worth hiding: a key without its public prefix; a webhook URL's path and query. */
function secretBody(secret: string): string {
  if (/^https?:\/\//i.test(secret)) {
    try {
      const u = new URL(secret);
      const rest = `${u.pathname}${u.search}${u.hash}`.replace(/^\/+/, '');
      if (rest.length >= FRAGMENT) return rest;
    } catch {
      /* not a URL after all: treat it as a plain secret */
    }
    return secret;
  }
  return secret.slice(KNOWN_PREFIX.exec(secret)?.[0].length ?? 0);
}

/** The ways a secret's text gets re-encoded on its way into an error message or a JSON body. */
function formsOf(body: string): string[] {
  const json = JSON.stringify(body).slice(1, -1);
  const unicode = body.replace(/[/<>&'=+]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [...new Set([body, encodeURIComponent(body), json, json.replaceAll('/', '\\/'), unicode])];
}

/** ASCII-lowercase with indexes kept: toLowerCase() may change the length of a few non-ASCII letters. */
function lower(s: string): string {
  const l = s.toLowerCase();
  return l.length === s.length ? l : s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * Whether an 8-character run of a secret is evidence of a leak wherever it appears: it holds a digit or mixes upper
 * and lower case, as nearly every run of a generated key does (all but 1 in 2,500 of a hex key's). Runs of plain
 * words ("deepseek-", "management" in a test key) would mask ordinary text, so they count only as part of a longer
 * match or of the whole secret.
 */
function isTelling(window: string): boolean {
  return /\d/.test(window) || (/[a-z]/.test(window) && /[A-Z]/.test(window));
}

interface Form {
  /** Lowercased text of one form of one secret's body. */
  text: string;
  /** What replaces a match that reaches the end of the secret: its last four characters, like the masked hint. */
  tail: string;
}

interface Index {
  forms: Form[];
  /** Lowercased window → (form index × 2^16 + offset), one or several. */
  windows: Map<string, number | number[]>;
  /** Secrets too short for windows, lowercased, with their masks: matched whole. */
  short: { text: string; mask: string }[];
  /** Every form, lowercased, matched whole. */
  whole: Form[];
}

const OFFSET_BITS = 65_536;

function buildIndex(secrets: Iterable<string>): Index {
  const index: Index = { forms: [], windows: new Map(), short: [], whole: [] };
  const seen = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET || seen.has(secret)) continue;
    seen.add(secret);
    const body = secretBody(secret);
    if (body.length < FRAGMENT) {
      index.short.push({ text: lower(secret), mask: maskSecret(secret) });
      continue;
    }
    for (const form of formsOf(body)) {
      if (form.length >= OFFSET_BITS) continue;
      const f = index.forms.push({ text: lower(form), tail: secret.slice(-4) }) - 1;
      // The whole form, matched in any case even when no run of it is telling (a key made of words).
      index.whole.push({ text: lower(form), tail: secret.slice(-4) });
      for (let i = 0; i + FRAGMENT <= form.length; i++) {
        const window = form.slice(i, i + FRAGMENT);
        if (!isTelling(window)) continue;
        const key = lower(window);
        const hit = f * OFFSET_BITS + i;
        const had = index.windows.get(key);
        if (had === undefined) index.windows.set(key, hit);
        else if (typeof had === 'number') index.windows.set(key, [had, hit]);
        else had.push(hit);
      }
    }
  }
  return index;
}

interface Span {
  start: number;
  end: number;
  tail: string;
}

function scan(text: string, index: Index): string {
  if (text.length < MIN_SECRET) return text;
  const t = lower(text);
  const spans: Span[] = [];
  if (index.windows.size > 0) {
    for (let i = 0; i + FRAGMENT <= t.length; i++) {
      const hit = index.windows.get(t.slice(i, i + FRAGMENT));
      if (hit === undefined) continue;
      for (const h of typeof hit === 'number' ? [hit] : hit) {
        const form = index.forms[Math.floor(h / OFFSET_BITS)] as Form;
        const offset = h % OFFSET_BITS;
        let start = i;
        for (let o = offset; start > 0 && o > 0 && t[start - 1] === form.text[o - 1]; o--) start--;
        let end = i + FRAGMENT;
        let o = offset + FRAGMENT;
        for (; end < t.length && o < form.text.length && t[end] === form.text[o]; o++) end++;
        spans.push({ start, end, tail: o === form.text.length ? form.tail : '' });
      }
    }
  }
  for (const s of index.short) {
    for (let at = t.indexOf(s.text); at >= 0; at = t.indexOf(s.text, at + s.text.length)) {
      spans.push({ start: at, end: at + s.text.length, tail: `\u0000${s.mask}` });
    }
  }
  for (const w of index.whole) {
    for (let at = t.indexOf(w.text); at >= 0; at = t.indexOf(w.text, at + w.text.length)) {
      spans.push({ start: at, end: at + w.text.length, tail: w.tail });
    }
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  let current: Span | null = null;
  const flush = (span: Span) => {
    out += text.slice(pos, span.start) + (span.tail.startsWith('\u0000') ? span.tail.slice(1) : `…${span.tail}`);
    pos = span.end;
  };
  for (const span of spans) {
    if (current && span.start <= current.end) {
      // Overlapping matches are one leak; keep the tail of whichever reaches furthest.
      if (span.end > current.end || (span.end === current.end && span.tail && !current.tail)) current = { start: current.start, end: span.end, tail: span.tail };
      continue;
    }
    if (current) flush(current);
    current = { ...span };
  }
  if (current) flush(current);
  return out + text.slice(pos);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function scrubValue<T>(value: T, index: Index): T {
  if (typeof value === 'string') return scan(value, index) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const next = scrubValue(value[i] as unknown, index);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return (copy ?? value) as T;
  }
  if (isPlainObject(value)) {
    let copy: Record<string, unknown> | null = null;
    for (const [k, v] of Object.entries(value)) {
      const key = scan(k, index);
      const next = scrubValue(v, index);
      if (key !== k || next !== v) {
        copy ??= { ...value };
        if (key !== k) delete copy[k];
        copy[key] = next;
      }
    }
    return (copy ?? value) as T;
  }
  return value;
}

/**
 * Masks the secrets its source returns. The index is built on first use and kept until invalidate() (call it when
 * accounts, channels or tokens change), so scrubbing stays cheap at a thousand accounts.
 */
export class Redactor {
  private readonly source: () => Iterable<string>;
  private index: Index | null = null;

  constructor(source: () => Iterable<string> = () => []) {
    this.source = source;
  }

  invalidate(): void {
    this.index = null;
  }

  private current(extra?: readonly string[]): Index {
    this.index ??= buildIndex(this.source());
    if (!extra || extra.length === 0) return this.index;
    const more = buildIndex(extra);
    const forms = [...this.index.forms];
    const windows = new Map(this.index.windows);
    for (const [k, v] of more.windows) {
      const shifted = (typeof v === 'number' ? [v] : v).map((h) => h + forms.length * OFFSET_BITS);
      const had = windows.get(k);
      windows.set(k, had === undefined ? (shifted.length === 1 ? (shifted[0] as number) : shifted) : [...(typeof had === 'number' ? [had] : had), ...shifted]);
    }
    forms.push(...more.forms);
    return { forms, windows, short: [...this.index.short, ...more.short], whole: [...this.index.whole, ...more.whole] };
  }

  /** The text with every form of every secret masked. */
  text(text: string, extra?: readonly string[]): string {
    return scan(text, this.current(extra));
  }

  /** A copy of a JSON-like value with every string (object keys included) scrubbed; the value itself when clean. */
  value<T>(value: T, extra?: readonly string[]): T {
    return scrubValue(value, this.current(extra));
  }
}

/** One-off redaction against a known list of secrets (adapters, IPC argument errors). */
export function redact(text: string, secrets: readonly string[]): string {
  return scan(text, buildIndex(secrets));
}
