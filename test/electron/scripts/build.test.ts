import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildElectron, checkPreload } from '../../../scripts/build-electron.js';
import { renderIcons } from '../../../scripts/make-tray-icons.js';

const ASSETS = join(import.meta.dirname, '..', '..', '..', 'electron', 'assets');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spendbar-build-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function pngSize(png: Buffer): { width: number; height: number; alphaMax: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    if (png.toString('ascii', off + 4, off + 8) === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  let alphaMax = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) alphaMax = Math.max(alphaMax, raw[y * (width * 4 + 1) + 1 + x * 4 + 3]!);
  return { width, height, alphaMax };
}

describe('preload build', () => {
  it('bundles the preload into one CommonJS file that requires only electron', async () => {
    await buildElectron({ outDir: dir, parts: ['preload'] });
    const code = readFileSync(join(dir, 'preload.cjs'), 'utf8');
    expect(code).toContain('require("electron")');
    expect(code).toContain('exposeInMainWorld("spendbar"');
    expect(code).toContain('spendbar:get-info');
    expect(() => checkPreload(code)).not.toThrow();
  }, 60_000);

  it('refuses a preload that needs more than the sandbox gives', () => {
    expect(() => checkPreload('const fs = require("node:fs"); require("electron");')).toThrow(/node:fs/);
    expect(() => checkPreload('import { x } from "electron";')).toThrow(/not CommonJS/);
  });
});

describe('tray icons', () => {
  it('the committed PNGs are exactly what scripts/make-tray-icons.js draws', () => {
    const rendered = renderIcons();
    const committed = readdirSync(ASSETS).filter((f) => f.endsWith('.png')).sort();
    expect(committed).toEqual([...rendered.keys()].sort());
    for (const [name, bytes] of rendered) expect(readFileSync(join(ASSETS, name)).equals(bytes), name).toBe(true);
  });

  it('draws 16 px icons with 32 px @2x twins, and a 512 px app icon', () => {
    const rendered = renderIcons();
    for (const [name, bytes] of rendered) {
      const { width, height, alphaMax } = pngSize(bytes);
      const expected = name === 'icon.png' ? 512 : name.includes('@2x') ? 32 : 16;
      expect([width, height], name).toEqual([expected, expected]);
      expect(alphaMax, `${name} is not blank`).toBeGreaterThan(200);
    }
    // Template images are black and alpha only, so macOS can tint them.
    const template = rendered.get('tray-alertTemplate.png')!;
    const raw = inflateSync(Buffer.concat([template.subarray(41, 41 + template.readUInt32BE(33))]));
    for (let i = 1; i < raw.length; i += 4 * 16 + 1) {
      for (let x = 0; x < 16; x++) expect([raw[i + x * 4], raw[i + x * 4 + 1], raw[i + x * 4 + 2]]).toEqual([0, 0, 0]);
    }
  });
});
