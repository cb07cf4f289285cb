// Tokens the provider did not report (usage turned off, a stream cut short, a client that hung up), estimated with
// the project's estimator (electron/core/estimate/): the request body is read as the Estimate view reads a pasted
// request (`readPrompt`), and counted for the model's family (`countFor`: exact for OpenAI encodings, the
// character-class estimate otherwise, message overhead included), so an estimated row carries the same input figure
// the Estimate view gives for that body and model. The reply is counted the same way from the text held while it
// streamed. Runs in the recorder, off the response path; the estimator loads on the first estimated request only.
// Bounded: at most MAX_COUNTED_CHARS of prompt text is counted, a longer prompt is scaled up from it.
import type { MissingUsage } from './usage.ts';
import { promptTexts } from './usage.ts';

/** Prompt text counted per request, in characters; beyond it the count is scaled by length. */
export const MAX_COUNTED_CHARS = 256 * 1024;

export interface EstimateInput {
  /** The parsed request body (null when it was not JSON). */
  body: unknown;
  /** The model asked for, or served. */
  model: string;
  missing: MissingUsage;
}

export interface EstimatedTokens {
  /** null when the input was reported (or there is nothing to count). */
  inputTokens: number | null;
  outputTokens: number | null;
}

export type EstimateUsageFn = (e: EstimateInput) => Promise<EstimatedTokens>;

type Estimator = {
  countFor: typeof import('../estimate/count.ts').countFor;
  familyOf: typeof import('../estimate/families.ts').familyOf;
  readPrompt: typeof import('../estimate/prompt.ts').readPrompt;
};

let loading: Promise<Estimator> | null = null;

function estimator(): Promise<Estimator> {
  loading ??= Promise.all([import('../estimate/count.ts'), import('../estimate/families.ts'), import('../estimate/prompt.ts')]).then(([c, f, p]) => ({
    countFor: c.countFor,
    familyOf: f.familyOf,
    readPrompt: p.readPrompt,
  }));
  return loading;
}

type Prompt = import('../estimate/prompt.ts').Prompt;

function plainPrompt(texts: string[]): Prompt {
  return { format: 'text', messages: [{ role: 'text', hasName: false, texts }], uncounted: [], notes: [], maxOutput: null, model: null };
}

/** Keeps the first `max` characters of the pieces; returns them and the scale factor for the rest. */
function bounded(texts: readonly string[], max: number): { texts: string[]; scale: number } {
  let total = 0;
  for (const t of texts) total += t.length;
  if (total <= max) return { texts: [...texts], scale: 1 };
  const kept: string[] = [];
  let n = 0;
  for (const t of texts) {
    if (n >= max) break;
    const piece = n + t.length > max ? t.slice(0, max - n) : t;
    kept.push(piece);
    n += piece.length;
  }
  return { texts: kept, scale: total / n };
}

async function inputTokens(est: Estimator, body: unknown, model: string): Promise<number | null> {
  const family = est.familyOf(model);
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (b && Array.isArray(b.messages)) {
    // A chat request: what the Estimate view counts when the body is pasted into it.
    const text = JSON.stringify({ system: b.system, messages: b.messages, tools: b.tools, functions: b.functions });
    if (text.length <= MAX_COUNTED_CHARS) {
      try {
        return (await est.countFor(est.readPrompt(text, 'auto'), family.id)).inputTokens;
      } catch {
        // Not a shape the estimator reads (or no text): counted as plain text below.
      }
    }
  }
  const texts = promptTexts(body);
  if (texts.every((t) => t.length === 0)) return null;
  const cut = bounded(texts, MAX_COUNTED_CHARS);
  const count = await est.countFor(plainPrompt(cut.texts), family.id);
  return Math.ceil(count.textTokens * cut.scale);
}

async function outputTokens(est: Estimator, missing: MissingUsage, model: string): Promise<number> {
  if (missing.outputChars === 0 || missing.outputText.length === 0) return 0;
  const held = missing.outputText.reduce((n, t) => n + t.length, 0);
  const count = await est.countFor(plainPrompt(missing.outputText), est.familyOf(model).id);
  return Math.ceil(count.textTokens * (missing.outputChars / Math.max(1, held)));
}

/** The project's estimate of what the provider did not report. */
export const estimateUsage: EstimateUsageFn = async ({ body, model, missing }) => {
  const est = await estimator();
  return {
    inputTokens: missing.input ? await inputTokens(est, body, model) : null,
    outputTokens: missing.output ? await outputTokens(est, missing, model) : null,
  };
};
