#!/usr/bin/env node
// Draws Spendbar's tray and app icons with plain Node (zlib + a small PNG encoder), so the committed PNGs
// can be reproduced byte for byte: `node scripts/make-tray-icons.js [--out DIR]` (default electron/assets).
//
// The glyph is three rising bars. States add a badge in the top-left corner, cut out of the glyph:
//   normal: bars only · warning: triangle · alert: filled dot · stale: faded bars and a hollow ring.
// Variants: -light (dark glyph for light panels), -dark (light glyph for dark panels), and macOS
// Template images (black + alpha only; the menu bar tints them), each at 16 px and @2x (32 px).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGBA pixels (Uint8Array, width*height*4) → PNG bytes. No filters, fixed zlib level: deterministic. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in a 16×16 unit square; each is a point test.
const rect = (x0, y0, x1, y1, r = 0) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx, cy, r0, r1) => (x, y) => {
  const d = (x - cx) ** 2 + (y - cy) ** 2;
  return d <= r1 * r1 && d >= r0 * r0;
};
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const s = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = s(ax, ay, bx, by);
  const d2 = s(bx, by, cx, cy);
  const d3 = s(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

const BARS = [rect(1.5, 9, 4.5, 15, 0.8), rect(6.5, 5.5, 9.5, 15, 0.8), rect(11.5, 1, 14.5, 15, 0.8)];
const BADGE_CENTER = [3.6, 3.6];
const BADGE_CLEAR = circle(...BADGE_CENTER, 4.4);
const BADGES = {
  normal: null,
  warning: triangle(3.6, 0.2, 7.1, 6.6, 0.1, 6.6),
  alert: circle(...BADGE_CENTER, 3.2),
  stale: ring(...BADGE_CENTER, 1.7, 3.1),
};
const BADGE_COLORS = { warning: [245, 166, 35], alert: [229, 72, 77], stale: [128, 128, 128] };
const GLYPH = { light: [31, 35, 40], dark: [240, 243, 246], template: [0, 0, 0] };

/** Layers top first: { test, color, alpha } or { test, clear: true }. */
function trayLayers(state, variant) {
  const layers = [];
  const badge = BADGES[state];
  if (badge) {
    const color = variant === 'template' ? GLYPH.template : BADGE_COLORS[state];
    layers.push({ test: badge, color, alpha: 1 });
    layers.push({ test: BADGE_CLEAR, clear: true });
  }
  const alpha = state === 'stale' ? 0.45 : 1;
  for (const bar of BARS) layers.push({ test: bar, color: GLYPH[variant], alpha });
  return layers;
}

function appIconLayers() {
  const bg = rect(0.6, 0.6, 15.4, 15.4, 3.4);
  const scaled = [rect(3.6, 9.4, 5.8, 12.6, 0.6), rect(6.9, 6.6, 9.1, 12.6, 0.6), rect(10.2, 3.4, 12.4, 12.6, 0.6)];
  return [...scaled.map((test) => ({ test, color: [255, 255, 255], alpha: 1 })), { test: bg, color: [15, 118, 110], alpha: 1 }];
}

/** Rasterises layers at `size` px with 4×4 supersampling, averaging in premultiplied alpha. */
export function rasterise(layers, size) {
  const out = new Uint8Array(size * size * 4);
  const SS = 4;
  const unit = 16 / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) * unit;
          const y = (py + (sy + 0.5) / SS) * unit;
          const hit = layers.find((l) => l.test(x, y));
          if (!hit || hit.clear) continue;
          r += hit.color[0] * hit.alpha;
          g += hit.color[1] * hit.alpha;
          b += hit.color[2] * hit.alpha;
          a += hit.alpha;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (SS * SS)) * 255);
    }
  }
  return out;
}

export const TRAY_STATES = ['normal', 'warning', 'alert', 'stale'];

/** Every icon file name → PNG bytes. */
export function renderIcons() {
  const files = new Map();
  for (const state of TRAY_STATES) {
    for (const variant of ['light', 'dark', 'template']) {
      const base = variant === 'template' ? `tray-${state}Template` : `tray-${state}-${variant}`;
      for (const [suffix, size] of [['', 16], ['@2x', 32]]) {
        files.set(`${base}${suffix}.png`, encodePng(size, size, rasterise(trayLayers(state, variant), size)));
      }
    }
  }
  files.set('icon.png', encodePng(512, 512, rasterise(appIconLayers(), 512)));
  return files;
}

function main(argv) {
  const at = argv.indexOf('--out');
  const here = dirname(fileURLToPath(import.meta.url));
  const outDir = at >= 0 && argv[at + 1] ? resolve(argv[at + 1]) : join(here, '..', 'electron', 'assets');
  mkdirSync(outDir, { recursive: true });
  const files = renderIcons();
  for (const [name, bytes] of files) writeFileSync(join(outDir, name), bytes);
  console.log(`wrote ${files.size} icons to ${outDir}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
