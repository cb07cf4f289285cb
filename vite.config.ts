import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Built pages get a strict CSP; the dev server is left without one because React Refresh injects an inline script.
// 'unsafe-inline' styles: React style props (bar widths) and Chart.js canvas sizing use inline styles.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'";

function contentSecurityPolicy(): Plugin {
  return {
    name: 'spendbar-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
  };
}

// The renderer is served by `spendbar serve` and loaded from a custom protocol or file:// in Electron:
// relative asset paths (base './') work under all three.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npm run dev:renderer` next to `spendbar serve --port 8787`: API calls go to the running core.
    proxy: { '/api': 'http://127.0.0.1:8787' },
  },
});
