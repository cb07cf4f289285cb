// Bounded reading of a non-stream response's side copy (held only to read its usage; a huge body keeps just its head
// and tail, where `model` and `usage` are). The client's request body is read by server/body-reader.ts.
import type { UsageMeter } from './usage.ts';

/** Whole bodies up to this size are parsed; larger ones keep head and tail. */
export const MAX_PARSED_BYTES = 8 * 1024 * 1024;
const EDGE_BYTES = 256 * 1024;

export class TailCollector {
  private chunks: Buffer[] = [];
  private size = 0;
  private head: Buffer | null = null;
  private tail: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    if (this.head === null) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      if (this.size > MAX_PARSED_BYTES) {
        const all = Buffer.concat(this.chunks);
        this.head = all.subarray(0, EDGE_BYTES);
        this.tail = Buffer.from(all.subarray(all.length - EDGE_BYTES));
        this.chunks = [];
      }
      return;
    }
    this.size += chunk.length;
    const joined = Buffer.concat([this.tail, chunk]);
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - EDGE_BYTES)));
  }

  /**
   * Reads the body's usage into the meter, cheaply: the `usage` object is looked for in the last USAGE_TAIL_BYTES
   * (where every API puts it) and the model in the first MODEL_HEAD_BYTES, without parsing the rest. Only when that
   * does not give complete usage (none sent, or sent elsewhere) is the whole body parsed (up to MAX_PARSED_BYTES),
   * which also gives the reply text an estimate needs.
   */
  readInto(meter: UsageMeter): void {
    const all = this.head === null ? Buffer.concat(this.chunks) : null;
    // A small body is parsed whole: the native parser beats any scan there.
    if (all && all.length <= USAGE_TAIL_BYTES) return readJson(all, meter);
    const head = all ?? (this.head as Buffer);
    const tail = all ?? this.tail;
    const tailText = tail.toString('utf8', Math.max(0, tail.length - USAGE_TAIL_BYTES));
    const usage = lastObject(tailText, '"usage"');
    if (usage !== undefined) {
      const model = /"model"\s*:\s*"([^"\\]{1,200})"/.exec(head.toString('utf8', 0, Math.min(head.length, MODEL_HEAD_BYTES)));
      meter.readWholeUsage(model?.[1], usage);
      if (meter.complete) return;
    }
    if (all) readJson(all, meter);
  }
}

function readJson(body: Buffer, meter: UsageMeter): void {
  const text = body.toString('utf8').trim();
  if (!text.startsWith('{')) return;
  try {
    meter.read(JSON.parse(text));
  } catch {
    // Not JSON (an HTML error page): nothing to read.
  }
}

const USAGE_TAIL_BYTES = 16 * 1024;
const MODEL_HEAD_BYTES = 4 * 1024;

/** The JSON object that follows the last `"name":` in text, parsed; undefined when there is none or it is cut. */
export function lastObject(text: string, quotedName: string): unknown {
  const at = text.lastIndexOf(quotedName);
  if (at < 0) return undefined;
  const start = text.indexOf('{', at + quotedName.length);
  if (start < 0 || !/^\s*:\s*$/.test(text.slice(at + quotedName.length, start))) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      try {
        return JSON.parse(text.slice(start, i + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
