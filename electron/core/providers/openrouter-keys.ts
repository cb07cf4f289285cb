// An OpenRouter management key's view of the account's API keys: GET /workspaces, then GET /keys per workspace
// (without workspace_id only the default workspace's keys come back), 100 per page by offset. /key describes
// only the key that asks — a management key spends nothing itself — so the account's spend windows are the sum of
// its keys' windows, and each key's name, cap and remaining are shown as they are.
import type { KeySpend, QuotaReset, SpendWindows } from '../../../shared/domain.ts';
import { toMicros, type Money } from '../../../shared/money.ts';
import { ProviderError } from '../errors.ts';
import { finite, isRecord, nonNegative } from './numbers.ts';

const USD = 'USD';
const PAGE = 100;
/** Enough for any real account; a runaway pager stops here with a note. */
const MAX_PAGES = 50;

/** What a GET returns to this module: the `data` of the body, or the HTTP/body error status. */
export type Get = (path: string, what: string) => Promise<{ status: number; data: unknown; total?: number }>;

export interface KeysRead {
  keys: KeySpend[];
  spent: SpendWindows;
  byokMicros: number;
  notes: string[];
}

interface Workspace {
  id: string;
  name: string;
}

/** null when the key may not list keys (403): the caller says so and keeps what else it knows. */
export async function readKeys(get: Get): Promise<KeysRead | null> {
  const notes: string[] = [];
  const workspaces = await readWorkspaces(get, notes);
  const seen = new Map<string, KeySpend & { byok: number }>();
  const targets = workspaces ?? [null];
  for (const ws of targets) {
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) {
        notes.push(`Stopped listing keys after ${MAX_PAGES * PAGE} in ${ws ? `workspace "${ws.name}"` : 'the account'}; the spend of the rest is not included.`);
        break;
      }
      const query = `?include_disabled=true&offset=${page * PAGE}${ws ? `&workspace_id=${encodeURIComponent(ws.id)}` : ''}`;
      const r = await get(`/keys${query}`, 'the account’s keys');
      if (r.status === 403 || r.status === 401) {
        if (page === 0 && seen.size === 0 && ws === targets[0]) return null;
        notes.push(`The key could not list the keys of ${ws ? `workspace "${ws.name}"` : 'a workspace'} (${r.status}); their spend is not included.`);
        break;
      }
      if (!Array.isArray(r.data)) throw new ProviderError('bad-response', 'The keys list is not a list. Check that the base URL points at an OpenRouter-compatible API.');
      r.data.forEach((k, i) => {
        const parsed = parseKey(k, `keys[${page * PAGE + i}]`, ws?.name);
        if (!seen.has(parsed.id)) seen.set(parsed.id, parsed.spend);
      });
      if (r.data.length < PAGE) break;
    }
  }
  const keys = [...seen.values()];
  const sum = (w: keyof SpendWindows): Money | undefined => {
    let micros = 0;
    let any = false;
    for (const k of keys) {
      const m = k.spent[w];
      if (m) {
        micros += m.micros;
        any = true;
      }
    }
    return any || keys.length === 0 ? { micros, currency: USD } : undefined;
  };
  const spent: SpendWindows = {};
  for (const w of ['today', 'week', 'month', 'total'] as const) {
    const m = sum(w);
    if (m) spent[w] = m;
  }
  notes.push(
    `Spend today, this week and this month is summed over the account's ${keys.length} key(s)${workspaces && workspaces.length > 1 ? ` in ${workspaces.length} workspaces` : ''}; spend of deleted keys is not included.`,
  );
  const byokMicros = keys.reduce((n, k) => n + k.byok, 0);
  return { keys: keys.map(({ byok: _b, ...k }) => k), spent, byokMicros, notes };
}

/** null: the router has no workspaces (or this key may not list them): the default workspace's keys only. */
async function readWorkspaces(get: Get, notes: string[]): Promise<Workspace[] | null> {
  const out: Workspace[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await get(`/workspaces?offset=${page * PAGE}&limit=${PAGE}`, 'workspaces');
    if (r.status === 404 || r.status === 400) return null;
    if (r.status === 401 || r.status === 403) {
      notes.push('The key could not list workspaces; only the default workspace’s keys are counted.');
      return null;
    }
    if (!Array.isArray(r.data)) return null;
    for (const w of r.data) {
      if (isRecord(w) && typeof w.id === 'string' && w.id) out.push({ id: w.id, name: typeof w.name === 'string' && w.name ? w.name : w.id });
    }
    if (r.data.length < PAGE || (r.total !== undefined && out.length >= r.total)) break;
  }
  return out.length > 0 ? out : null;
}

function usd(v: unknown, field: string): Money | undefined {
  return v === undefined || v === null ? undefined : { micros: toMicros(nonNegative(v, field)), currency: USD };
}

function reset(v: unknown): QuotaReset | null {
  if (v == null) return 'never';
  return v === 'daily' || v === 'weekly' || v === 'monthly' ? v : null;
}

/** "sk-or-v1-0e6...1c96" → "sk-or-v1-…1c96": OpenRouter's label shows more of the key than Spendbar ever does. */
function masked(label: unknown): string {
  if (typeof label !== 'string') return '';
  const tail = /([A-Za-z0-9]{4})\s*$/.exec(label)?.[1];
  return tail ? `${/^sk-or-v1-/.test(label) ? 'sk-or-v1-' : ''}…${tail}` : '';
}

function parseKey(k: unknown, at: string, workspace: string | undefined): { id: string; spend: KeySpend & { byok: number } } {
  if (!isRecord(k)) throw new ProviderError('bad-response', `The keys list has an entry (${at}) that is not an object.`);
  const hash = typeof k.hash === 'string' ? k.hash : '';
  const name = (typeof k.name === 'string' && k.name.trim()) || masked(k.label) || (hash ? `key ${hash.slice(0, 8)}` : 'unnamed key');
  const spent: SpendWindows = {};
  const today = usd(k.usage_daily, `${at}.usage_daily`);
  const week = usd(k.usage_weekly, `${at}.usage_weekly`);
  const month = usd(k.usage_monthly, `${at}.usage_monthly`);
  const total = usd(k.usage, `${at}.usage`);
  if (today) spent.today = today;
  if (week) spent.week = week;
  if (month) spent.month = month;
  if (total) spent.total = total;
  const limit = usd(k.limit, `${at}.limit`) ?? null;
  // Overspending a cap leaves remaining slightly negative: a real figure.
  const remaining = limit === null || k.limit_remaining == null ? null : { micros: toMicros(finite(k.limit_remaining, `${at}.limit_remaining`)), currency: USD };
  const expires = typeof k.expires_at === 'string' ? Date.parse(k.expires_at) : NaN;
  const spend: KeySpend & { byok: number } = {
    name,
    spent,
    limit,
    remaining,
    resets: reset(k.limit_reset),
    expiresAt: Number.isNaN(expires) ? null : expires,
    byok: k.byok_usage == null ? 0 : toMicros(nonNegative(k.byok_usage, `${at}.byok_usage`)),
  };
  if (workspace) spend.workspace = workspace;
  if (k.disabled === true) spend.disabled = true;
  return { id: hash || `${workspace ?? ''}\u0000${name}\u0000${String(k.created_at ?? '')}`, spend };
}
