import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serveStatic } from '../../../electron/core/server/static.ts';

describe('the dashboard files', () => {
  let root: string;
  let server: Server;
  let base: string;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: await res.text(), headers: res.headers };
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'spendbar-static-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<p>one</p>');
    writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1);');
    writeFileSync(join(root, 'assets', 'index-abc.js.map'), '{"v":1}');
    server = createServer((req, res) => {
      void serveStatic(root, new URL(req.url!, 'http://x').pathname, res).then((ok) => {
        if (!ok) res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  it('answers a hashed asset from memory after its first read, with its length and the page policy', async () => {
    const first = await get('/assets/index-abc.js');
    expect(first).toMatchObject({ status: 200, body: 'console.log(1);' });
    expect(first.headers.get('content-length')).toBe('15');
    expect(first.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(first.headers.get('cache-control')).toContain('immutable');
    // A name under assets/ is a content hash: the same name is the same file, so the disk is not read again.
    writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log("changed on disk");');
    expect((await get('/assets/index-abc.js')).body).toBe('console.log(1);');
  });

  it('reads the page itself and source maps from disk each time', async () => {
    expect((await get('/')).body).toBe('<p>one</p>');
    writeFileSync(join(root, 'index.html'), '<p>two</p>');
    expect((await get('/index.html')).body).toBe('<p>two</p>');
    expect((await get('/assets/index-abc.js.map')).body).toBe('{"v":1}');
    writeFileSync(join(root, 'assets', 'index-abc.js.map'), '{"v":2}');
    expect((await get('/assets/index-abc.js.map')).body).toBe('{"v":2}');
  });

  it('serves nothing outside its folder and nothing that is not there', async () => {
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/..%2f..%2fetc%2fpasswd')).status).toBe(404);
    expect((await get('/assets')).status).toBe(404);
  });
});
