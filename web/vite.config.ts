/**
 * The dashboard's build (`npm run build:web` → web/dist, served by the admin port at `/`) and its
 * development server (`npm run dev:web`: hot reload, API calls forwarded to a running service's
 * admin port, ADMIN_URL or http://127.0.0.1:8002).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const adminUrl = process.env.ADMIN_URL ?? 'http://127.0.0.1:8002';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the build works at `/` and behind a reverse proxy's sub-path alike.
  base: './',
  plugins: [react(), preloadApp(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
  },
  server: {
    proxy: Object.fromEntries(['/stats', '/api', '/health'].map((path) => [path, { target: adminUrl }])),
  },
});

/**
 * The entry (main.tsx) starts the API reads, then imports the app (render.tsx). A link in the
 * page lets the browser fetch the app's code at once, beside the entry, rather than after it ran
 * and behind the reads it started.
 */
function preloadApp(): Plugin {
  return {
    name: 'lmp-preload-app',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const app = Object.values(ctx.bundle ?? {}).find(
          (file) => file.type === 'chunk' && file.isDynamicEntry && file.facadeModuleId?.endsWith('/render.tsx'),
        );
        if (app === undefined) return undefined;
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${app.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

/** Brotli and gzip copies of the scripts and styles (`x.js.br`, `x.js.gz`) for the admin server to send as they are. */
function precompress(): Plugin {
  return {
    name: 'lmp-precompress',
    apply: 'build',
    // After writing: the CSS files are emitted late, so they are only all there now.
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const path = join(options.dir ?? '', name);
        const source = readFileSync(path);
        writeFileSync(`${path}.br`, brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${path}.gz`, gzipSync(source, { level: 9 }));
      }
    },
  };
}
