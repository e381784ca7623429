/// <reference types='vitest' />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: __dirname,
  cacheDir: '../../node_modules/.vite/apps/storefront',
  server: { port: 4200, host: 'localhost' },
  plugins: [react()],
  build: { outDir: '../../dist/apps/storefront', emptyOutDir: true },
});
