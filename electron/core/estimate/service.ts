// The estimate as the core serves it: picks the models (the caller's, else the ones the user's accounts used in
// the last 30 days, else DEFAULT_ESTIMATE_MODELS), knows each used model's provider (which price tables apply), and
// adds the observed ratios the metering proxy's samples built up. Nothing loads before the first estimate.
import type { DatabaseSync } from 'node:sqlite';
import type { TotalsQuery } from '../../../shared/api.ts';
import type { UsageTotals } from '../../../shared/domain.ts';
import { DEFAULT_ESTIMATE_MODELS, MAX_ESTIMATE_MODELS, type EstimateRequest, type EstimateResult, type ObservedRatio } from '../../../shared/estimate.ts';
import { checkModels, estimate, requestModel, type ModelChoice } from './estimate.ts';
import { EstimateInputError } from './prompt.ts';

const DAY = 86_400_000;

export interface EstimateServiceDeps {
  accounts(): { id: string; provider: string }[];
  totals(q: TotalsQuery): UsageTotals[];
  /** The database holding `estimate_observed`, when the core has one. */
  db?: DatabaseSync;
  now?: () => number;
}

/** Models with usage in the last 30 days, busiest first, each with the provider of the account that used it. */
export function usedModels(deps: EstimateServiceDeps): ModelChoice[] {
  const now = (deps.now ?? Date.now)();
  const seen = new Map<string, { choice: ModelChoice; weight: number }>();
  for (const a of deps.accounts()) {
    for (const t of deps.totals({ groupBy: 'model', from: now - 30 * DAY, to: now + DAY, accountIds: [a.id] })) {
      // "(all models, estimated from balance changes)" and the like are not model names.
      if (!t.group || t.group.startsWith('(')) continue;
      const weight = t.requests + t.inputTokens + t.outputTokens + (t.costMicros ?? 0);
      if (weight <= 0) continue;
      const had = seen.get(t.group);
      if (had) had.weight += weight;
      else seen.set(t.group, { choice: { model: t.group, provider: a.provider, known: true }, weight });
    }
  }
  return [...seen.values()].sort((x, y) => y.weight - x.weight).map((x) => x.choice);
}

export class EstimateService {
  private readonly deps: EstimateServiceDeps;
  private observedReady = false;

  constructor(deps: EstimateServiceDeps) {
    this.deps = deps;
  }

  async estimate(req: EstimateRequest): Promise<EstimateResult> {
    if (typeof req !== 'object' || req === null || Array.isArray(req)) throw new EstimateInputError('Give an object with the input text.');
    const asked = checkModels(req.models);
    const used = usedModels(this.deps);
    const byName = new Map(used.map((c) => [c.model, c]));
    let models: ModelChoice[];
    let modelsFrom: EstimateResult['modelsFrom'];
    if (asked) {
      models = asked.map((m) => byName.get(m) ?? { model: m });
      modelsFrom = 'caller';
    } else {
      const named = typeof req.input === 'string' ? requestModel(req.input) : null;
      const base: ModelChoice[] = used.length ? used : DEFAULT_ESTIMATE_MODELS.map((model) => ({ model }));
      models = named && !base.some((c) => c.model === named) ? [byName.get(named) ?? { model: named }, ...base] : base;
      models = models.slice(0, MAX_ESTIMATE_MODELS);
      modelsFrom = used.length ? 'used-30-days' : 'default';
    }
    const ratios = new Map<string, ObservedRatio>();
    const db = this.deps.db;
    if (db?.isOpen) {
      // Loaded with the first estimate: an idle core never touches the module or the table.
      const { ensureObservedTables, observedRatios } = await import('./observed.ts');
      if (!this.observedReady) {
        ensureObservedTables(db);
        this.observedReady = true;
      }
      for (const [model, { ratio, requests, lastAt }] of observedRatios(db)) ratios.set(model, { ratio, requests, lastAt });
    }
    return estimate(req, { models, modelsFrom, observed: (m) => ratios.get(m) ?? null, now: (this.deps.now ?? Date.now)() });
  }
}
