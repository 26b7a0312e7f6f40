/**
 * The dashboard's build (`npm run build:web` → web/dist, served by the admin port at `/`) and its
 * development server (`npm run dev:web`: hot reload, API calls forwarded to a running service's
 * admin port, ADMIN_URL or http://127.0.0.1:8002).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const adminUrl = process.env.ADMIN_URL ?? 'http://127.0.0.1:8002';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the build works at `/` and behind a reverse proxy's sub-path alike.
  base: './',
  plugins: [react()],
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
