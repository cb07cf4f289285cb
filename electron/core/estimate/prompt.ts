// Reads what the user wants estimated: plain text, or a chat request as JSON — OpenAI's `messages` (content as a
// string or parts, `name`, `tool_calls`) or Anthropic's (`system` as a string or text blocks, content blocks).
// Only text is counted; images, audio, files and tool blocks are listed as not counted, never guessed.
import { MAX_ESTIMATE_BYTES, type EstimateFormat, type PromptFormat, type Uncounted } from '../../../shared/estimate.ts';

export interface PromptMessage {
  role: string;
  hasName: boolean;
  /** The text pieces counted (name included, as OpenAI counts it). */
  texts: string[];
}

export interface Prompt {
  format: PromptFormat;
  /** Plain text: one pseudo-message with no overhead; chat: one per message (Anthropic's system included). */
  messages: PromptMessage[];
  uncounted: Uncounted[];
  notes: string[];
  /** max_tokens / max_completion_tokens / max_output_tokens of the request, when it says. */
  maxOutput: number | null;
  /** The request's own `model`, when it names one. */
  model: string | null;
}

/** Bad input, with a message that says what to fix. */
export class EstimateInputError extends Error {
  readonly field: string;
  constructor(message: string, field = 'input') {
    super(message);
    this.name = 'EstimateInputError';
    this.field = field;
  }
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Refuses input that is not text: NUL bytes, many control characters, or bytes that were not UTF-8. */
export function checkText(text: string): void {
  let control = 0;
  let replaced = 0;
  const n = Math.min(text.length, 65_536);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw new EstimateInputError('The input looks binary (it contains NUL bytes): give text, or a messages JSON file.');
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) control++;
    else if (c === 0xfffd) replaced++;
  }
  if (control > n * 0.01 + 2 || replaced > n * 0.05 + 2) {
    throw new EstimateInputError('The input looks binary (control characters or bytes that are not UTF-8): give text, or a messages JSON file.');
  }
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Bounds and sanity checks every input goes through, whichever face it came from. */
export function checkInput(text: unknown): string {
  if (typeof text !== 'string') throw new EstimateInputError('input must be a string of text or JSON.');
  if (text.length > MAX_ESTIMATE_BYTES || utf8Length(text) > MAX_ESTIMATE_BYTES) {
    throw new EstimateInputError(`The input is larger than ${MAX_ESTIMATE_BYTES / 1_048_576} MiB, the most Spendbar estimates at once: split it, or estimate a part.`);
  }
  if (text.trim() === '') throw new EstimateInputError('Nothing to estimate: the input is empty.');
  checkText(text);
  return text;
}

class Reader {
  readonly uncounted = new Map<Uncounted['kind'], number>();
  readonly notes: string[] = [];
  anthropic = false;

  skip(kind: Uncounted['kind'], n = 1): void {
    this.uncounted.set(kind, (this.uncounted.get(kind) ?? 0) + n);
  }

  /** The text pieces of one message's content; `where` names it in errors ("messages[2]"). */
  content(value: unknown, where: string, out: string[]): void {
    if (typeof value === 'string') {
      out.push(value);
      return;
    }
    if (value === null || value === undefined) return;
    if (!Array.isArray(value)) throw new EstimateInputError(`${where}.content must be a string or an array of content blocks.`);
    value.forEach((block, i) => {
      if (typeof block === 'string') {
        out.push(block);
        return;
      }
      if (!isObj(block) || typeof block.type !== 'string') throw new EstimateInputError(`${where}.content[${i}] must be a content block with a "type".`);
      this.block(block, `${where}.content[${i}]`, out);
    });
  }

  private block(b: Obj, where: string, out: string[]): void {
    switch (b.type) {
      case 'text':
      case 'input_text':
      case 'output_text':
        if (typeof b.text !== 'string') throw new EstimateInputError(`${where} is a text block without a "text" string.`);
        out.push(b.text);
        return;
      case 'image':
      case 'image_url':
      case 'input_image':
        if (b.type === 'image') this.anthropic = true;
        return this.skip('image');
      case 'input_audio':
      case 'audio':
        return this.skip('audio');
      case 'file':
      case 'input_file':
      case 'document':
        if (b.type === 'document') this.anthropic = true;
        return this.skip('file');
      case 'tool_use':
      case 'server_tool_use':
        this.anthropic = true;
        return this.skip('tool call');
      case 'tool_result':
        this.anthropic = true;
        return this.skip('tool result');
      case 'thinking':
      case 'redacted_thinking':
        // Earlier turns' thinking is dropped from the context by the API (except with tool use): not counted.
        this.anthropic = true;
        return this.skip('other block');
      default:
        return this.skip('other block');
    }
  }

