// jsdom has no canvas, ResizeObserver or Blob URLs. These stand-ins let Chart.js and the export run in
// component tests; they live here only, never in the renderer.
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

afterEach(() => cleanup());

function fakeContext(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const state: Record<string | symbol, unknown> = { canvas };
  return new Proxy(state, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (prop === 'measureText') return (text: string) => ({ width: text.length * 6, actualBoundingBoxAscent: 8, actualBoundingBoxDescent: 2 });
      if (prop === 'getImageData') return () => ({ data: new Uint8ClampedArray(4) });
      if (prop === 'getLineDash') return () => [];
      if (prop === 'createLinearGradient' || prop === 'createRadialGradient') return () => ({ addColorStop() {} });
      return () => undefined;
    },
    set(target, prop, value) {
      target[prop] = value;
      return true;
    },
  }) as unknown as CanvasRenderingContext2D;
}

HTMLCanvasElement.prototype.getContext = function getContext(this: HTMLCanvasElement) {
  return fakeContext(this);
} as unknown as typeof HTMLCanvasElement.prototype.getContext;

if (!('ResizeObserver' in globalThis)) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}

/** Blobs handed to URL.createObjectURL, so a test can read what a download would have saved. */
export const createdBlobs: Blob[] = [];
URL.createObjectURL = (obj: Blob | MediaSource) => {
  createdBlobs.push(obj as Blob);
  return `blob:test/${createdBlobs.length}`;
};
URL.revokeObjectURL = () => undefined;
/** Downloads the page started: jsdom cannot navigate to a blob URL, so the click is recorded instead. */
export const downloads: { href: string; fileName: string }[] = [];
HTMLAnchorElement.prototype.click = function click(this: HTMLAnchorElement) {
  if (this.download) downloads.push({ href: this.href, fileName: this.download });
};

/** The text of the blob behind a recorded download. */
export async function downloadedText(index = downloads.length - 1): Promise<string> {
  const d = downloads[index];
  if (!d) throw new Error('nothing was downloaded');
  const n = Number(d.href.split('/').pop());
  return await createdBlobs[n - 1]!.text();
}
