// The estimate itself: a prompt, a list of models, a max output → per model the input tokens, the cost range
// (input only … input + max output) from the bundled price table, and whether it fits the context window.
// Prices come from the pricing module (one home for price arithmetic); nothing here makes up a number: a model the
// table lacks is "unpriced", a name nobody knows is "unknown" and gets no count at all.
import {
  DEFAULT_MAX_OUTPUT,
  MAX_ESTIMATE_MODELS,
  MAX_OUTPUT_LIMIT,
  type EstimateRequest,
  type EstimateResult,
  type EstimateRow,
  type Fit,
  type ObservedRatio,
} from '../../../shared/estimate.ts';
import { contextWindow, priceUsage } from '../pricing/index.ts';
import { PRICE_TABLE_SOURCE, tableModelNames } from '../pricing/catalog.ts';
import { PromptCounter } from './count.ts';
import { familyOf, recognised } from './families.ts';
import { EstimateInputError, readPrompt, type Prompt } from './prompt.ts';
import { formatNumber } from '../../../shared/money.ts';
import { compareText } from '../text-order.ts';

export interface ModelChoice {
  model: string;
  /** The provider of the account that uses it: picks the price tables searched (gateways: first-party tables). */
  provider?: string;
  /** Seen in the user's own usage: a name Spendbar cannot place is then still counted (generic), not "unknown". */
  known?: boolean;
}

export interface EstimateOptions {
  models: ModelChoice[];
  modelsFrom: EstimateResult['modelsFrom'];
  observed?: (model: string) => ObservedRatio | null;
  now?: number;
}

const ANY_PROVIDER = 'custom';

export function checkMaxOutput(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_OUTPUT_LIMIT) {
    throw new EstimateInputError(`max output must be a whole number of tokens from 0 to ${formatNumber(MAX_OUTPUT_LIMIT)}.`, 'maxOutput');
  }
  return v;
}

/** Trims, de-duplicates and bounds a model list given by a person. */
export function checkModels(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string')) throw new EstimateInputError('models must be a list of model names.', 'models');
  const list = [...new Set((v as string[]).map((m) => m.trim()).filter((m) => m !== ''))];
  if (list.some((m) => m.length > 200)) throw new EstimateInputError('A model name is longer than 200 characters.', 'models');
  if (list.length > MAX_ESTIMATE_MODELS) throw new EstimateInputError(`Compare at most ${MAX_ESTIMATE_MODELS} models at once (${list.length} given).`, 'models');
  return list.length ? list : undefined;
}

function fitOf(input: number, maxOutput: number, window: number | null): Fit {
  if (window === null) return 'unknown';
  if (input > window) return 'too-long';
  return input + maxOutput > window ? 'no-room-for-output' : 'fits';
}


function fitMessage(fit: Fit, input: number, maxOutput: number, window: number | null): string | null {
  if (fit === 'too-long') return `The input (${formatNumber(input)} tokens) exceeds the ${formatNumber(window ?? 0)}-token context window.`;
  if (fit === 'no-room-for-output') return `Input + max output (${formatNumber(input + maxOutput)}) exceed the ${formatNumber(window ?? 0)}-token context window: at most ${formatNumber((window ?? 0) - input)} output tokens fit.`;
  return null;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] as number;
}

async function suggestions(model: string): Promise<string[]> {
  const name = model.toLowerCase().slice(model.lastIndexOf('/') + 1);
  const scored = (await tableModelNames()).map((n) => ({ n, d: distance(name, n.toLowerCase()) })).filter((x) => x.d <= 3);
  return scored.sort((a, b) => a.d - b.d || compareText(a.n, b.n)).slice(0, 3).map((x) => x.n);
}

