// What a gateway's public /api/status says about money, and the conversion rules that follow from it, as the
// gateways' own billing handlers apply them:
// - raw quota (the per-key endpoint, the request log, /api/user/self) is quota_per_unit per US dollar;
// - the OpenAI-style billing endpoints hold the *display* unit: New-API since 2025-09-29 by quota_display_type
//   (CNY → ×usd_exchange_rate, TOKENS → raw quota, USD and CUSTOM → dollars); before that, and on One-API, by the
//   display_in_currency boolean (true → dollars, false → raw quota).
import { MICROS, type Currency, formatNumber } from '../../../../shared/money.ts';
import { isRecord } from '../numbers.ts';

export const DEFAULT_QUOTA_PER_UNIT = 500_000;

export type Flavor = 'new-api' | 'one-api' | 'unknown';

export interface GatewaySettings {
  /** Whether /api/status answered with settings (otherwise everything below is assumed). */
  known: boolean;
  flavor: Flavor;
  /** As the gateway reports it ("v0.6.10", "" for self-builds); null when it did not say. */
  version: string | null;
  quotaPerUnit: number;
  /** What the billing endpoints' *_usd fields hold. */
  billingUnit: 'usd' | 'cny' | 'raw';
  /** quota_display_type as sent (upper-cased), or null before it existed. */
  displayType: string | null;
  usdExchangeRate: number | null;
  custom: { symbol: string; rate: number } | null;
  /** Something here was assumed rather than read: figures built on it are estimates. */
  estimated: boolean;
  notes: string[];
}

/** How wire figures become money: micros = value × microsPerUnit. */
export interface Scale {
  currency: Currency;
  microsPerUnit: number;
  estimated: boolean;
  notes: string[];
}

/** Keys only New-API's /api/status has (One-API's is a short fixed list); any one of them names the fork. */
const NEW_API_KEYS = [
  'quota_display_type', 'usd_exchange_rate', 'price', 'stripe_unit_price', 'enable_drawing', 'enable_task', 'enable_data_export',
  'mj_notify_enabled', 'chats', 'self_use_mode_enabled', 'demo_site_enabled', 'default_collapse_sidebar', 'linuxdo_oauth',
  'telegram_oauth', 'docs_link', 'custom_currency_symbol', 'setup',
];

