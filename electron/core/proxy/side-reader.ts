// Reads a response on the side while its bytes go to the client: an event stream event by event (framed when
// Spendbar must leave its own usage-only chunk out), a whole body through a bounded collector, compressed bodies
// through a decoder. Only usage figures are kept, and reply text only while an estimate may need it.
// Cheap on the hot path: an event whose data carries no usage object is not parsed as it passes; its data is held
// (bounded, MAX_DEFERRED_CHARS) and read only if the response ends without complete usage (`settle`), for the
// estimate of the reply. The first event is always read (it names the model).
import { decoderFor } from '../content-encoding.ts';
import { TailCollector } from './body.ts';
import { SseParser } from './sse.ts';
import { isUsageOnlyChunk } from './upstream.ts';
import type { UsageMeter } from './usage.ts';

export interface SideReader {
  /** The client's bytes come from `take()` (the usage-only chunk left out) instead of the upstream's. */
  readonly framed: boolean;
  /** Feeds upstream bytes; returns what to send to the client. */
  take(chunk: Buffer): Buffer[];
  /** At the end of the body: `done` with the last bytes to send, once the side copy has all of it. */
  end(done: (tail: Buffer[]) => void): void;
  /**
   * After the client got its end: reads a whole body's usage, then the events held unread when usage is incomplete
   * (their reply text feeds the estimate), else drops them.
   */
  settle(): void;
  /** Why metering may be incomplete, if it is. */
  problem(): string | null;
}

/** Event data held unread per response, in characters; past it, events are read as they pass. */
export const MAX_DEFERRED_CHARS = 32 * 1024;

/**
 * Whether event data may carry usage figures: a "usage" key whose value is an object. OpenAI sends `"usage":null` on
 * every chunk once include_usage is on; those are not usage.
 */
export function carriesUsage(data: string): boolean {
  for (let at = data.indexOf('"usage"'); at >= 0; at = data.indexOf('"usage"', at + 7)) {
    let i = at + 7;
    while (i < data.length && (data.charCodeAt(i) === 0x20 || data.charCodeAt(i) === 0x3a || data.charCodeAt(i) === 0x09)) i++;
    if (data.charCodeAt(i) !== 0x6e) return true; // not `null`
  }
  return false;
}

function looksLikeJson(data: string): boolean {
  const a = data.charCodeAt(0);
  const z = data.charCodeAt(data.length - 1);
  return (a === 0x7b && z === 0x7d) || (a === 0x5b && z === 0x5d);
}

export function createSideReader(opts: { eventStream: boolean; encoding: string | undefined; stripUsageChunk: boolean; meter: UsageMeter }): SideReader {
  const { meter } = opts;
  const decoder = decoderFor(opts.encoding);
  // Framing needs the bytes as they are on the wire: only for uncompressed streams.
  const framed = opts.eventStream && !decoder && opts.stripUsageChunk;
  let decodeFailed = false;
  let ended = false;
  let seen = 0;
  let deferred: string[] = [];
  let deferredChars = 0;
  const readEvent = (text: string): unknown => {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      if (parser) parser.malformed++;
      return undefined;
    }
    meter.read(data);
    return data;
  };
  const parser: SseParser | null = opts.eventStream
    ? new SseParser({
        frame: framed,
        onEvent: (e) => {
          if (e.data === '[DONE]') return true;
          if (seen++ > 0 && deferredChars < MAX_DEFERRED_CHARS && e.data.length > 0 && !carriesUsage(e.data)) {
            // Not usage: held unread. A line that cannot be JSON is noted now.
            if (!looksLikeJson(e.data.trim())) {
              if (parser) parser.malformed++;
              return true;
            }
            deferred.push(e.data);
            deferredChars += e.data.length;
            return true;
          }
          const data = readEvent(e.data);
          return !(framed && data !== undefined && isUsageOnlyChunk(data));
        },
      })
    : null;
  const collector = opts.eventStream ? null : new TailCollector();
  const side = (chunk: Buffer) => {
    if (parser) parser.push(chunk);
    else collector?.push(chunk);
  };
  if (decoder) {
    decoder.on('data', side);
    decoder.on('error', () => (decodeFailed = true));
  }
  return {
    framed,
    take(chunk) {
      if (framed && parser) return parser.push(chunk);
      if (decoder) decoder.write(chunk);
      else side(chunk);
      return [chunk];
    },
    end(done) {
      const finish = () => {
        const tail = parser ? parser.end() : [];
        ended = true;
        done(framed ? tail : []);
      };
      if (!decoder) return finish();
      decoder.once('end', finish);
      decoder.once('error', finish);
      decoder.end();
    },
    settle() {
      // Parsing the body waits until the client has its end: its latency does not include the usage read.
      // A body cut short is not read: only a whole one's usage is the provider's.
      if (ended) collector?.readInto(meter);
      const held = deferred;
      deferred = [];
      deferredChars = 0;
      if (meter.complete) return;
      for (const text of held) readEvent(text);
    },
    problem() {
      if (decodeFailed) return "The provider's compressed body could not be decoded for metering; it was passed on unchanged.";
      if (parser && parser.malformed > 0) return `${parser.malformed} malformed event-stream line(s) were passed on unread.`;
      return null;
    },
  };
}