  message(m: unknown, i: number): PromptMessage {
    const where = `messages[${i}]`;
    if (!isObj(m)) throw new EstimateInputError(`${where} must be an object with "role" and "content".`);
    if (typeof m.role !== 'string' || m.role === '') throw new EstimateInputError(`${where} has no "role" (user, assistant, system…).`);
    if (!('content' in m) && !('tool_calls' in m) && !('function_call' in m)) throw new EstimateInputError(`${where} has no "content".`);
    const texts: string[] = [];
    this.content(m.content, where, texts);
    const hasName = typeof m.name === 'string' && m.name !== '';
    if (hasName) texts.push(m.name as string);
    if (Array.isArray(m.tool_calls)) this.skip('tool call', m.tool_calls.length);
    if (isObj(m.function_call)) this.skip('tool call');
    if (m.role === 'tool' || m.role === 'function') {
      // OpenAI tool results are text content: counted, and said so.
      if (!this.notes.includes('Tool results (role "tool") are counted as text.')) this.notes.push('Tool results (role "tool") are counted as text.');
    }
    return { role: m.role, hasName, texts };
  }
}

function maxOutputOf(req: Obj): number | null {
  for (const k of ['max_completion_tokens', 'max_tokens', 'max_output_tokens']) {
    const v = req[k];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return null;
}

function looksLikeMessages(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && v.every((m) => isObj(m) && 'role' in m);
  return isObj(v) && Array.isArray(v.messages);
}

function fromJson(value: unknown): Prompt {
  const r = new Reader();
  const req: Obj = Array.isArray(value) ? { messages: value } : (value as Obj);
  const list = req.messages as unknown[];
  if (list.length === 0 && req.system === undefined) throw new EstimateInputError('The messages array is empty: nothing to estimate.');
  const messages: PromptMessage[] = [];
  if (req.system !== undefined) {
    r.anthropic = true;
    const texts: string[] = [];
    r.content(req.system, 'system', texts);
    messages.push({ role: 'system', hasName: false, texts });
  }
  list.forEach((m, i) => messages.push(r.message(m, i)));
  if (Array.isArray(req.tools) && req.tools.length > 0) r.skip('tool definition', req.tools.length);
  if (Array.isArray(req.functions) && req.functions.length > 0) r.skip('tool definition', req.functions.length);
  if (messages.every((m) => m.texts.every((t) => t.trim() === '')) && r.uncounted.size === 0) {
    throw new EstimateInputError('The messages hold no text: nothing to estimate.');
  }
  return {
    format: r.anthropic ? 'anthropic-messages' : 'openai-messages',
    messages,
    uncounted: [...r.uncounted].map(([kind, count]) => ({ kind, count })),
    notes: r.notes,
    maxOutput: maxOutputOf(req),
    model: typeof req.model === 'string' && req.model.trim() ? req.model.trim() : null,
  };
}

function plain(text: string, notes: string[] = []): Prompt {
  return { format: 'text', messages: [{ role: 'text', hasName: false, texts: [text] }], uncounted: [], notes, maxOutput: null, model: null };
}

/** Reads checked input as `format` says: auto detects a messages JSON by its shape, else takes the text as it is. */
export function readPrompt(text: string, format: EstimateFormat = 'auto'): Prompt {
  checkInput(text);
  if (format === 'text') return plain(text);
  const trimmed = text.trimStart();
  const jsonish = trimmed.startsWith('{') || trimmed.startsWith('[');
  if (!jsonish) {
    if (format === 'messages') throw new EstimateInputError('The input is not JSON: give an OpenAI or Anthropic request body (with "messages"), or a messages array.');
    return plain(text);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
    // Text that merely starts with a bracket is text; JSON that talks about roles and messages was meant as messages.
    if (format === 'messages' || /"(messages|role)"\s*:/.test(text)) {
      throw new EstimateInputError(`The messages JSON is malformed (${detail.slice(0, 160)}). Fix it, or count it as plain text (--format text).`);
    }
    return plain(text);
  }
  if (looksLikeMessages(value)) return fromJson(value);
  if (format === 'messages') throw new EstimateInputError('The JSON has no "messages" array: give an OpenAI or Anthropic request body, or a messages array.');
  return plain(text, ['The input is JSON without a "messages" array: counted as plain text.']);
}
