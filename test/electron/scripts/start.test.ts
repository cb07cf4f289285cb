import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFailureReason, locateElectron, NO_ELECTRON_EXIT, SERVE_HINT } from '../../../scripts/electron-binary.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spendbar-electron-pkg-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An electron package as npm leaves it: with or without the downloaded binary. */
function fakeElectronPackage(withBinary: boolean): string {
  writeFileSync(join(dir, 'package.json'), '{"name":"electron"}');
  if (withBinary) {
    writeFileSync(join(dir, 'path.txt'), 'electron');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'electron'), '#!/bin/sh\n');
  }
  return dir;
}

function runStart(args: string[], electronDir: string) {
  const env: Record<string, string | undefined> = { ...process.env, SPENDBAR_ELECTRON_DIR: electronDir };
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.js'), ...args], { env, encoding: 'utf8', timeout: 30_000 });
}

describe('npm start: finding Electron', () => {
  it('fails with a message pointing to npm run serve when the binary is missing', () => {
    const found = locateElectron({ electronDir: fakeElectronPackage(false), env: {} });
    expect(found.ok).toBe(false);
    expect(!found.ok && found.message).toContain(SERVE_HINT);
    expect(SERVE_HINT).toBe('npm run serve');
  });

  it('finds the binary npm’s postinstall would have fetched', () => {
    const found = locateElectron({ electronDir: fakeElectronPackage(true), env: {} });
    expect(found).toEqual({ ok: true, path: join(dir, 'dist', 'electron') });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH only when the binary is really there', () => {
    const pkg = fakeElectronPackage(false);
    expect(locateElectron({ electronDir: pkg, env: { ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'nowhere') } }).ok).toBe(false);
    mkdirSync(join(dir, 'custom'));
    writeFileSync(join(dir, 'custom', 'electron'), '');
    expect(locateElectron({ electronDir: pkg, env: { ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'custom') } })).toEqual({
      ok: true,
      path: join(dir, 'custom', 'electron'),
    });
  });

  it('the script itself exits 3 with that message, without trying a download in --check mode', () => {
    const run = runStart(['--check'], fakeElectronPackage(false));
    expect(NO_ELECTRON_EXIT).toBe(3);
    expect(run.status).toBe(NO_ELECTRON_EXIT);
    expect(run.stderr).toContain('the Electron binary is not installed');
    expect(run.stderr).toContain('npm run serve');
    expect(run.stdout).not.toContain('trying its installer');
  });

  it('the script reports the binary it found', () => {
    const run = runStart(['--check'], fakeElectronPackage(true));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(join(dir, 'dist', 'electron'));
  });

  it('when the download fails: one message with the reason and the demo alternative, no raw error or stack', () => {
    const pkg = fakeElectronPackage(false);
    // What Electron's installer prints where github.com cannot be reached.
    writeFileSync(
      join(pkg, 'install.js'),
      "console.error('TypeError: fetch failed\\n    at node:internal/deps/undici/undici:13510:13\\n  [cause]: Error: getaddrinfo ENOTFOUND github.com'); process.exit(1);\n",
    );
    const run = runStart([], pkg);
    expect(run.status).toBe(NO_ELECTRON_EXIT);
    const all = `${run.stdout}${run.stderr}`;
    expect(all).not.toContain('TypeError');
    expect(all).not.toMatch(/\n\s+at /);
    expect(all).not.toContain('ENOTFOUND');
    expect(run.stderr).toContain('downloading it failed');
    expect(run.stderr).toContain('could not be resolved');
    expect(run.stderr).toContain('npm run serve -- --demo');
    expect(run.stderr.match(/Spendbar cannot start/g)).toHaveLength(1);
  });

  it('names the reason a download failed in words', () => {
    expect(installFailureReason({ status: 1, output: 'TypeError: fetch failed\n [cause]: connect ECONNREFUSED 1.2.3.4:443' })).toContain('connection');
    expect(installFailureReason({ status: 1, output: 'Error: getaddrinfo EAI_AGAIN github.com' })).toContain('could not be resolved');
    expect(installFailureReason({ status: null, timedOut: true, output: '' })).toContain('2 minutes');
    expect(installFailureReason({ status: 1, output: 'Error: Generated checksum for "electron.zip" did not match expected checksum.' })).toContain('checksum');
    expect(installFailureReason({ status: 7, output: 'something else' })).toContain('exit status 7');
  });
});
