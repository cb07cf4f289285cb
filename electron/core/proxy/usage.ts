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
  /** True when no usage figures came at all and tokens were estimated from text lengths. */
  estimated: boolean;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Characters per token for estimates (the usual rule of thumb for English text and code). */
const CHARS_PER_TOKEN = 4;

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
    if (typeof o.delta === 'string') this.outputChars += o.delta.length;
    for (const c of Array.isArray(o.choices) ? o.choices : []) {
      const choice = obj(c);
      const d = obj(choice?.delta) ?? obj(choice?.message);
      if (d) {
        for (const k of ['content', 'reasoning_content', 'reasoning', 'refusal']) if (typeof d[k] === 'string') this.outputChars += (d[k] as string).length;
        for (const t of Array.isArray(d.tool_calls) ? d.tool_calls : []) {
          const args = obj(obj(t)?.function)?.arguments;
          if (typeof args === 'string') this.outputChars += args.length;
        }
      }
      if (typeof choice?.text === 'string') this.outputChars += choice.text.length;
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
      for (const k of ['text', 'thinking', 'partial_json']) if (typeof delta[k] === 'string') this.outputChars += (delta[k] as string).length;
    }
    for (const c of Array.isArray(o.content) ? o.content : []) {
      const block = obj(c);
      if (typeof block?.text === 'string') this.outputChars += block.text.length;
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

  /**
   * The figures for the record. Without usage, tokens are estimated from text lengths (`inputChars` from the request
   * body, output from what streamed back) and marked estimated; a stream cut off before its final usage keeps the
   * input it did report and estimates the output.
   */
  result(inputChars: number): MeteredUsage {
    const estimate = (chars: number) => Math.ceil(chars / CHARS_PER_TOKEN);
    if (this.style === 'anthropic') {
      const inputKnown = this.aInput !== undefined;
      const input = (this.aInput ?? estimate(inputChars)) + (this.aCacheRead ?? 0) + (this.aCacheWrite ?? 0);
      const outputKnown = this.sawFinalOutput;
      const output = outputKnown ? (this.aOutput ?? 0) : Math.max(this.aOutput ?? 0, estimate(this.outputChars));
      return {
        model: this.model,
        inputTokens: input,
        outputTokens: output,
        cachedTokens: this.aCacheRead ?? 0,
        cacheWriteTokens: this.aCacheWrite ?? 0,
        reasoningTokens: 0,
        providerCost: this.cost,
        estimated: !inputKnown || !outputKnown,
      };
    }
    const known = this.input !== undefined && this.output !== undefined;
    return {
      model: this.model,
      inputTokens: this.input ?? estimate(inputChars),
      outputTokens: this.output ?? estimate(this.outputChars),
      cachedTokens: this.cached ?? 0,
      cacheWriteTokens: this.cacheWrite ?? 0,
      reasoningTokens: this.reasoning ?? 0,
      providerCost: this.cost,
      estimated: !known,
    };
  }
}

/** Characters of prompt text in a request body, for estimates when no usage comes back. Never kept. */
export function promptChars(body: unknown): number {
  let n = 0;
  const walk = (v: unknown, depth: number) => {
    if (depth > 8) return;
    if (typeof v === 'string') n += v.length;
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === 'object') {
      const o = v as Obj;
      for (const k of ['content', 'text', 'input', 'prompt', 'system', 'messages', 'instructions']) if (k in o) walk(o[k], depth + 1);
    }
  };
  walk(body, 0);
  return n;
}
