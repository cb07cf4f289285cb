// A bounded server-sent-events reader that works on bytes as they arrive. It hands each complete event to a callback
// (to read usage on the side) and, in framing mode, returns the raw bytes of the events the callback keeps, so one
// event (the usage-only chunk Spendbar asked for) can be left out of what the client receives without buffering more
// than the event in progress. Lines and events are bounded: an overlong one is counted as malformed and skipped by
// the parser, and framing gives up (the rest is passed through untouched) rather than hold it.
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** The `event:` field ("" when absent: a plain message). */
  event: string;
  data: string;
}

export interface SseOptions {
  /** Called for each complete event; return false to leave it out of the framed output. */
  onEvent(e: SseEvent): boolean;
  /** Return framed bytes (events the callback kept) instead of letting the caller pass chunks through. */
  frame?: boolean;
  /** Longest line (and, framing, longest event) held, in bytes. Default 1 MiB. */
  maxBytes?: number;
}

const LF = 10;
const CR = 13;
export const DEFAULT_MAX_SSE_BYTES = 1024 * 1024;

export class SseParser {
  private readonly opts: SseOptions;
  private readonly max: number;
  private framing: boolean;
  private gaveUp = false;
  private line: Buffer[] = [];
  private lineBytes = 0;
  private overlong = false;
  private lastWasCR = false;
  private event = '';
  private data: string[] = [];
  private hasData = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Only for a line split across chunks (made then: most streams never need one). */
  private decoder: StringDecoder | null = null;
  /** Lines or events that were too long or not SSE; the bytes still reached the client. */
  malformed = 0;

  constructor(opts: SseOptions) {
    this.opts = opts;
    this.max = opts.maxBytes ?? DEFAULT_MAX_SSE_BYTES;
    this.framing = Boolean(opts.frame);
  }

  /** Whether the output is still framed (false once an event outgrew the bound). */
  get isFraming(): boolean {
    return this.framing;
  }

  /** Feeds bytes. Framing: returns the bytes to send on (all of them once framing gave up); otherwise []. */
  push(chunk: Buffer): Buffer[] {
    // Framing was given up earlier: the caller still expects the bytes to send back.
    const passThrough = this.gaveUp;
    const out: Buffer[] = passThrough ? [chunk] : [];
    let lineStart = 0;
    let eventStart = 0;
    // Jump from line end to line end with native searches: a chunk of a stream is mostly text.
    let nextLf = chunk.indexOf(LF);
    let nextCr = chunk.indexOf(CR);
    while (nextLf >= 0 || nextCr >= 0) {
      const i = nextCr < 0 || (nextLf >= 0 && nextLf < nextCr) ? nextLf : nextCr;
      if (i === nextLf) nextLf = chunk.indexOf(LF, i + 1);
      else nextCr = chunk.indexOf(CR, i + 1);
      const b = chunk[i] as number;
      if (i > lineStart) this.lastWasCR = false;
      if (b === LF && this.lastWasCR) {
        // The CR already ended the line: this LF belongs to it. (When a frame closed at that CR, the LF starts the
        // next frame; should that frame's event be dropped, the client sees one empty line, which dispatches nothing.)
        this.lastWasCR = false;
        lineStart = i + 1;
        continue;
      }
      this.lastWasCR = b === CR;
      const blank = this.lineBytes === 0 && !this.overlong && i === lineStart;
      this.endLineAt(chunk, lineStart, i);
      lineStart = i + 1;
      if (!blank) continue;
      const keep = this.endEvent();
      if (!this.framing) continue;
      const piece = chunk.subarray(eventStart, i + 1);
      if (keep) {
        out.push(...this.pending);
        if (piece.length) out.push(piece);
      }
      this.pending = [];
      this.pendingBytes = 0;
      eventStart = i + 1;
    }
    if (lineStart < chunk.length) this.lastWasCR = false;
    this.addLinePart(chunk.subarray(lineStart));
    if (this.framing && eventStart < chunk.length) this.hold(chunk.subarray(eventStart), out);
    return out;
  }

  private hold(piece: Buffer, out: Buffer[]): void {
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
    if (this.pendingBytes > this.max) {
      // Too big to hold back: send what is held and stop framing; the stream is passed through from here on.
      this.malformed++;
      out.push(...this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      this.framing = false;
      this.gaveUp = true;
    }
  }

  private addLinePart(part: Buffer): void {
    if (part.length === 0 || this.overlong) return;
    if (this.lineBytes + part.length > this.max) {
      this.overlong = true;
      this.line = [];
      this.lineBytes = 0;
      return;
    }
    this.line.push(Buffer.from(part));
    this.lineBytes += part.length;
  }

  /** Ends the line whose last part is chunk[start, end): a line that lies whole in one chunk is read without a copy. */
  private endLineAt(chunk: Buffer, start: number, end: number): void {
    if (this.lineBytes === 0 && !this.overlong) {
      if (end - start > this.max) {
        this.malformed++;
        return;
      }
      // A line ends at a CR or LF, never inside a UTF-8 sequence: the slice decodes on its own.
      if (end > start) this.field(chunk.toString('utf8', start, end));
      return;
    }
    this.addLinePart(chunk.subarray(start, end));
    this.endLine();
  }

  private endLine(): void {
    if (this.overlong) {
      this.malformed++;
      this.overlong = false;
      this.line = [];
      this.lineBytes = 0;
      return;
    }
    if (this.lineBytes === 0) return;
    this.decoder ??= new StringDecoder('utf8');
    const text = this.decoder.write(Buffer.concat(this.line)) + this.decoder.end();
    this.line = [];
    this.lineBytes = 0;
    this.field(text);
  }

  private field(text: string): void {
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'event') this.event = value;
    else if (field !== 'id' && field !== 'retry') this.malformed++;
  }

  private endEvent(): boolean {
    if (!this.hasData) {
      this.event = '';
      return true;
    }
    const e: SseEvent = { event: this.event, data: this.data.join('\n') };
    this.event = '';
    this.data = [];
    this.hasData = false;
    try {
      return this.opts.onEvent(e);
    } catch {
      this.malformed++;
      return true;
    }
  }

  /** At the end of the stream: bytes still held (an event without its closing blank line) and a last event, if any. */
  end(): Buffer[] {
    const out: Buffer[] = [];
    if (this.lineBytes > 0) this.endLine();
    if (this.hasData) this.endEvent();
    if (this.pending.length) out.push(...this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }
}
