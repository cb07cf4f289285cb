// Where a proxied request goes and what Spendbar changes in it. `/proxy/<accountId>/<path>` goes to
// `<account base URL>/<path>`; a path starting with /v1/ under a base URL that already ends in /v1 is not doubled, so
// both `…/proxy/or` and `…/proxy/or/v1` work as an SDK base URL. The only body changes are the ones that make the
// provider report usage, and only when the client left them unset.
import type { Account } from '../../../shared/domain.ts';
import type { ApiStyle } from './usage.ts';

export interface Upstream {
  url: URL;
  style: ApiStyle;
}

/**
 * Providers whose account is set up for a management or admin API rather than for API calls: where their calls go
 * (null: nowhere the proxy knows), and why their stored key is never inserted for the proxy token.
 * SurferCloud's account signs UCloud's management API; its calls go to the UModelVerse OpenAI-compatible inference
 * endpoint the user gives as the `inferenceBaseUrl` option, with the `inferenceKey` credential when one is stored.
 */
const PROFILES: Record<string, { base?: (a: Account) => string | null; noKeyReason: string | null }> = {
  openai: { noKeyReason: "its stored key is an organization Admin key, which cannot make API calls: send your own project key" },
  anthropic: { noKeyReason: 'its stored key is an Admin key, which cannot make API calls: send your own API key' },
  xai: { base: () => 'https://api.x.ai', noKeyReason: 'its stored key is a management key, which cannot make API calls: send your own API key' },
  surfercloud: { base: (a) => inferenceBase(a), noKeyReason: null },
};

/** SurferCloud's `inferenceBaseUrl` option, when it is set. */
function inferenceBase(account: Account): string | null {
  const v = account.options?.inferenceBaseUrl;
  const text = (Array.isArray(v) ? v[0] : v)?.trim();
  return text ? text : null;
}

/** The base URL requests to this account go to; null when the account cannot be metered (`unmeteredReason` says why). */
export function upstreamBase(account: Account, defaultBaseUrl: string): string | null {
  const profile = PROFILES[account.provider];
  const base = profile?.base ? profile.base(account) : (account.baseUrl ?? defaultBaseUrl);
  return base === null ? null : base.replace(/\/+$/, '');
}

/** Why requests to this account cannot be metered (its upstreamBase is null), in words the client's SDK shows. */
export function unmeteredReason(account: Account): string {
  if (account.provider === 'surfercloud') {
    return "its base URL is UCloud's management API, not an inference API: set the account's inference base URL (option inferenceBaseUrl, UModelVerse's OpenAI-compatible endpoint ending in /v1) to meter it";
  }
  return 'its provider has no inference API the proxy knows';
}

/**
 * Why the account's stored key is never inserted for the proxy token, or null when it is. `hasInferenceKey`: a
 * SurferCloud account has a UModelVerse API key stored (its signing pair never goes to the inference API).
 */
export function noKeyReason(account: Account, hasInferenceKey = false): string | null {
  if (account.provider === 'surfercloud' && !hasInferenceKey) {
    return "its stored keys sign UCloud's management API calls: store a UModelVerse API key as the account's inference key, or send your own";
  }
  return PROFILES[account.provider]?.noKeyReason ?? null;
}

/** A base URL's origin and path prefix, parsed once per base (a request would otherwise parse it again). */
const roots = new Map<string, { origin: string; prefix: string }>();

function rootOf(base: string): { origin: string; prefix: string } {
  let root = roots.get(base);
  if (!root) {
    const u = new URL(base);
    root = { origin: u.origin, prefix: `${u.pathname.replace(/\/+$/, '')}/` };
    // Bounded: bases come from accounts, but a flood of edits starts the cache afresh.
    if (roots.size >= 1000) roots.clear();
    roots.set(base, root);
  }
  return root;
}

export function upstreamUrl(base: string, path: string, search: string): URL {
  let p = path.startsWith('/') ? path : `/${path}`;
  if (/\/v1$/.test(base) && (p === '/v1' || p.startsWith('/v1/'))) p = p.slice(3) || '/';
  if (!/^https?:\/\/[^/]/i.test(base)) throw new RangeError(`The account's base URL '${base}' is not an http(s) address: fix it in Accounts.`);
  const url = new URL(`${base}${p}${search}`);
  // A path cannot leave the account's base URL ("/../" segments): the stored key only goes where the account points.
  const root = rootOf(base);
  if (url.origin !== root.origin || !`${url.pathname}/`.startsWith(root.prefix)) {
    throw new RangeError(`The path ${path} leaves the account's base URL.`);
  }
  return url;
}

/** Anthropic's Messages API (also served by Anthropic-compatible endpoints such as DeepSeek's /anthropic). */
export function styleOf(path: string): ApiStyle {
  return /\/messages(\/count_tokens)?$/.test(path.replace(/\/+$/, '')) && !/\/threads\//.test(path) ? 'anthropic' : 'openai';
}

/** OpenRouter and compatible routers (OneRouter, Infron, …) meter with `usage: {include: true}`. */
export function isRouter(account: Account): boolean {
  return account.provider === 'openrouter';
}

export interface BodyPlan {
  /** The body to send (the client's bytes when nothing changed). */
  body: Buffer;
  /** Parsed JSON body, for model, stream flag and estimates; null when not JSON (a body sent as it is: parsed on first read). */
  json: Record<string, unknown> | null;
  stream: boolean;
  model: string;
  /** Spendbar added stream_options.include_usage: the extra usage-only chunk is not the client's to see. */
  addedStreamUsage: boolean;
  /** Spendbar added OpenRouter's usage.include. */
  addedRouterUsage: boolean;
}