function positive(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** Settings when /api/status could not be read at all: One-API's defaults, marked as assumed. */
export function assumedSettings(why: string): GatewaySettings {
  return {
    known: false,
    flavor: 'unknown',
    version: null,
    quotaPerUnit: DEFAULT_QUOTA_PER_UNIT,
    billingUnit: 'usd',
    displayType: null,
    usdExchangeRate: null,
    custom: null,
    estimated: true,
    notes: [`${why} Spendbar assumed dollar display and ${formatNumber(DEFAULT_QUOTA_PER_UNIT)} quota per $1, so figures are estimates.`],
  };
}

/** /api/status `data` → settings. Odd values are noted and replaced by the gateway's own defaults, never thrown. */
export function parseSettings(data: Record<string, unknown>, hasTokenUsage = false): GatewaySettings {
  const notes: string[] = [];
  let estimated = false;
  const isNewApi = hasTokenUsage || NEW_API_KEYS.some((k) => k in data) || /new[\s-]?api/i.test(String(data.system_name ?? ''));
  const flavor: Flavor = isNewApi ? 'new-api' : 'one-api';
  const version = typeof data.version === 'string' ? data.version.trim() : null;

  let quotaPerUnit = positive(data.quota_per_unit);
  if (quotaPerUnit === null) {
    const said = data.quota_per_unit === undefined ? 'did not report quota_per_unit' : `reported ${JSON.stringify(data.quota_per_unit).slice(0, 30)} for quota_per_unit`;
    notes.push(`The gateway ${said}; Spendbar used the default of ${formatNumber(DEFAULT_QUOTA_PER_UNIT)} quota per $1, so figures converted from quota are estimates.`);
    quotaPerUnit = DEFAULT_QUOTA_PER_UNIT;
    estimated = true;
  }

  const rawType = typeof data.quota_display_type === 'string' && data.quota_display_type.trim() ? data.quota_display_type.trim().toUpperCase() : null;
  const usdExchangeRate = positive(data.usd_exchange_rate);
  let billingUnit: GatewaySettings['billingUnit'];
  let custom: GatewaySettings['custom'] = null;
  if (rawType === null) {
    // Before quota_display_type (One-API, New-API before 2025-09-29): only the boolean, default true.
    billingUnit = data.display_in_currency === false ? 'raw' : 'usd';
  } else if (rawType === 'CNY') {
    billingUnit = 'cny';
    if (usdExchangeRate === null) {
      notes.push('The gateway shows CNY but did not publish usd_exchange_rate: its CNY figures are kept as they are, and quota read elsewhere is shown in USD.');
    }
  } else if (rawType === 'TOKENS') {
    billingUnit = 'raw';
  } else {
    // USD, CUSTOM and anything newer: the billing handlers' default branch, dollars.
    billingUnit = 'usd';
    if (rawType === 'CUSTOM') {
      const symbol = typeof data.custom_currency_symbol === 'string' && data.custom_currency_symbol.trim() ? data.custom_currency_symbol.trim().slice(0, 8) : '¤';
      const rate = positive(data.custom_currency_exchange_rate) ?? 1;
      custom = { symbol, rate };
    } else if (rawType !== 'USD') {
      notes.push(
        `The gateway reports the display type "${rawType.slice(0, 20)}", which Spendbar does not know; amounts are read as US dollars, as the gateway's billing endpoints do for every type but CNY and TOKENS — check them against the gateway's pages.`,
      );
      estimated = true;
    }
  }
  return { known: true, flavor, version, quotaPerUnit, billingUnit, displayType: rawType, usdExchangeRate, custom, estimated, notes };
}

/** Raw quota → money: CNY when the gateway shows CNY and says at what rate (as its pages do), else dollars. */
export function rawScale(s: GatewaySettings): Scale {
  if (s.billingUnit === 'cny' && s.usdExchangeRate !== null) {
    return {
      currency: 'CNY',
      microsPerUnit: (MICROS * s.usdExchangeRate) / s.quotaPerUnit,
      estimated: true,
      notes: [cnyNote(s.usdExchangeRate)],
    };
  }
  return { currency: 'USD', microsPerUnit: MICROS / s.quotaPerUnit, estimated: false, notes: [] };
}

/** Billing-endpoint figures → money, in whatever unit the gateway's display setting put them. */
export function billingScale(s: GatewaySettings): Scale {
  if (s.billingUnit === 'raw') {
    const scale = rawScale(s);
    return { ...scale, notes: [...scale.notes, `The gateway shows raw quota; Spendbar converted it to dollars at its ${formatNumber(s.quotaPerUnit)} quota per $1.`] };
  }
  if (s.billingUnit === 'cny') {
    return { currency: 'CNY', microsPerUnit: MICROS, estimated: true, notes: [cnyNote(s.usdExchangeRate)] };
  }
  return { currency: 'USD', microsPerUnit: MICROS, estimated: false, notes: [] };
}

function cnyNote(rate: number | null): string {
  const at = rate !== null ? `its rate of ${rate} CNY per USD` : 'its own exchange rate';
  return `The gateway shows CNY: it converts its dollar quota at ${at}, so these CNY figures are estimates of what the dollars buy.`;
}

/** A parsed "v0.6.11-preview.7" / "0.4.10-alpha.5-3-gabc123"; null for "", "v0.0.0" (no version stamped) or nonsense. */
export interface Version {
  nums: [number, number, number];
  pre: (string | number)[];
}

export function parseVersion(v: string | null): Version | null {
  if (!v) return null;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.]+?))?(?:-\d+-g[0-9a-f]+)?$/.exec(v.trim());
  if (!m) return null;
  const nums: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (nums.every((n) => n === 0)) return null;
  const pre = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return { nums, pre };
}

/** Semantic-version order: a pre-release comes before its release. */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a.nums[i] !== b.nums[i]) return (a.nums[i] as number) - (b.nums[i] as number);
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function statusData(body: unknown): Record<string, unknown> | null {
  return isRecord(body) && body.success !== false && isRecord(body.data) ? body.data : null;
}
