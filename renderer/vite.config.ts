import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer builds into dist/renderer beside the compiled main process (dist/main), which
// serves it over app://airlock. base './' keeps asset URLs relative to index.html.
const repoRoot = path.resolve(__dirname, '..');

export default defineConfig({
  root: __dirname,
  base: './',
  // This file is CommonJS (package.json has no "type"), so the import resolves to the plugin's
  // CJS entry, whose options argument is required.
  plugins: [react({})],
  build: {
    outDir: path.join(repoRoot, 'dist', 'renderer'),
    emptyOutDir: true,
    // Loaded from disk over app://, never over a network: one bundle is fine.
    chunkSizeWarningLimit: 2048,
  },
});
