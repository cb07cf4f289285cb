// Starts `spendbar serve --demo` and Debian's Chromium for the end-to-end suite. Chromium is never downloaded:
// without /usr/bin/chromium the suite says so loudly, and fails when SPENDBAR_REQUIRE_BROWSER=1 (as .ci/run sets).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.SPENDBAR_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'artifacts', 'e2e');

export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const msg = `\n${'!'.repeat(78)}\n!! E2E: no Chromium at ${CHROMIUM}. The dashboard end-to-end suite did NOT run.\n!! Install it with: apt-get install -y chromium\n${'!'.repeat(78)}\n`;
  console.warn(msg);
  if (process.env.SPENDBAR_REQUIRE_BROWSER === '1') throw new Error(`Chromium is required (SPENDBAR_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing.`);
  return false;
}

/** The suite tests the dashboard as built now, not whatever an older build left in dist/. */
export function buildDashboard(): void {
  if (process.env.SPENDBAR_E2E_SKIP_BUILD === '1' && existsSync(join(ROOT, 'dist/renderer/index.html'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

export interface Served {
  url: string;
  dataDir: string;
  api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  stop(): Promise<void>;
}

export function serveDemo(): Promise<Served> {
  return serveWith(['--demo']);
}

/** `spendbar serve` on a free port with its own data dir and these extra arguments. */
export async function serveWith(args: string[], dataDir = mkdtempSync(join(tmpdir(), 'spendbar-e2e-'))): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/spendbar.js'), 'serve', ...args, '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`spendbar serve did not start in 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const m = /Spendbar is serving on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1].replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`spendbar serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    dataDir,
    async api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
      const res = await fetch(`${url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: init.body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  stop(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'spendbar-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async stop() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Retries until `check` passes or the time is up, then throws its last error. */
export async function eventually<T>(check: () => Promise<T> | T, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
