// The metering proxy's hook into the estimate's accuracy sampler (observed.ts), kept light: nothing of the estimate
// loads until the first metered request, and requests of families counted exactly are sampled only once that
// encoding is in memory anyway (the estimate was used), so metering alone never loads a tokenizer. The families that
// are estimated — the ones whose observed ratio matters — are always sampled.
import type { DatabaseSync } from 'node:sqlite';
import type { ProxyRecord } from '../proxy/handler.ts';
import { log } from '../log.ts';

type Sampler = import('./observed.ts').ObservationSampler;

export function lazySampler(db: DatabaseSync): (body: unknown, r: ProxyRecord) => void {
  let sampler: Sampler | null = null;
  let loading: Promise<void> | null = null;
  let exactLoaded: (model: string) => boolean = () => false;
  // Requests that arrive while the sampler loads wait for it (a few at most, like the sampler's own queue).
  let waiting: [unknown, ProxyRecord][] = [];
  const observe = (body: unknown, r: ProxyRecord) => {
    if (!sampler) return;
    // Keyed by the model asked for (what people type into the estimate); the served name when the request named none.
    const model = r.modelRequested || r.usage.model || '';
    if (!exactLoaded(model)) return;
    sampler.observe(body, {
      time: r.time,
      status: r.status,
      model,
      inputTokens: r.usage.inputTokens,
      cachedTokens: r.usage.cachedTokens,
      cacheWriteTokens: r.usage.cacheWriteTokens,
      estimated: r.usage.estimated,
    });
  };
  return (body, r) => {
    if (sampler) return observe(body, r);
    if (waiting.length < 8) waiting.push([body, r]);
    loading ??= Promise.all([import('./observed.ts'), import('./families.ts'), import('./tokenizer.ts')])
      .then(([observed, families, tokenizer]) => {
        sampler = new observed.ObservationSampler(db);
        exactLoaded = (model) => {
          const encoding = families.familyOf(model).encoding;
          return !encoding || tokenizer.loadedEncodings().includes(encoding);
        };
        for (const [b, rec] of waiting) observe(b, rec);
      })
      .catch((err: unknown) => log.error('spendbar: the estimate sampler could not start:', err instanceof Error ? err.message : err))
      .finally(() => {
        waiting = [];
      });
  };
}
