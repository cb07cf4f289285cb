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
  /** Hash of a lowercased telling window → (form index × 2^16 + offset), one or several. */
  windows: Map<number, number | number[]>;
  /** Secrets too short for windows, lowercased, with their masks: matched whole. */
  short: { text: string; mask: string }[];
  /** Forms without a single telling window (keys made of words), matched whole. */
  whole: Form[];
  /** The secrets indexed, so a call's extra secrets already known cost nothing. */
  known: Set<string>;
}

const OFFSET_BITS = 65_536;
const HASH_BASE = 31;
/** HASH_BASE^(FRAGMENT-1) in 32-bit arithmetic: what the character leaving a rolling window weighs. */
const HASH_TOP = Array.from({ length: FRAGMENT - 1 }).reduce<number>((h) => Math.imul(h, HASH_BASE), 1);

function hashAt(s: string, i: number): number {
  let h = 0;
  for (let k = 0; k < FRAGMENT; k++) h = (Math.imul(h, HASH_BASE) + s.charCodeAt(i + k)) | 0;
  return h;
}

function buildIndex(secrets: Iterable<string>): Index {
  const index: Index = { forms: [], windows: new Map(), short: [], whole: [], known: new Set() };
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET || index.known.has(secret)) continue;
    index.known.add(secret);
    const body = secretBody(secret);
    if (body.length < FRAGMENT) {
      index.short.push({ text: lower(secret), mask: maskSecret(secret) });
      continue;
    }
    for (const form of formsOf(body)) {
      if (form.length >= OFFSET_BITS) continue;
      const entry = { text: lower(form), tail: secret.slice(-4) };
      const f = index.forms.push(entry) - 1;
      let telling = false;
      for (let i = 0; i + FRAGMENT <= form.length; i++) {
        if (!isTelling(form.slice(i, i + FRAGMENT))) continue;
        telling = true;
        const key = hashAt(entry.text, i);
        const hit = f * OFFSET_BITS + i;
        const had = index.windows.get(key);
        if (had === undefined) index.windows.set(key, hit);
        else if (typeof had === 'number') index.windows.set(key, [had, hit]);
        else had.push(hit);
      }
      // A form with a telling window is found through it (and the match extended over the whole form); one made only
      // of words is matched whole, in any case.
      if (!telling) index.whole.push(entry);
    }
  }
  return index;
}

interface Span {
  start: number;
  end: number;
  tail: string;
}

/** Where the index's secrets occur in `t` (lowercased text), added to `spans`. One hash step per character. */
function findSpans(t: string, index: Index, spans: Span[]): void {
  if (index.windows.size > 0 && t.length >= FRAGMENT) {
    let h = hashAt(t, 0);
    for (let i = 0; ; i++) {
      const hit = index.windows.get(h);
      if (hit !== undefined) {
        for (const x of typeof hit === 'number' ? [hit] : hit) {
          const form = index.forms[Math.floor(x / OFFSET_BITS)] as Form;
          const offset = x % OFFSET_BITS;
          if (t.slice(i, i + FRAGMENT) !== form.text.slice(offset, offset + FRAGMENT)) continue;
          let start = i;
          for (let o = offset; start > 0 && o > 0 && t[start - 1] === form.text[o - 1]; o--) start--;
          let end = i + FRAGMENT;
          let o = offset + FRAGMENT;
          for (; end < t.length && o < form.text.length && t[end] === form.text[o]; o++) end++;
          spans.push({ start, end, tail: o === form.text.length ? form.tail : '' });
        }
      }
      if (i + FRAGMENT >= t.length) break;
      h = (Math.imul(h - Math.imul(t.charCodeAt(i), HASH_TOP), HASH_BASE) + t.charCodeAt(i + FRAGMENT)) | 0;
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
}

function scan(text: string, indexes: readonly Index[]): string {
  if (text.length < MIN_SECRET) return text;
  const t = lower(text);
  const spans: Span[] = [];
  for (const index of indexes) findSpans(t, index, spans);
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

/**
 * A scrubbed copy of a JSON-like value (the value itself when clean). `clean` remembers objects already found clean
 * against these secrets, so an object that leaves the core many times (a cached snapshot in every status) is walked
 * once. Such objects are treated as immutable from then on.
 */
function scrubValue<T>(value: T, index: readonly Index[], clean: WeakSet<object> | null): T {
  if (typeof value === 'string') return scan(value, index) as T;
  if (typeof value !== 'object' || value === null || clean?.has(value)) return value;
  let out: unknown;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const next = scrubValue(value[i] as unknown, index, clean);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    out = copy ?? value;
  } else if (isPlainObject(value)) {
    let copy: Record<string, unknown> | null = null;
    for (const [k, v] of Object.entries(value)) {
      const key = scan(k, index);
      const next = scrubValue(v, index, clean);
      if (key !== k || next !== v) {
        copy ??= { ...value };
        if (key !== k) delete copy[k];
        copy[key] = next;
      }
    }
    out = copy ?? value;
  } else {
    return value;
  }
  clean?.add(out as object);
  return out as T;
}

/**
 * Masks the secrets its source returns. The index is built on first use and kept until invalidate() (call it when
 * accounts, channels or tokens change), so scrubbing stays cheap at a thousand accounts.
 */
export class Redactor {
  private readonly sources: Set<() => Iterable<string>>;
  private index: Index | null = null;
  private clean = new WeakSet<object>();
  private changes = 0;

  constructor(source: () => Iterable<string> = () => []) {
    this.sources = new Set([source]);
  }

  /** The secrets changed: rebuild the index, and look again at everything (what was clean may not be now). */
  invalidate(): void {
    this.index = null;
    this.clean = new WeakSet();
    this.changes++;
  }

  /** Moves on every invalidate(): text scrubbed before may scrub differently now (the server's cached /metrics). */
  get generation(): number {
    return this.changes;
  }

  /** Adds secrets from elsewhere (the server's token) until the returned function is called. */
  include(source: () => Iterable<string>): () => void {
    this.sources.add(source);
    this.invalidate();
    return () => {
      this.sources.delete(source);
      this.invalidate();
    };
  }

  /** The index, plus one for a call's extra secrets that the index does not already hold. */
  private current(extra?: readonly string[]): Index[] {
    this.index ??= buildIndex([...this.sources].flatMap((s) => [...s()]));
    const base = this.index;
    const fresh = extra?.filter((x) => typeof x === 'string' && x.length >= MIN_SECRET && !base.known.has(x));
    return fresh && fresh.length > 0 ? [base, buildIndex(fresh)] : [base];
  }

  /** The text with every form of every secret masked. */
  text(text: string, extra?: readonly string[]): string {
    return scan(text, this.current(extra));
  }

  /** A copy of a JSON-like value with every string (object keys included) scrubbed; the value itself when clean. */
  value<T>(value: T, extra?: readonly string[]): T {
    const indexes = this.current(extra);
    // Marks hold for the core's own secrets only: with a call's extra secrets, everything is looked at.
    return scrubValue(value, indexes, indexes.length === 1 ? this.clean : null);
  }
}

/** One-off redaction against a known list of secrets (adapters, IPC argument errors). */
export function redact(text: string, secrets: readonly string[]): string {
  return scan(text, [buildIndex(secrets)]);
}