async function row(choice: ModelChoice, counter: PromptCounter, maxOutput: number, opts: EstimateOptions): Promise<EstimateRow> {
  const { model } = choice;
  const provider = choice.provider ?? ANY_PROVIDER;
  const at = opts.now ?? Date.now();
  const zero = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0 };
  const probe = await priceUsage(provider, model, zero, at);
  if (!probe && !choice.known && !recognised(model)) {
    const near = await suggestions(model);
    return {
      model, status: 'unknown', family: '', method: null, methodNote: '', inputTokens: null, overheadTokens: null, maxOutput,
      contextWindow: null, fit: 'unknown', cost: null, observed: null,
      message: `Unknown model '${model}': not in the price table (${PRICE_TABLE_SOURCE.name}) nor in your accounts' usage, so Spendbar cannot tell its tokenizer or price.${near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : ' Check the spelling.'}`,
    };
  }
  const count = await counter.count(familyOf(model));
  const window = await contextWindow(provider, model);
  const fit = fitOf(count.inputTokens, maxOutput, window);
  let cost: EstimateRow['cost'] = null;
  if (probe) {
    const min = await priceUsage(provider, model, { ...zero, inputTokens: count.inputTokens }, at);
    const max = await priceUsage(provider, model, { ...zero, inputTokens: count.inputTokens, outputTokens: maxOutput }, at);
    if (min && max) cost = { min: min.cost, max: max.cost, pricedAs: min.pricedAs };
  }
  const notes = [fitMessage(fit, count.inputTokens, maxOutput, window)];
  if (!cost) notes.unshift(`Unpriced: '${model}' is not in the price table (${PRICE_TABLE_SOURCE.name}); tokens are counted, the cost is not guessed.`);
  return {
    model,
    status: cost ? 'ok' : 'unpriced',
    family: count.family.label,
    method: count.method,
    methodNote: count.methodNote,
    inputTokens: count.inputTokens,
    overheadTokens: count.overheadTokens,
    maxOutput,
    contextWindow: window,
    fit,
    cost,
    observed: opts.observed?.(model) ?? null,
    message: notes.filter((n) => n !== null).join(' ') || null,
  };
}

/** Cheapest first inside each currency; currencies never compared; unpriced, then unknown, after. */
export function sortRows(rows: EstimateRow[]): EstimateRow[] {
  const rank = (r: EstimateRow) => (r.status === 'ok' ? 0 : r.status === 'unpriced' ? 1 : 2);
  return [...rows].sort((a, b) => {
    const d = rank(a) - rank(b);
    if (d !== 0) return d;
    if (a.cost && b.cost) {
      const c = compareText(a.cost.max.currency, b.cost.max.currency);
      if (c !== 0) return c;
      return a.cost.max.micros - b.cost.max.micros || a.cost.min.micros - b.cost.min.micros || compareText(a.model, b.model);
    }
    return (a.inputTokens ?? 0) - (b.inputTokens ?? 0) || compareText(a.model, b.model);
  });
}

function describeUncounted(prompt: Prompt): string | null {
  if (prompt.uncounted.length === 0) return null;
  const parts = prompt.uncounted.map((u) => `${u.count} ${u.kind}${u.count === 1 ? '' : 's'}`);
  return `Not counted: ${parts.join(', ')}; the real input will be larger.`;
}

export async function estimate(req: EstimateRequest, opts: EstimateOptions): Promise<EstimateResult> {
  if (typeof req !== 'object' || req === null) throw new EstimateInputError('Give an object with the input text.');
  const format = req.format ?? 'auto';
  if (format !== 'auto' && format !== 'text' && format !== 'messages') throw new EstimateInputError('format must be auto, text or messages.', 'format');
  const given = checkMaxOutput(req.maxOutput);
  const prompt = readPrompt(req.input, format);
  const maxOutput = given ?? prompt.maxOutput ?? DEFAULT_MAX_OUTPUT;
  const counter = new PromptCounter(prompt);
  const rows = [];
  for (const choice of opts.models) rows.push(await row(choice, counter, maxOutput, opts));
  const notes = [...prompt.notes];
  const uncounted = describeUncounted(prompt);
  if (uncounted) notes.push(uncounted);
  const texts = prompt.messages.flatMap((m) => m.texts);
  return {
    format: prompt.format,
    messages: prompt.format === 'text' ? 0 : prompt.messages.length,
    chars: texts.reduce((n, t) => n + t.length, 0),
    bytes: texts.reduce((n, t) => n + Buffer.byteLength(t), 0),
    maxOutput,
    maxOutputFrom: given !== undefined ? 'caller' : prompt.maxOutput !== null ? 'request' : 'default',
    uncounted: prompt.uncounted,
    notes,
    modelsFrom: opts.modelsFrom,
    rows: sortRows(rows),
    priceSource: PRICE_TABLE_SOURCE,
  };
}

/** The model a request JSON names, for the default list (read without counting anything). */
export function requestModel(input: string): string | null {
  try {
    const t = input.trimStart();
    if (!t.startsWith('{')) return null;
    const v = JSON.parse(input) as { model?: unknown };
    return typeof v.model === 'string' && v.model.trim() ? v.model.trim() : null;
  } catch {
    return null;
  }
}
