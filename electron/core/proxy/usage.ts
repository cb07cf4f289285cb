// Reads token usage and the provider's own cost out of API responses, one JSON object at a time (a whole non-stream
// body, or each stream event), without keeping any text. Two API styles:
//   openai     chat/completions, completions, embeddings (prompt_tokens/completion_tokens), responses (input_tokens/
//              output_tokens, in `response.usage` of response.completed), DeepSeek's prompt_cache_hit_tokens,
//              OpenRouter's cost and cache_write_tokens. Usage may come on any chunk; the latest figures win.
//   anthropic  messages: message_start carries input (and cache) tokens, message_delta's usage is cumulative: each
//              field it carries replaces the one before, never adds to it.
export type ApiStyle = 'openai' | 'anthropic';

export interface MeteredUsage {
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** The provider's own cost for the request (major units), when it sent one. */
  providerCost: number | null;
  /**
   * True when the provider did not report all figures: the missing ones are estimated (by the project's estimator,
   * estimate-usage.ts, off the response path; until then they hold what the provider did report, or 0).
   */
  estimated: boolean;
}

/** What is missing from a response's usage, and the reply text held to estimate it (bounded; never stored). */
export interface MissingUsage {
  input: boolean;
  output: boolean;
  /** Reply text pieces held for the estimate (at most MAX_HELD_OUTPUT_CHARS characters). */
  outputText: string[];
  /** Characters of reply text seen in all (the held part is scaled up to this). */
  outputChars: number;
}

/** Reply text held per request for an estimate, in characters: a longer reply is estimated from its first part. */
export const MAX_HELD_OUTPUT_CHARS = 16_384;

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

export class UsageMeter {
  private readonly style: ApiStyle;
  private model: string | null = null;
  // OpenAI-style totals (input includes cached and cache-write tokens).
  private input: number | undefined;
  private output: number | undefined;
  private cached: number | undefined;
  private cacheWrite: number | undefined;
  private reasoning: number | undefined;
  // Anthropic's parts: input excludes cache reads and writes.
  private aInput: number | undefined;
  private aCacheRead: number | undefined;
  private aCacheWrite: number | undefined;
  private aOutput: number | undefined;
  private sawFinalOutput = false;
  private cost: number | null = null;
  private outputChars = 0;
  private heldChars = 0;
  private readonly held: string[] = [];

  constructor(style: ApiStyle) {
    this.style = style;
  }

  /** Whether the response carried any usage figures. */
  get sawUsage(): boolean {
    return this.input !== undefined || this.output !== undefined || this.aInput !== undefined || this.aOutput !== undefined;
  }

  /** Reads one JSON value: a whole response body or one stream event's data. */
  read(value: unknown): void {
    const o = obj(value);
    if (!o) return;
    if (this.style === 'anthropic') this.readAnthropic(o);
    else this.readOpenAi(o);
  }

  /** Reply text: counted, and held (bounded) in case usage never comes and it must be estimated. */
  private text(t: string): void {
    if (t.length === 0) return;
    this.outputChars += t.length;
    if (this.heldChars >= MAX_HELD_OUTPUT_CHARS) return;
    const piece = this.heldChars + t.length > MAX_HELD_OUTPUT_CHARS ? t.slice(0, MAX_HELD_OUTPUT_CHARS - this.heldChars) : t;
    this.held.push(piece);
    this.heldChars += piece.length;
  }

  /**
   * Reads the usage of a whole (non-stream) body found without parsing all of it (body.ts): the final figures, and
   * the model. Returns false when `usage` is not an object (the caller then parses the body).
   */
  readWholeUsage(model: unknown, usage: unknown): boolean {
    const u = obj(usage);
    if (!u) return false;
    this.setModel(model);
    if (this.style === 'anthropic') this.readAnthropicUsage(u, true);
    else this.readOpenAiUsage(u);
    return true;
  }

  private setModel(m: unknown): void {
    if (typeof m === 'string' && m && !this.model) this.model = m;
  }

  private readOpenAi(o: Obj): void {
    this.setModel(o.model);
    // Responses API: events wrap the response object; deltas carry text.
    const response = obj(o.response);
    if (response) {
      this.setModel(response.model);
      this.readOpenAiUsage(obj(response.usage));
    }
    if (typeof o.delta === 'string') this.text(o.delta);
    for (const c of Array.isArray(o.choices) ? o.choices : []) {
      const choice = obj(c);
      const d = obj(choice?.delta) ?? obj(choice?.message);
      if (d) {
        for (const k of TEXT_FIELDS) if (typeof d[k] === 'string') this.text(d[k] as string);
        for (const t of Array.isArray(d.tool_calls) ? d.tool_calls : []) {
          const args = obj(obj(t)?.function)?.arguments;
          if (typeof args === 'string') this.text(args);
        }
      }
      if (typeof choice?.text === 'string') this.text(choice.text);
    }
    this.readOpenAiUsage(obj(o.usage));
  }

