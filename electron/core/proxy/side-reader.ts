// Reads a response on the side while its bytes go to the client: an event stream event by event (framed when
// Spendbar must leave its own usage-only chunk out), a whole body through a bounded collector, compressed bodies
// through a decoder. Only usage figures are kept; no text.
import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import { TailCollector } from './body.ts';
import { SseParser } from './sse.ts';
import { isUsageOnlyChunk } from './upstream.ts';
import type { UsageMeter } from './usage.ts';

type Decoder = Gunzip | ReturnType<typeof createBrotliDecompress> | ReturnType<typeof createInflate>;

function decoderFor(encoding: string | undefined): Decoder | null {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === 'gzip' || e === 'x-gzip') return createGunzip();
  if (e === 'br') return createBrotliDecompress();
  if (e === 'deflate') return createInflate();
  return null;
}

export interface SideReader {
  /** The client's bytes come from `take()` (the usage-only chunk left out) instead of the upstream's. */
  readonly framed: boolean;
  /** Feeds upstream bytes; returns what to send to the client. */
  take(chunk: Buffer): Buffer[];
  /** At the end of the body: the last bytes to send, and then `done` once the side copy is read. */
  end(done: (tail: Buffer[]) => void): void;
  /** Why metering may be incomplete, if it is. */
  problem(): string | null;
}

export function createSideReader(opts: { eventStream: boolean; encoding: string | undefined; stripUsageChunk: boolean; meter: UsageMeter }): SideReader {
  const { meter } = opts;
  const decoder = decoderFor(opts.encoding);
  // Framing needs the bytes as they are on the wire: only for uncompressed streams.
  const framed = opts.eventStream && !decoder && opts.stripUsageChunk;
  let decodeFailed = false;
  const parser: SseParser | null = opts.eventStream
    ? new SseParser({
        frame: framed,
        onEvent: (e) => {
          if (e.data === '[DONE]') return true;
          let data: unknown;
          try {
            data = JSON.parse(e.data);
          } catch {
            if (parser) parser.malformed++;
            return true;
          }
          meter.read(data);
          return !(framed && isUsageOnlyChunk(data));
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
        if (collector) {
          const value = collector.json();
          if (value !== undefined) meter.read(value);
        }
        done(framed ? tail : []);
      };
      if (!decoder) return finish();
      decoder.once('end', finish);
      decoder.once('error', finish);
      decoder.end();
    },
    problem() {
      if (decodeFailed) return "The provider's compressed body could not be decoded for metering; it was passed on unchanged.";
      if (parser && parser.malformed > 0) return `${parser.malformed} malformed event-stream line(s) were passed on unread.`;
      return null;
    },
  };
}
