import { defineConfig } from 'vite';

// The API a dev server or `vite preview` forwards /api to (a ticketsd you started).
const api = process.env.TICKETS_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  // Preact's automatic JSX runtime through esbuild: no framework plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    manifest: true,
    target: 'es2022',
    // The polyfill is not needed by the browsers we support, and it would add code to the entry.
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1', proxy: { '/api': api } },
  preview: { host: '127.0.0.1', proxy: { '/api': api } },
});
