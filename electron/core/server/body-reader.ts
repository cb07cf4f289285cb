// Bounded reading of a request body, for every server route that takes one (the /api routes and the metering
// proxy): refused at once when its declared size is over the limit, else read until it grows past it.
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  /** Declared size, when the client sent Content-Length. */
  readonly size: number | undefined;
  constructor(size?: number) {
    super('Request body too large.');
    this.name = 'BodyTooLargeError';
    this.size = size;
  }
}

export class BodyReader {
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  read(req: IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.max) {
      // Refuse at once: reading 50 MB to then refuse it helps nobody.
      req.resume();
      return Promise.reject(new BodyTooLargeError(declared));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      req.on('data', (c: Buffer) => {
        if (failed) return;
        size += c.length;
        if (size > this.max) {
          failed = true;
          chunks.length = 0;
          reject(new BodyTooLargeError());
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (!failed) resolve(Buffer.concat(chunks));
      });
      req.on('error', (err) => {
        if (!failed) reject(err);
      });
      req.on('aborted', () => {
        if (!failed) reject(new Error('aborted'));
      });
    });
  }
}
