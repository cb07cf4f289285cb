// "What will this prompt cost, and on which of my models is it cheapest": the request and answer of the token and
// cost estimate, shared by the core, both transports, the CLI and the dashboard's Estimate view (no Node, no DOM).
import { formatMoney, type Money } from './money.ts';

/** Largest input accepted, in UTF-8 bytes (1 MiB): about 250k tokens of English, more than most context windows. */
export const MAX_ESTIMATE_BYTES = 1_048_576;
/** Most models compared in one estimate. */
export const MAX_ESTIMATE_MODELS = 25;
/** Output tokens assumed when neither the caller nor the request JSON (max_tokens…) says. */
export const DEFAULT_MAX_OUTPUT = 4096;
/** Largest --max-output accepted. */
export const MAX_OUTPUT_LIMIT = 10_000_000;

/** How to read the input: `auto` detects an OpenAI/Anthropic messages JSON, else counts plain text. */
export type EstimateFormat = 'auto' | 'text' | 'messages';

export interface EstimateRequest {
  /** The prompt: plain text, or a chat request / messages array as JSON. */
  input: string;
  /** Models to compare; default: the models used in the last 30 days, else DEFAULT_ESTIMATE_MODELS. */
  models?: string[];
  /** Output tokens to price as the upper end of the range. */
  maxOutput?: number;
  format?: EstimateFormat;
}

/** What the input was read as. */
export type PromptFormat = 'text' | 'openai-messages' | 'anthropic-messages';

/** Parts of the input the count leaves out ("image": 2): shown, never silently dropped. */
export interface Uncounted {
  kind: 'image' | 'audio' | 'file' | 'tool call' | 'tool result' | 'tool definition' | 'other block';
  count: number;
}

/** Whether input + max output fit in the model's context window. */
export type Fit = 'fits' | 'no-room-for-output' | 'too-long' | 'unknown';

export interface EstimateCost {
  /** Input only. */
  min: Money;
  /** Input plus max output. */
  max: Money;
  /** The price-table entry used ("openai/gpt-4o"). */
  pricedAs: string;
}

/** The observed ratio of Spendbar's estimate to the provider's reported input tokens, from metered requests. */
export interface ObservedRatio {
  /** Σ estimate ÷ Σ actual over the sampled requests. */
  ratio: number;
  requests: number;
  /** Epoch ms of the latest sampled request. */
  lastAt: number;
}

export interface EstimateRow {
  model: string;
  /**
   * ok: counted and priced; unpriced: counted, but the price table has no entry (never shown as $0);
   * unknown: neither the price table nor your accounts know the name, so nothing is counted.
   */
  status: 'ok' | 'unpriced' | 'unknown';
  /** Tokenizer family ("OpenAI o200k_base", "Claude", "DeepSeek", …); "" for unknown models. */
  family: string;
  /** `exact`: the model's own tokenizer; `estimated`: the character-class estimate (see `methodNote`). */
  method: 'exact' | 'estimated' | null;
  methodNote: string;
  /** Text tokens plus message overhead; null for unknown models. */
  inputTokens: number | null;
  overheadTokens: number | null;
  maxOutput: number;
  contextWindow: number | null;
  fit: Fit;
  cost: EstimateCost | null;
  observed: ObservedRatio | null;
  /** What the row needs a reader to know (unpriced, unknown, too long for the context window). */
  message: string | null;
}

export interface PriceSource {
  /** "@pydantic/genai-prices 0.1.8" */
  name: string;
  /** ISO date the table was published. */
  date: string;
  currency: string;
}

export interface EstimateResult {
  format: PromptFormat;
  /** Messages read (0 for plain text). */
  messages: number;
  /** Characters and UTF-8 bytes of the text that was counted. */
  chars: number;
  bytes: number;
  maxOutput: number;
  /** Where maxOutput came from. */
  maxOutputFrom: 'caller' | 'request' | 'default';
  uncounted: Uncounted[];
  notes: string[];
  /** Where the model list came from. */
  modelsFrom: 'caller' | 'used-30-days' | 'default';
  /**
   * Cheapest first within each currency (by input + max output); currencies are never compared with each other:
   * each currency's rows form their own block. Unpriced rows follow, unknown models last.
   */
  rows: EstimateRow[];
  priceSource: PriceSource;
}

/** The comparison used when no model was picked and none was used in the last 30 days (all in the price table). */
export const DEFAULT_ESTIMATE_MODELS = ['gpt-4o-mini', 'gpt-4.1', 'gpt-5-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash', 'deepseek-chat'];

/** A per-request cost: tiny amounts keep six decimals (a prompt often costs a fraction of a cent), others four. */
export function formatEstimateCost(m: Money): string {
  return formatMoney(m, Math.abs(m.micros) < 10_000 ? 6 : 4);
}

/** "fits", "input fits, output may not", … in words, for both faces. */
export const FIT_LABELS: Record<Fit, string> = {
  fits: 'fits',
  'no-room-for-output': 'input fits, not with max output',
  'too-long': 'too long',
  unknown: 'window unknown',
};