  private readOpenAiUsage(u: Obj | null): void {
    if (!u) return;
    const input = num(u.prompt_tokens) ?? num(u.input_tokens);
    const output = num(u.completion_tokens) ?? num(u.output_tokens);
    const inDetails = obj(u.prompt_tokens_details) ?? obj(u.input_tokens_details);
    const outDetails = obj(u.completion_tokens_details) ?? obj(u.output_tokens_details);
    const cached = num(inDetails?.cached_tokens) ?? num(u.prompt_cache_hit_tokens);
    const cacheWrite = num(inDetails?.cache_write_tokens) ?? num(inDetails?.cache_creation_tokens);
    const reasoning = num(outDetails?.reasoning_tokens);
    if (input !== undefined) this.input = input;
    if (output !== undefined) this.output = output;
    else if (input !== undefined && num(u.total_tokens) !== undefined) this.output = Math.max(0, (num(u.total_tokens) as number) - input);
    if (cached !== undefined) this.cached = cached;
    if (cacheWrite !== undefined) this.cacheWrite = cacheWrite;
    if (reasoning !== undefined) this.reasoning = reasoning;
    const cost = num(u.cost);
    if (cost !== undefined) this.cost = cost;
  }

  private readAnthropic(o: Obj): void {
    const message = obj(o.message);
    if (message) {
      this.setModel(message.model);
      this.readAnthropicUsage(obj(message.usage), false);
    }
    this.setModel(o.model);
    const delta = obj(o.delta);
    if (delta) {
      for (const k of DELTA_FIELDS) if (typeof delta[k] === 'string') this.text(delta[k] as string);
    }
    for (const c of Array.isArray(o.content) ? o.content : []) {
      const block = obj(c);
      if (typeof block?.text === 'string') this.text(block.text);
    }
    // message_delta (stream) or a whole message (non-stream): the final, cumulative figures.
    this.readAnthropicUsage(obj(o.usage), o.type === 'message_delta' || o.type === 'message');
  }

  private readAnthropicUsage(u: Obj | null, final: boolean): void {
    if (!u) return;
    const input = num(u.input_tokens);
    const read = num(u.cache_read_input_tokens);
    const write = num(u.cache_creation_input_tokens);
    const output = num(u.output_tokens);
    if (input !== undefined) this.aInput = input;
    if (read !== undefined) this.aCacheRead = read;
    if (write !== undefined) this.aCacheWrite = write;
    if (output !== undefined) {
      this.aOutput = output;
      if (final) this.sawFinalOutput = true;
    }
  }

  /** Whether every figure came from the provider (an Anthropic stream's output only counts once it is final). */
  get complete(): boolean {
    return this.style === 'anthropic' ? this.aInput !== undefined && this.sawFinalOutput : this.input !== undefined && this.output !== undefined;
  }

  /** What the provider did not report, with the reply text held to estimate it; null when nothing is missing. */
  missing(): MissingUsage | null {
    if (this.complete) return null;
    const input = this.style === 'anthropic' ? this.aInput === undefined : this.input === undefined;
    const output = this.style === 'anthropic' ? !this.sawFinalOutput : this.output === undefined;
    return { input, output, outputText: this.held, outputChars: this.outputChars };
  }

  /**
   * The figures the provider reported. Missing ones hold what partial figures came (an Anthropic stream cut before
   * its final output keeps message_start's count) or 0, and the result is marked estimated: the recorder fills them
   * in with the project's estimate (estimate-usage.ts) before the row is stored.
   */
  result(): MeteredUsage {
    if (this.style === 'anthropic') {
      const input = (this.aInput ?? 0) + (this.aCacheRead ?? 0) + (this.aCacheWrite ?? 0);
      return {
        model: this.model,
        inputTokens: input,
        outputTokens: this.aOutput ?? 0,
        cachedTokens: this.aCacheRead ?? 0,
        cacheWriteTokens: this.aCacheWrite ?? 0,
        reasoningTokens: 0,
        providerCost: this.cost,
        estimated: !this.complete,
      };
    }
    return {
      model: this.model,
      inputTokens: this.input ?? 0,
      outputTokens: this.output ?? 0,
      cachedTokens: this.cached ?? 0,
      cacheWriteTokens: this.cacheWrite ?? 0,
      reasoningTokens: this.reasoning ?? 0,
      providerCost: this.cost,
      estimated: !this.complete,
    };
  }
}

const TEXT_FIELDS = ['content', 'reasoning_content', 'reasoning', 'refusal'];
const DELTA_FIELDS = ['text', 'thinking', 'partial_json'];

/** The prompt text pieces of a request body (messages, system, prompt, input, instructions), for an estimate. */
export function promptTexts(body: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 8) return;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === 'object') {
      const o = v as Obj;
      for (const k of ['content', 'text', 'input', 'prompt', 'system', 'messages', 'instructions']) if (k in o) walk(o[k], depth + 1);
    }
  };
  walk(body, 0);
  return out;
}
