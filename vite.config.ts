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

// The bar charts (renderer/chart/charts.tsx and Chart.js under it) are imported lazily, but both views the page
// usually opens on draw them first thing: the page names them for the browser to fetch and compile alongside the
// entry script, instead of starting when the entry has run. They still run only when a view imports them.
function preloadBarCharts(): Plugin {
  return {
    name: 'spendbar-preload-bar-charts',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).flatMap((o) => (o.type === 'chunk' ? [o] : []));
        const charts = chunks.find((c) => c.facadeModuleId?.endsWith('/renderer/chart/charts.tsx'));
        if (!charts) throw new Error('spendbar-preload-bar-charts: no chunk for renderer/chart/charts.tsx');
        const files = new Set<string>();
        const add = (file: string) => {
          if (files.has(file)) return;
          files.add(file);
          for (const dep of chunks.find((c) => c.fileName === file)?.imports ?? []) add(dep);
        };
        add(charts.fileName);
        const entry = chunks.find((c) => c.isEntry);
        for (const shared of entry ? [entry.fileName, ...entry.imports] : []) files.delete(shared);
        return [...files].map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `./${file}` }, injectTo: 'head' as const }));
      },
    },
  };
}

// The renderer is served by `spendbar serve` and loaded from a custom protocol or file:// in Electron:
// relative asset paths (base './') work under all three.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), contentSecurityPolicy(), preloadBarCharts()],
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
