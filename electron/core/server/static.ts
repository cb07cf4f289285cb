// Serves the built dashboard with a strict Content-Security-Policy. Paths never escape the root.
import { createReadStream, readFile as readFileCallback, stat as statCallback, type Stats } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

// node:fs's callback forms: node:fs/promises would load readline and the REPL's history module with it.
const stat = (path: string) => new Promise<Stats>((resolve, reject) => statCallback(path, (err, s) => (err ? reject(err) : resolve(s))));
const readFile = (path: string) => new Promise<Buffer>((resolve, reject) => readFileCallback(path, (err, b) => (err ? reject(err) : resolve(b))));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// The dashboard's scripts and styles (under assets/, named by their content's hash, so never changed under a name)
// are read once and then answered from memory in one write: streamed from disk, each took several thread-pool reads
// and event-loop turns, queued behind the API calls the page sends at the same moment, and the page's first paint
// waited for them. Source maps (read only by developer tools) and anything larger are streamed as before.
const CACHED_MAX_BYTES = 1024 * 1024;
const CACHE_TOTAL_BYTES = 4 * 1024 * 1024;
const assets = new Map<string, Buffer>();
let cachedBytes = 0;

async function cachedAsset(full: string, rel: string, size: number): Promise<Buffer | null> {
  if (!rel.includes('/assets/') || rel.endsWith('.map') || size > CACHED_MAX_BYTES) return null;
  const hit = assets.get(full);
  if (hit) return hit;
  if (cachedBytes + size > CACHE_TOTAL_BYTES) return null;
  const body = await readFile(full);
  if (!assets.has(full)) {
    assets.set(full, body);
    cachedBytes += body.length;
  }
  return body;
}

/** Returns false when there is no such file (the caller answers 404). */
export async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<boolean> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const full = normalize(join(root, rel));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
  try {
    const hit = assets.get(full);
    const s = hit ? null : await stat(full);
    if (s && !s.isFile()) return false;
    const body = hit ?? (await cachedAsset(full, rel, s!.size));
    res.writeHead(200, {
      'content-type': TYPES[extname(full)] ?? 'application/octet-stream',
      'content-length': body ? body.length : s!.size,
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': rel.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (body) res.end(body);
    else createReadStream(full).pipe(res);
    return true;
  } catch {
    return false;
  }
}