const CHAT_LIKE = /\/(chat\/)?completions$/;

/** The body as a JSON object, or null when it is not one. */
function parseObject(raw: Buffer): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}

const STREAM_KEY = Buffer.from('"stream"');
const ESCAPE = Buffer.from('\\u');

/**
 * Whether the bytes alone show the body goes as it is and is no stream: no `"stream"` key can be in them (it is
 * absent as written, and no \u escape could spell it), and no router usage flag is to be added. Such a body is sent
 * without being parsed first: its model and parsed form (for the record and an estimate) are read once the response
 * is over, so a long prompt's parse is not in the request's latency.
 */
function goesAsIs(raw: Buffer, path: string, style: ApiStyle, router: boolean): boolean {
  if (router && style === 'openai' && (CHAT_LIKE.test(path) || /\/responses$/.test(path))) return false;
  return !raw.includes(STREAM_KEY) && !raw.includes(ESCAPE);
}

/** A plan for a body that goes as it is: parsed on first use of `json` or `model`, once. */
function asIsPlan(raw: Buffer): BodyPlan {
  let json: Record<string, unknown> | null | undefined;
  const parsed = () => (json === undefined ? (json = parseObject(raw)) : json);
  return {
    body: raw,
    stream: false,
    addedStreamUsage: false,
    addedRouterUsage: false,
    get json() {
      return parsed();
    },
    get model() {
      const m = parsed()?.model;
      return typeof m === 'string' ? m : '';
    },
  };
}

/** Decides the body to forward. Changes only JSON bodies of OpenAI-style completion calls, and only unset fields. */
export function planBody(raw: Buffer, contentType: string | undefined, path: string, style: ApiStyle, router: boolean): BodyPlan {
  const plan: BodyPlan = { body: raw, json: null, stream: false, model: '', addedStreamUsage: false, addedRouterUsage: false };
  if (raw.length === 0 || !/json/i.test(contentType ?? 'application/json')) return plan;
  const p = path.replace(/\/+$/, '');
  if (goesAsIs(raw, p, style, router)) return asIsPlan(raw);
  const json = parseObject(raw);
  if (!json) return plan;
  plan.json = json;
  plan.stream = json.stream === true;
  plan.model = typeof json.model === 'string' ? json.model : '';
  if (style !== 'openai') return plan;
  // Fields Spendbar adds where the client sent none: spliced into the client's bytes, so its body is not serialised
  // again (a long prompt costs nothing extra). A field the client sent without the flag is merged, and only then is
  // the body re-serialised.
  const added: string[] = [];
  let merged = false;
  if (plan.stream && CHAT_LIKE.test(p)) {
    const opts = json.stream_options;
    if (opts === undefined || opts === null) {
      json.stream_options = { include_usage: true };
      if (opts === undefined) added.push('"stream_options":{"include_usage":true}');
      else merged = true;
      plan.addedStreamUsage = true;
    } else if (typeof opts === 'object' && !Array.isArray(opts) && (opts as Record<string, unknown>).include_usage === undefined) {
      json.stream_options = { ...(opts as Record<string, unknown>), include_usage: true };
      plan.addedStreamUsage = merged = true;
    }
  }
  if (router && (CHAT_LIKE.test(p) || /\/responses$/.test(p))) {
    const usage = json.usage;
    if (usage === undefined || usage === null) {
      json.usage = { include: true };
      if (usage === undefined) added.push('"usage":{"include":true}');
      else merged = true;
      plan.addedRouterUsage = true;
    } else if (typeof usage === 'object' && !Array.isArray(usage) && (usage as Record<string, unknown>).include === undefined) {
      json.usage = { ...(usage as Record<string, unknown>), include: true };
      plan.addedRouterUsage = merged = true;
    }
  }
  if (merged) plan.body = Buffer.from(JSON.stringify(json));
  else if (added.length) plan.body = spliceFields(raw, added) ?? Buffer.from(JSON.stringify(json));
  return plan;
}

/**
 * The client's JSON object with `fields` ("name":value texts) added before its closing brace; null when the bytes do
 * not end the way a parsed object must (the caller then serialises the parsed body).
 */
export function spliceFields(raw: Buffer, fields: readonly string[]): Buffer | null {
  let end = raw.length - 1;
  while (end >= 0 && (raw[end] === 0x20 || raw[end] === 0x0a || raw[end] === 0x0d || raw[end] === 0x09)) end--;
  if (end < 0 || raw[end] !== 0x7d) return null;
  let before = end - 1;
  while (before >= 0 && (raw[before] === 0x20 || raw[before] === 0x0a || raw[before] === 0x0d || raw[before] === 0x09)) before--;
  // `{}`: no member to follow with a comma.
  const empty = before >= 0 && raw[before] === 0x7b;
  const text = `${empty ? '' : ','}${fields.join(',')}`;
  return Buffer.concat([raw.subarray(0, end), Buffer.from(text), raw.subarray(end)]);
}

/**
 * Whether a stream event is the usage-only chunk that include_usage adds (no choices, usage set). It is dropped from
 * the client's stream only when Spendbar asked for it.
 */
export function isUsageOnlyChunk(data: unknown): boolean {
  if (!data || typeof data !== 'object') return false;
  const o = data as Record<string, unknown>;
  return Array.isArray(o.choices) && o.choices.length === 0 && o.usage !== null && typeof o.usage === 'object';
}
