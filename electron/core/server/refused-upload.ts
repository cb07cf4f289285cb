// How a refused upload ends. Refusing a body (413) while the client is still sending it, then closing the socket
// with its bytes unread, makes the kernel answer the client with a reset, and a reset can destroy the refusal
// before the client has read it: the client sees "connection reset" instead of the reason. So the response goes
// out on a connection that stays open while what the client still sends is read and dropped, for a bounded time
// and number of bytes (nginx calls this a lingering close); then the connection is closed.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface LingerLimits {
  /** How long the rest of a refused body is read, at most. */
  ms: number;
  /** How many more bytes of it are read and dropped, at most. */
  bytes: number;
}

export const REFUSED_UPLOAD_LINGER: LingerLimits = { ms: 5000, bytes: 64 * 1024 * 1024 };

/**
 * Call before sending the refusal. The response always asks for the connection to close. When the request is not
 * read to its end, the socket only sends its end once the response is out (it keeps reading: an HTTP server's
 * sockets are half-open), the rest of the body is read and dropped, and the socket is closed when the body ends, or
 * destroyed when the limits pass.
 */
export function closeAfterRefusal(res: ServerResponse, limits: LingerLimits = REFUSED_UPLOAD_LINGER): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  const req = res.req;
  const socket = req.socket as Socket & { destroySoon?: () => void };
  if (req.complete || socket.destroyed) return;
  // Node ends a `connection: close` response with socket.destroySoon(): end, then destroy once written, which is
  // the reset described above. For this socket it only ends; the destroy waits for the body's end or the limits.
  socket.destroySoon = () => socket.end();
  let dropped = 0;
  const giveUp = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(giveUp, limits.ms);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limits.bytes) giveUp();
  });
  req.once('end', () => {
    clearTimeout(timer);
    // Everything the client sent is read: Node's own close (end, then destroy once written) is safe again.
    Reflect.deleteProperty(socket, 'destroySoon');
    if (res.writableFinished) socket.destroySoon?.();
  });
  socket.once('close', () => clearTimeout(timer));
  req.resume();
}
