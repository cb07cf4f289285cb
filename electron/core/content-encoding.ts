// The decoder for a reply's Content-Encoding, shared by the provider client (electron/core/http.ts) and the metering
// proxy's side reader. node:zlib loads with the first compressed reply, not at start.
import type { BrotliDecompress, Gunzip, Inflate } from 'node:zlib';
import { nodeZlib } from './lazy-builtins.ts';

export type Decoder = Gunzip | BrotliDecompress | Inflate;

/** A streaming decoder for gzip, deflate or br; null for identity or an encoding Spendbar passes through as it is. */
export function decoderFor(encoding: string | undefined): Decoder | null {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e !== 'gzip' && e !== 'x-gzip' && e !== 'br' && e !== 'deflate') return null;
  const zlib = nodeZlib();
  if (e === 'br') return zlib.createBrotliDecompress();
  return e === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
}
