// OpenRouter's /activity (management key): one row per completed UTC day, model and endpoint, summed here into one
// day bucket per model.
import { BUCKET_MS, type UsageBucket } from '../../../shared/domain.ts';
import { toMicros } from '../../../shared/money.ts';
import { ProviderError } from '../errors.ts';
import { count, isRecord, nonNegative } from './numbers.ts';

const USD = 'USD';

function bad(message: string): ProviderError {
  return new ProviderError('bad-response', message);
}

export function parseActivity(data: unknown, usageSince: number | undefined): { buckets: UsageBucket[]; byokMicros: number } {
  if (!Array.isArray(data)) throw bad('The activity response is not a list. Check that the base URL points at an OpenRouter-compatible API.');
  // One row per (date, model, endpoint); the store keeps one bucket per (date, model), so rows are summed here.
  const buckets = new Map<string, UsageBucket>();
  let byokMicros = 0;
  data.forEach((row: unknown, i) => {
    const at = `activity[${i}]`;
    if (!isRecord(row)) throw bad(`The activity response has an entry (${at}) that is not an object.`);
    const start = utcDay(row.date, `${at}.date`);
    const model = typeof row.model === 'string' && row.model ? row.model : typeof row.model_permaslug === 'string' && row.model_permaslug ? row.model_permaslug : 'unknown';
    const id = `${start}\u0000${model}`;
    let b = buckets.get(id);
    if (!b) {
      b = { start, width: 'day', model, key: '', requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: { micros: 0, currency: USD } };
      buckets.set(id, b);
    }
    const n = (field: string): number => (row[field] == null ? 0 : count(row[field], `${at}.${field}`));
    b.requests += n('requests');
    b.inputTokens += n('prompt_tokens');
    b.outputTokens += n('completion_tokens');
    b.reasoningTokens += n('reasoning_tokens');
    b.cost = { micros: (b.cost?.micros ?? 0) + toMicros(nonNegative(row.usage, `${at}.usage`)), currency: USD };
    if (row.byok_usage_inference != null) byokMicros += toMicros(nonNegative(row.byok_usage_inference, `${at}.byok_usage_inference`));
  });
  const kept = [...buckets.values()]
    .filter((b) => usageSince === undefined || b.start + BUCKET_MS.day > usageSince)
    .sort((a, b) => a.start - b.start || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return { buckets: kept, byokMicros };
}

function utcDay(value: unknown, field: string): number {
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3])) {
    throw bad(`The provider reported ${JSON.stringify(String(value).slice(0, 30))} for ${field}, which is not a date; Spendbar kept the previous figures.`);
  }
  return ms;
}
